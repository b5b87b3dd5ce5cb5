"""Perception panels: passages grouped by any of the table's dimensions — by default who
speaks (source_country) and when — with passages, documents and distinct sources, mean
sentiment and stance shares, each with a 95% interval; topic prevalence with bootstrap
intervals clustered by source. Interviewer questions and stances of a source toward its own country are left out
and counted (PanelConfig switches them back on); a region mention stays a region."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.config import PanelConfig
from stancemap.corpus.document import NOT_OPINIONS

Z95 = 1.959964

# --by name -> passage-table column; multi-valued ones (';'-separated) repeat a passage once per value
PANEL_DIMENSIONS = {"source_country": "source_country", "about_country": "about_country",
                    "about_region": "about_region", "target": "target", "sector": "sectors",
                    "year": "year", "kind": "kind", "stakeholder": "stakeholder",
                    "source_kind": "source_kind", "speaker": "speaker", "lang": "lang",
                    "topic": "top_topic"}
_MULTI = {"about_country", "about_region", "sector"}
DEFAULT_BY = ["source_country", "year"]


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
    """One row per passage and stance target it has a stance toward, with that stance."""
    parts = []
    for target in codebook.stance_targets:
        column = f"stance_{target}"
        has = frame[frame[column].notna()] if column in frame else frame.iloc[:0]
        parts.append(has.assign(target=target, _stance=has.get(column),
                                _self=has.get(f"{column}_self")))
    return pd.concat(parts, ignore_index=True)


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


def _stance_stats(prefix: str, stances: pd.Series, self_flags: pd.Series | None,
                  include_self: bool) -> dict:
    """Shares in favour/against/neutral and the net index with 95% intervals, and how many
    self-referencing stances the cell left out (with include_self: holds)."""
    is_self = (self_flags.fillna(False).astype(bool) if self_flags is not None
               else pd.Series(False, index=stances.index))
    row = {f"{prefix}_self_n": int((is_self & stances.notna()).sum())}
    if not include_self:
        stances = stances[~is_self]
    stances = stances.dropna()
    n = len(stances)
    counts = {v: int((stances == v).sum()) for v in ("favour", "against", "neutral")}
    row[f"{prefix}_n"] = n
    for value, short in (("favour", "fav"), ("against", "ag"), ("neutral", "neu")):
        low, high = _wilson(counts[value], n)
        row.update({f"{prefix}_{short}": counts[value] / n if n else math.nan,
                    f"{prefix}_{short}_lo": low, f"{prefix}_{short}_hi": high})
    if n:
        low, high = _net_interval(counts["favour"], counts["against"], n)
        row.update({f"{prefix}_net": (counts["favour"] - counts["against"]) / n,
                    f"{prefix}_net_lo": low, f"{prefix}_net_hi": high})
    else:
        row.update({f"{prefix}_net": math.nan, f"{prefix}_net_lo": math.nan,
                    f"{prefix}_net_hi": math.nan})
    return row


def panel_table(table: pd.DataFrame, by: list[str], codebook: Codebook,
                options: PanelConfig | None = None) -> pd.DataFrame:
    """Counts (passages, documents, distinct sources), mean sentiment and stance shares per
    cell of `by`, each with a 95% interval. A passage coded with several countries (or
    sectors) counts once in each. `panel.attrs["left_out"]` says what the panel left out."""
    options = options or PanelConfig()
    counted, questions = perception_rows(table, options)
    frame = panel_keys(counted, by, codebook, options)
    keys = list(by)
    targets = [] if "target" in by else list(codebook.stance_targets)
    rows = []
    for key, cell in frame.groupby(keys, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        row = {k: (None if pd.isna(v) else v) for k, v in zip(keys, key)}
        row["n_passages"] = int(cell["passage_id"].nunique())
        row["n_documents"] = int(cell["doc_id"].nunique())
        row["n_sources"] = int(cell["source_id" if "source_id" in cell else "doc_id"].nunique())
        passages = cell.drop_duplicates("passage_id")
        scores = passages["sentiment_score"].dropna().astype(float)
        n = len(scores)
        mean = float(scores.mean()) if n else math.nan
        half = Z95 * float(scores.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
        row.update({"sent_n": n, "sent_mean": mean, "sent_lo": mean - half, "sent_hi": mean + half})
        if "target" in by:
            row.update(_stance_stats("st", cell["_stance"], cell["_self"], options.include_self))
        for target in targets:
            row.update(_stance_stats(f"st_{target}", passages[f"stance_{target}"],
                                     passages.get(f"stance_{target}_self"), options.include_self))
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
