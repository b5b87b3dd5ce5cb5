"""A perception index: the first principal component(s) of standardised panel indicators
(by default net stance toward each target and mean sentiment), as the field's country-year
indices are built. Cells with too few distinct sources stay out and say so; the loadings,
explained variance and the indicators used travel with the file (manifest and dictionary)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.config import IndexConfig
from stancemap.errors import Errors, UsageError

CORRECTED = "_ppi"  # a panel column's corrected estimate, where the panel has one


def default_indicators(panel: pd.DataFrame, codebook: Codebook) -> list[str]:
    """Net stance toward each target and mean sentiment, those the panel holds."""
    wanted = [f"st_{t}_net" for t in codebook.stance_targets] + ["sent_mean"]
    return [c for c in wanted if c in panel]


class PerceptionIndex:
    """PCA over standardised indicators, scikit-learn style. `fit(panel)` learns which cells
    enter (`used_`), the indicator columns read (`columns_`, a `_ppi` column in place of its
    plain one when `corrected`), their means and scales, the loadings and the explained
    variance; `transform(panel)` scores every cell that has all indicators (others: NaN).

    The sign of a component is arbitrary in PCA; it is fixed here so that the loadings sum to
    a positive number: a higher index means more favourable stance and sentiment when the
    indicators are stances and sentiment."""

    def __init__(self, indicators: list[str] | None = None, min_sources: int = 2,
                 components: int = 1, corrected: bool = True, min_cells: int = 3):
        self.indicators = indicators
        self.min_sources = min_sources
        self.components = components
        self.corrected = corrected
        self.min_cells = min_cells

    def _columns(self, panel: pd.DataFrame, indicators: list[str]) -> list[str]:
        return [f"{c}{CORRECTED}" if self.corrected and f"{c}{CORRECTED}" in panel else c
                for c in indicators]

    def fit(self, panel: pd.DataFrame, codebook: Codebook | None = None, by: list[str] | None = None):
        from sklearn.decomposition import PCA
        from sklearn.preprocessing import StandardScaler

        chosen = list(self.indicators or [])
        numeric = [c for c in panel.columns if pd.api.types.is_numeric_dtype(panel[c])]
        for name in chosen:
            if name not in numeric:
                raise UsageError(Errors.E360.format(name=name, by=",".join(by or []),
                                                    known=", ".join(numeric)))
        enough = panel["n_sources"] >= self.min_sources
        self.dropped_ = {}
        if not chosen:
            chosen = self._defaults(panel[enough], codebook)
        if self.components > max(len(chosen), 1):
            raise UsageError(Errors.E363.format(components=self.components, indicators=len(chosen)))
        self.indicators_ = chosen
        self.columns_ = self._columns(panel, chosen)
        self.used_ = enough & panel[self.columns_].notna().all(axis=1)
        need = max(self.min_cells, self.components + 1)
        if not chosen or int(self.used_.sum()) < need:
            raise UsageError(Errors.E361.format(
                need=need, min_sources=self.min_sources, found=int(self.used_.sum()),
                indicators=", ".join(self.columns_) or "none usable"))
        matrix = panel.loc[self.used_, self.columns_].to_numpy(dtype=float)
        self.scaler_ = StandardScaler().fit(matrix)
        self.pca_ = PCA(n_components=self.components).fit(self.scaler_.transform(matrix))
        signs = np.where(self.pca_.components_.sum(axis=1) < 0, -1.0, 1.0)
        self.loadings_ = self.pca_.components_ * signs[:, None]
        self.explained_variance_ratio_ = self.pca_.explained_variance_ratio_
        self.n_cells_ = int(self.used_.sum())
        return self

    def _defaults(self, eligible: pd.DataFrame, codebook: Codebook | None) -> list[str]:
        """The default indicators the eligible cells can carry: taken from the best observed
        down, each kept only while three quarters of the cells still have every one kept
        (a PCA over a handful of complete cells would describe those cells, not the panel);
        constant ones are dropped too. `dropped_` says why for each left out."""
        columns = {name: self._columns(eligible, [name])[0]
                   for name in default_indicators(eligible, codebook)}
        order = sorted(columns, key=lambda n: -eligible[columns[n]].notna().sum())
        chosen: list[str] = []
        complete = pd.Series(True, index=eligible.index)
        for name in order:
            values = eligible[columns[name]]
            if values.nunique(dropna=True) < 2:
                self.dropped_[name] = "the same value (or none) in every eligible cell"
            elif (complete & values.notna()).sum() < 0.75 * len(eligible):
                self.dropped_[name] = ("observed in too few cells: fewer than three quarters of "
                                       "the eligible cells would have every indicator")
            else:
                chosen.append(name)
                complete &= values.notna()
        return [n for n in columns if n in chosen]  # in the codebook's order

    def transform(self, panel: pd.DataFrame) -> np.ndarray:
        """Scores (cells x components); NaN for a cell lacking an indicator."""
        values = panel[self.columns_].to_numpy(dtype=float)
        complete = ~np.isnan(values).any(axis=1)
        scores = np.full((len(panel), self.components), np.nan)
        if complete.any():
            scores[complete] = self.scaler_.transform(values[complete]) @ self.loadings_.T
        return scores

    def summary(self) -> dict:
        """What the manifest records about the index."""
        return {"method": "PCA of standardised indicators (z-scores over the cells used; "
                          "scikit-learn StandardScaler and PCA); sign: loadings sum to > 0",
                "indicators": self.indicators_, "columns": self.columns_,
                "dropped_indicators": self.dropped_, "min_sources": self.min_sources,
                "cells_used": self.n_cells_, "cells": int(len(self.used_)),
                "means": dict(zip(self.columns_, self.scaler_.mean_.round(6).tolist())),
                "scales": dict(zip(self.columns_, self.scaler_.scale_.round(6).tolist())),
                "components": [{"name": index_name(k),
                                "explained_variance_ratio": round(float(r), 6),
                                "loadings": dict(zip(self.columns_, row.round(6).tolist()))}
                               for k, (r, row) in enumerate(zip(self.explained_variance_ratio_,
                                                                self.loadings_))]}


def index_name(k: int) -> str:
    return "index" if k == 0 else f"index_{k + 1}"


def index_table(panel: pd.DataFrame, by: list[str], codebook: Codebook,
                options: IndexConfig | None = None) -> pd.DataFrame:
    """The panel's cells with their index score(s) and `index_used` (whether the cell entered
    the PCA: enough sources and every indicator); `.attrs["index"]` holds the summary."""
    options = options or IndexConfig()
    model = PerceptionIndex(options.indicators or None, options.min_sources, options.components,
                            options.corrected).fit(panel, codebook, by)
    keep = [*by, "n_passages", "n_sources",
            *dict.fromkeys(c for pair in zip(model.indicators_, model.columns_) for c in pair)]
    table = panel[keep].copy()
    scores = model.transform(panel)
    for k in range(model.components):
        table[index_name(k)] = np.where(model.used_, scores[:, k], np.nan)
    table["index_used"] = model.used_.to_numpy()
    table.attrs = {**panel.attrs, "index": model.summary()}
    return table


def index_meaning(column: str, summary: dict) -> str | None:
    """The dictionary's words for an index column, with its loadings and explained variance."""
    for component in summary.get("components", []):
        if component["name"] == column:
            loadings = ", ".join(f"{c} {w:+.3f}" for c, w in component["loadings"].items())
            return (f"Perception index: principal component of the standardised indicators "
                    f"({loadings}); explains {component['explained_variance_ratio']:.1%} of their "
                    f"variance over {summary['cells_used']} cells with {summary['min_sources']}+ "
                    f"sources; empty for cells left out (index_used)")
    if column == "index_used":
        return (f"Whether the cell entered the index: at least {summary.get('min_sources')} "
                f"distinct sources and every indicator observed")
    return None
