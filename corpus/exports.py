"""Tables out of the store: one row per code, per passage, or per panel cell.

Where coders have worked, their codes win over the model's (adjudicated > accepted/corrected
> model; a rejected value removes the model's), and a `*_source` column says which it is."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from stancemap.annotations.codebook import Codebook
from stancemap.corpus.store import Store, codes, documents, passages

MULTI = ("country", "sector", "topic")  # dimensions with several values per passage
HUMAN_STATUSES = ("accepted", "corrected")
Z95 = 1.959964


def code_rows(store: Store) -> pd.DataFrame:
    query = (sa.select(codes.c.passage_id, codes.c.doc_id, codes.c.dimension, codes.c.target,
                       codes.c.value, codes.c.score, codes.c.source, codes.c.status,
                       codes.c.details, codes.c.run_id, codes.c.created_at)
             .select_from(codes.join(documents, documents.c.doc_id == codes.c.doc_id))
             .where(documents.c.retired_at.is_(None))
             .order_by(codes.c.passage_id, codes.c.dimension, codes.c.target, codes.c.value,
                       codes.c.source))
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    columns = ["passage_id", "doc_id", "dimension", "target", "value", "score", "source", "status",
               "details", "run_id", "created_at"]
    return pd.DataFrame(rows, columns=columns)


def resolve(group: list[dict], multi: bool) -> tuple[list[dict], str]:
    """The codes that stand for one (passage, dimension, target), and who they come from.
    `multi`: the dimension takes several values per passage (countries, sectors, topics)."""
    adjudicated = [c for c in group if c["status"] == "adjudicated"]
    if adjudicated:  # "none" is a decision that no value applies
        return [c for c in adjudicated if c["value"] != "none"], "adjudicated"
    human = [c for c in group if c["status"] in HUMAN_STATUSES]
    if human:
        if not multi:  # coders who disagree: the majority, then the latest
            votes: dict[str, int] = defaultdict(int)
            for code in human:
                votes[code["value"]] += 1
            human = [max(human, key=lambda c: (votes[c["value"]], c.get("created_at") or ""))]
        return [c for c in human if c["value"] != "none"], "human"
    rejected = {c["value"] for c in group if c["status"] == "rejected"}
    model = [c for c in group if c["status"] == "predicted" and c["value"] not in rejected]
    if not multi:
        model = sorted(model, key=lambda c: c["source"])[:1]
    return model, "model"


def resolved_codes(store: Store, codebook: Codebook) -> dict[str, dict[tuple[str, str], tuple[list[dict], str]]]:
    """passage_id -> (dimension, target) -> (codes, source kind)."""
    own = {k: d.multi for k, d in codebook.dimensions.items()}
    groups: dict[str, dict[tuple[str, str], list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in code_rows(store).to_dict("records"):
        groups[row["passage_id"]][(row["dimension"], row["target"])].append(row)
    return {pid: {key: resolve(group, own.get(key[0], key[0] in MULTI)) for key, group in by_key.items()}
            for pid, by_key in groups.items()}


def passage_table(store: Store, codebook: Codebook) -> pd.DataFrame:
    resolved = resolved_codes(store, codebook)
    query = (sa.select(passages, documents.c.source_path, documents.c.kind, documents.c.lang.label("doc_lang"),
                       documents.c.title, documents.c.date, documents.c.meta.label("doc_meta"))
             .select_from(passages.join(documents, documents.c.doc_id == passages.c.doc_id))
             .where(documents.c.retired_at.is_(None))
             .order_by(documents.c.source_path, passages.c.doc_id, passages.c.seq))
    targets = list(codebook.stance_targets)
    rows = []
    with store.engine.connect() as conn:
        for record in conn.execute(query).mappings():
            meta = {**(record["doc_meta"] or {}), **(record["meta"] or {})}
            found = resolved.get(record["passage_id"], {})
            row: dict[str, Any] = {
                "passage_id": record["passage_id"], "doc_id": record["doc_id"], "seq": record["seq"],
                "start": record["start"], "end": record["end"], "page": record["page"],
                "speaker": record["speaker"], "question": record["question"],
                "lang": record["lang"], "doc_lang": record["doc_lang"], "kind": record["kind"],
                "title": record["title"], "date": record["date"], "year": _year(record["date"]),
                "source_path": record["source_path"],
                "stakeholder": stakeholder_of(meta, codebook),
            }
            for key, value in sorted(meta.items()):
                if not isinstance(value, (list, dict)):
                    row[f"meta_{key}"] = value
            for dimension in MULTI:
                chosen, who = found.get((dimension, ""), ([], ""))
                if dimension == "topic":
                    best = max(chosen, key=lambda c: (c["score"] or 0, c["value"]), default=None)
                    row["top_topic"] = best["value"] if best else None
                    row["top_topic_share"] = best["score"] if best else None
                    row["top_topic_label"] = (best["details"] or {}).get("label") if best else None
                    row["topic_source"] = who or None
                else:
                    row[f"{dimension}s" if dimension != "country" else "countries"] = \
                        ";".join(sorted({c["value"] for c in chosen})) or None
                    row[f"{dimension}_source"] = who or None
            chosen, who = found.get(("sentiment", ""), ([], ""))
            row["sentiment"] = chosen[0]["value"] if chosen else None
            row["sentiment_score"] = chosen[0]["score"] if chosen else None
            row["sentiment_source"] = who or None
            for target in targets:
                chosen, who = found.get(("stance", target), ([], ""))
                row[f"stance_{target}"] = chosen[0]["value"] if chosen else None
                row[f"stance_{target}_score"] = chosen[0]["score"] if chosen else None
                row[f"stance_{target}_source"] = who or None
            for dimension in codebook.dimensions:  # the researchers' own, coded by people only
                chosen, who = found.get((dimension, ""), ([], ""))
                row[f"code_{dimension}"] = ";".join(sorted({c["value"] for c in chosen})) or None
                row[f"code_{dimension}_source"] = who or None
            row["text"] = record["text"]
            rows.append(row)
    table = pd.DataFrame(rows)
    if not table.empty:
        table["year"] = table["year"].astype("Int64")
    return table


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def stakeholder_of(meta: dict, codebook: Codebook) -> str | None:
    raw = meta.get("stakeholder_group") or meta.get("stakeholder")
    if not raw:
        return None
    key = str(raw).strip().casefold()
    for stakeholder_id, stakeholder in codebook.stakeholders.items():
        names = {stakeholder_id, stakeholder.label.casefold(), *(a.casefold() for a in stakeholder.aliases)}
        if key in names or key.replace(" ", "_") == stakeholder_id:
            return stakeholder_id
    return str(raw)


# panel ------------------------------------------------------------------------------------
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


def codes_table(store: Store) -> pd.DataFrame:
    table = code_rows(store)
    table["details"] = table["details"].map(
        lambda d: None if d is None else json.dumps(d, ensure_ascii=False, sort_keys=True))
    return table


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
