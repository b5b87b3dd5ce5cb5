"""Perception panels: passages grouped by any of the table's dimensions — by default who
speaks (source_country) and when — with passages, documents and distinct sources, mean
sentiment and stance shares, each with a 95% interval that counts sources (passages of one
source are one cluster: datasets/correction.py); where the project has a validation sample,
next to them the prediction-powered figures corrected by the coders' codes on it (*_ppi);
topic prevalence with bootstrap intervals clustered by source. Interviewer questions and
stances of a source toward its own country are left out and counted (PanelConfig switches them
back on); a region mention stays a region."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.config import PanelConfig
from stancemap.corpus.document import NOT_OPINIONS
from stancemap.datasets.correction import (corrected_mean, mean_interval, net_interval,
                                           share_interval)
from stancemap.datasets.validation import POLARITY, Validation

# --by name -> passage-table column; multi-valued ones (';'-separated) repeat a passage once per value
PANEL_DIMENSIONS = {"source_country": "source_country", "about_country": "about_country",
                    "about_region": "about_region", "target": "target", "sector": "sectors",
                    "year": "year", "kind": "kind", "stakeholder": "stakeholder",
                    "source_kind": "source_kind", "speaker": "speaker", "lang": "lang",
                    "topic": "top_topic"}
_MULTI = {"about_country", "about_region", "sector"}
DEFAULT_BY = ["source_country", "year"]


def perception_rows(table: pd.DataFrame, options: PanelConfig) -> tuple[pd.DataFrame, int]:
    """The passages a panel counts, and how many question (and transcript header) passages
    were left out."""
    if options.include_questions or "role" not in table:
        return table, 0
    questions = table["role"].isin(NOT_OPINIONS)
    return table[~questions], int(questions.sum())


def _about_countries(frame: pd.DataFrame, codebook: Codebook, spread: bool) -> pd.Series:
    """about_country as lists; with `spread`, a region mention counts for each member too."""
    countries = frame["about_country"].fillna("").str.split(";").map(lambda v: [c for c in v if c])
    if spread and "about_region" in frame:
        regions = frame["about_region"].fillna("").str.split(";")
        members = regions.map(lambda rs: [m for r in rs if r in codebook.regions
                                          for m in codebook.regions[r].members])
        countries = pd.Series([sorted(set(c) | set(m)) for c, m in zip(countries, members)],
                              index=frame.index)
    return countries.map(lambda v: v or [None])


def _by_target(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per passage and stance target it has a stance toward, with that stance, the
    model's own and the coders' validation code. With a validation sample, also the passages
    whose model stance a coder removed (`_counted` False): the correction needs every passage
    the model coded; the counts leave them out."""
    parts = []
    for target in codebook.stance_targets:
        column = f"stance_{target}"
        if column not in frame:
            continue
        has = frame[frame[column].notna() | frame.get(f"model_{column}", frame[column]).notna()]
        parts.append(has.assign(target=target, _stance=has.get(column), _counted=has[column].notna(),
                                _self=has.get(f"{column}_self"), _model=has.get(f"model_{column}"),
                                _gold=has.get(f"gold_{column}")))
    return pd.concat(parts, ignore_index=True) if parts else frame.iloc[:0].assign(target=None)


def panel_keys(table: pd.DataFrame, by: list[str], codebook: Codebook,
               options: PanelConfig | None = None) -> pd.DataFrame:
    """The passage table with one column per grouping dimension; passages with several
    countries or sectors are repeated, once per value (and, by target, once per target)."""
    options = options or PanelConfig()
    frame = table.copy()
    for dimension in by:
        if dimension == "target":
            frame = _by_target(frame, codebook)
            continue
        column = PANEL_DIMENSIONS.get(dimension) or (dimension if dimension in frame else f"meta_{dimension}")
        if column not in frame:
            raise KeyError(dimension)
        if dimension == "about_country":
            frame[dimension] = _about_countries(frame, codebook, options.spread_regions)
            frame = frame.explode(dimension)
        elif dimension in _MULTI:
            frame[dimension] = frame[column].fillna("").str.split(";")
            frame = frame.explode(dimension)
            frame[dimension] = frame[dimension].replace("", None)
        elif column != dimension:
            frame[dimension] = frame[column]
    return frame


def _clusters(frame: pd.DataFrame) -> pd.Series:
    return frame["source_id" if "source_id" in frame else "doc_id"]


SHARES = (("favour", "fav"), ("against", "ag"), ("neutral", "neu"))


def _stance_stats(prefix: str, cell: pd.DataFrame, stances: pd.Series, self_flags: pd.Series | None,
                  include_self: bool) -> dict:
    """Shares in favour/against/neutral and the net index with 95% intervals by source, and
    how many self-referencing stances the cell left out (with include_self: holds)."""
    is_self = (self_flags.fillna(False).astype(bool) if self_flags is not None
               else pd.Series(False, index=stances.index))
    row = {f"{prefix}_self_n": int((is_self & stances.notna()).sum())}
    keep = stances.notna() & (include_self | ~is_self)
    values, clusters = stances[keep], _clusters(cell)[keep].to_numpy()
    row[f"{prefix}_n"] = len(values)
    for value, short in SHARES:
        share, low, high = share_interval((values == value).to_numpy(), clusters)
        row.update({f"{prefix}_{short}": share, f"{prefix}_{short}_lo": low, f"{prefix}_{short}_hi": high})
    net, low, high = net_interval(values.map(POLARITY).to_numpy(), clusters)
    row.update({f"{prefix}_net": net, f"{prefix}_net_lo": low, f"{prefix}_net_hi": high})
    return row


def _corrected_stats(prefix: str, cell: pd.DataFrame, model: pd.Series, gold: pd.Series,
                     keep: pd.Series, indicators) -> dict:
    """Prediction-powered figures over the cell's passages the model coded (`keep`), from the
    validation sample's coded passages among them; `indicators`: (suffix, kind, value->0/1/-1)."""
    scope = keep & model.notna()
    validated = (cell["validated"].fillna(False).astype(bool) & gold.notna())[scope].to_numpy()
    clusters = _clusters(cell)[scope].to_numpy()
    weights = cell["validation_weight"][scope].fillna(1.0).to_numpy(dtype=float)
    row, flag = {}, None
    for suffix, kind, encode in indicators:
        result = corrected_mean(kind, model[scope].map(encode).to_numpy(dtype=float), clusters,
                                validated, gold[scope].map(encode).fillna(0).to_numpy(dtype=float),
                                weights)
        row.update({f"{prefix}_{suffix}_ppi": result.value, f"{prefix}_{suffix}_ppi_lo": result.lo,
                    f"{prefix}_{suffix}_ppi_hi": result.hi})
        flag, row[f"{prefix}_n_validated"] = result.flag, result.n_validated
    row[f"{prefix}_ppi_flag"] = flag
    return row


STANCE_INDICATORS = [(short, "share", lambda v, value=value: float(v == value)) for value, short in SHARES] \
    + [("net", "net", lambda v: POLARITY.get(v, 0))]
SENTIMENT_INDICATORS = [("net", "net", lambda v: POLARITY.get(v, 0))]


def panel_table(table: pd.DataFrame, by: list[str], codebook: Codebook,
                options: PanelConfig | None = None,
                validation: Validation | None = None) -> pd.DataFrame:
    """Counts (passages, documents, distinct sources), mean sentiment and stance shares per
    cell of `by`, each with a 95% interval by source. A passage coded with several countries
    (or sectors) counts once in each. With a `validation` sample (load_validation), the
    corrected figures too. `panel.attrs["left_out"]` says what the panel left out,
    `panel.attrs["validation"]` which sample corrected it (None: not validated)."""
    options = options or PanelConfig()
    if validation is not None:
        table = table.merge(validation.values.reset_index(), on="passage_id", how="left")
        table["validated"] = table["validated"].fillna(False).astype(bool)
    counted, questions = perception_rows(table, options)
    frame = panel_keys(counted, by, codebook, options)
    keys = list(by)
    targets = [] if "target" in by else list(codebook.stance_targets)
    rows = []
    for key, cell in frame.groupby(keys, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        row = {k: (None if pd.isna(v) else v) for k, v in zip(keys, key)}
        shown = cell[cell["_counted"]] if "_counted" in cell else cell
        row["n_passages"] = int(shown["passage_id"].nunique())
        row["n_documents"] = int(shown["doc_id"].nunique())
        row["n_sources"] = int(_clusters(shown).nunique())
        row["one_source"] = row["n_sources"] == 1
        passages = shown.drop_duplicates("passage_id")
        scored = passages[passages["sentiment_score"].notna()]
        mean, low, high = mean_interval(scored["sentiment_score"].to_numpy(dtype=float), _clusters(scored))
        row.update({"sent_n": len(scored), "sent_mean": mean, "sent_lo": low, "sent_hi": high})
        labels = passages.get("sentiment", pd.Series(None, index=passages.index, dtype=object))
        net, low, high = net_interval(labels.dropna().map(POLARITY).fillna(0).to_numpy(dtype=float),
                                      _clusters(passages)[labels.notna()].to_numpy())
        row.update({"sent_net": net, "sent_net_lo": low, "sent_net_hi": high})
        if validation is not None:  # over every passage of the cell, as the model coded them
            every = cell.drop_duplicates("passage_id")
            row.update(_corrected_stats("sent", every, every["model_sentiment"], every["gold_sentiment"],
                                        pd.Series(True, index=every.index), SENTIMENT_INDICATORS))
        stance_cells = [("st", cell, "_stance", "_self", "_model", "_gold")] if "target" in by else [
            (f"st_{t}", passages, f"stance_{t}", f"stance_{t}_self", f"model_stance_{t}",
             f"gold_stance_{t}") for t in targets]
        for prefix, part, column, self_column, model, gold in stance_cells:
            row.update(_stance_stats(prefix, part, part[column], part.get(self_column),
                                     options.include_self))
            if validation is not None:
                self_flags = part.get(self_column)
                keep = (pd.Series(True, index=part.index) if options.include_self or self_flags is None
                        else ~self_flags.fillna(False).astype(bool))
                row.update(_corrected_stats(prefix, part, part[model], part[gold], keep,
                                            STANCE_INDICATORS))
        rows.append(row)
    panel = pd.DataFrame(rows)
    if "year" in panel:
        panel["year"] = pd.to_numeric(panel["year"]).astype("Int64")
    left_out = {}
    if not options.include_self:
        for target in codebook.stance_targets:
            flags = counted.get(f"stance_{target}_self")
            left_out[target] = int(flags.fillna(False).astype(bool).sum()) if flags is not None else 0
    panel.attrs["left_out"] = {"question_passages": questions, "self_stances": left_out}
    panel.attrs["validation"] = None if validation is None else {
        "sample": validation.sample.name, "kind": validation.sample.design.get("kind"),
        "strata": validation.sample.design.get("strata") or [],
        "passages": len(validation.sample.members)}
    return panel


def topic_prevalence(table: pd.DataFrame, shares: pd.DataFrame, by: list[str], codebook: Codebook,
                     seed: int, resamples: int = 1000,
                     options: PanelConfig | None = None) -> pd.DataFrame:
    """Mean topic share per group with a 95% interval from a bootstrap clustered by source:
    the group's sources (source_id, or the document where the table has none) are resampled,
    each with all its passages, so one prolific speaker cannot narrow the interval. Shares
    below `topics.min_share` were not stored (except a passage's main topic) and count as 0."""
    rng = np.random.default_rng(seed)
    wide = shares.pivot_table(index="passage_id", columns="value", values="score",
                              aggfunc="first").fillna(0.0)
    options = options or PanelConfig()
    counted, _ = perception_rows(table, options)
    fitted = counted[counted["passage_id"].isin(wide.index)]
    if by:
        frame = panel_keys(fitted, by, codebook, options)
    else:
        frame = fitted.assign(_all="all")
        by = ["_all"]
    unit = "source_id" if "source_id" in frame else "doc_id"
    rows = []
    for key, cell in frame.groupby(by, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        passages = cell.drop_duplicates("passage_id")
        matrix = wide.loc[passages["passage_id"]].to_numpy()
        n = len(matrix)
        source, names = pd.factorize(passages[unit].fillna(passages["doc_id"]))
        sums = np.zeros((len(names), matrix.shape[1]))
        np.add.at(sums, source, matrix)
        sizes = np.bincount(source, minlength=len(names))
        boot = []
        for start in range(0, resamples, 100):  # resampled sources as multinomial counts
            weights = rng.multinomial(len(names), np.full(len(names), 1 / len(names)),
                                      size=min(100, resamples - start))
            boot.append((weights @ sums) / (weights @ sizes)[:, None])
        boot = np.vstack(boot)  # resamples x topics
        for index, topic in enumerate(wide.columns):
            row = {k: (None if pd.isna(v) else v) for k, v in zip(by, key) if k != "_all"}
            row.update({"topic": topic, "n_passages": n, "n_sources": len(names),
                        "share": float(matrix[:, index].mean()),
                        "share_lo": float(np.percentile(boot[:, index], 2.5)),
                        "share_hi": float(np.percentile(boot[:, index], 97.5))})
            rows.append(row)
    return pd.DataFrame(rows)
