"""Panels: passages grouped by any of the table's dimensions, with counts, mean sentiment and
stance shares, each with a 95% interval; topic prevalence with bootstrap intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from stancemap.annotations.codebook import Codebook

Z95 = 1.959964

PANEL_DIMENSIONS = {"country": "countries", "sector": "sectors", "year": "year", "kind": "kind",
                    "stakeholder": "stakeholder", "lang": "lang", "topic": "top_topic"}


def _net_interval(favour: int, against: int, n: int) -> tuple[float, float]:
    """95% interval of share favour minus share against: adjusted Wald, one pseudo-count per
    stance class (as Agresti and Caffo do for two proportions), so cells of one or two passages,
    or all of one stance, do not get a zero-width interval."""
    fav, ag = (favour + 1) / (n + 3), (against + 1) / (n + 3)
    centre = fav - ag
    half = Z95 * math.sqrt(max(fav + ag - centre ** 2, 0.0) / (n + 3))
    return max(-1.0, centre - half), min(1.0, centre + half)


def _wilson(successes: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denominator = 1 + Z95 ** 2 / n
    centre = (p + Z95 ** 2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / denominator
    return (centre - half, centre + half)


def panel_keys(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The passage table with one column per grouping dimension; passages with several
    countries or sectors are repeated, once per value."""
    frame = table.copy()
    for dimension in by:
        column = PANEL_DIMENSIONS.get(dimension) or (dimension if dimension in frame else f"meta_{dimension}")
        if column not in frame:
            raise KeyError(dimension)
        if dimension in ("country", "sector"):
            frame[dimension] = frame[column].fillna("").str.split(";")
            frame = frame.explode(dimension)
            frame[dimension] = frame[dimension].replace("", None)
        elif column != dimension:
            frame[dimension] = frame[column]
    return frame


def panel_table(table: pd.DataFrame, by: list[str], codebook: Codebook) -> pd.DataFrame:
    """Counts, mean sentiment and stance shares per cell of `by`, each with a 95% interval.
    A passage coded with several countries (or sectors) counts once in each."""
    frame = panel_keys(table, by)
    keys = list(by)
    targets = list(codebook.stance_targets)
    rows = []
    for key, cell in frame.groupby(keys, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        row = {k: (None if pd.isna(v) else v) for k, v in zip(keys, key)}
        row["n_passages"] = int(cell["passage_id"].nunique())
        row["n_documents"] = int(cell["doc_id"].nunique())
        scores = cell.drop_duplicates("passage_id")["sentiment_score"].dropna().astype(float)
        n = len(scores)
        mean = float(scores.mean()) if n else math.nan
        half = Z95 * float(scores.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
        row.update({"sent_n": n, "sent_mean": mean, "sent_lo": mean - half, "sent_hi": mean + half})
        for target in targets:
            stances = cell.drop_duplicates("passage_id")[f"stance_{target}"].dropna()
            n = len(stances)
            counts = {v: int((stances == v).sum()) for v in ("favour", "against", "neutral")}
            prefix = f"st_{target}"
            row[f"{prefix}_n"] = n
            for value, short in (("favour", "fav"), ("against", "ag"), ("neutral", "neu")):
                share = counts[value] / n if n else math.nan
                low, high = _wilson(counts[value], n)
                row.update({f"{prefix}_{short}": share, f"{prefix}_{short}_lo": low,
                            f"{prefix}_{short}_hi": high})
            if n:
                net = (counts["favour"] - counts["against"]) / n
                low, high = _net_interval(counts["favour"], counts["against"], n)
                row.update({f"{prefix}_net": net, f"{prefix}_net_lo": low, f"{prefix}_net_hi": high})
            else:
                row.update({f"{prefix}_net": math.nan, f"{prefix}_net_lo": math.nan,
                            f"{prefix}_net_hi": math.nan})
        rows.append(row)
    panel = pd.DataFrame(rows)
    if "year" in panel:
        panel["year"] = pd.to_numeric(panel["year"]).astype("Int64")
    return panel


def topic_prevalence(table: pd.DataFrame, shares: pd.DataFrame, by: list[str], codebook: Codebook,
                     seed: int, resamples: int = 1000) -> pd.DataFrame:
    """Mean topic share per group with a bootstrap 95% interval (passages resampled within
    the group). Shares below `topics.min_share` were not stored and count as 0."""
    rng = np.random.default_rng(seed)
    wide = shares.pivot_table(index="passage_id", columns="value", values="score",
                              aggfunc="first").fillna(0.0)
    fitted = table[table["passage_id"].isin(wide.index)]
    if by:
        frame = panel_keys(fitted, by)
    else:
        frame = fitted.assign(_all="all")
        by = ["_all"]
    rows = []
    for key, cell in frame.groupby(by, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        matrix = wide.loc[cell["passage_id"].drop_duplicates()].to_numpy()
        n = len(matrix)
        picks = rng.integers(0, n, size=(resamples, n))
        boot = matrix[picks].mean(axis=1)  # resamples x topics
        for index, topic in enumerate(wide.columns):
            row = {k: (None if pd.isna(v) else v) for k, v in zip(by, key) if k != "_all"}
            row.update({"topic": topic, "n_passages": n, "share": float(matrix[:, index].mean()),
                        "share_lo": float(np.percentile(boot[:, index], 2.5)),
                        "share_hi": float(np.percentile(boot[:, index], 97.5))})
            rows.append(row)
    return pd.DataFrame(rows)
