"""Tables out of the store: one row per code or per passage, with doc metadata and which
kind of code (model, human, adjudicated) each value comes from."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pandas as pd
import sqlalchemy as sa

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.resolution import MULTI, code_rows, resolve
from stancemap.corpus.store import Store, documents, passages
from stancemap.datasets.sources import SourceResolver

# the passage table's name for each multi-valued code dimension: what a passage is about
# (its subject) is never named like who speaks (its source)
CODED_COLUMNS = {"country": "about_country", "region": "about_region", "sector": "sectors"}


def in_language(rows: pd.DataFrame, out_of_language: bool = True) -> pd.DataFrame:
    """`out_of_language` False: leave out model codes made in a language the model was not
    trained on (details.out_of_language); human codes always stay."""
    if out_of_language or rows.empty:
        return rows
    outside = rows["details"].map(lambda d: bool((d or {}).get("out_of_language")))
    return rows[~(outside & (rows["status"] == "predicted"))]


def own_voice(rows: pd.DataFrame, quoted_voices: bool = False) -> pd.DataFrame:
    """`quoted_voices` False: leave out model stance codes of quoted or reported speech
    (details.voice = quoted), so a passage's stance is its source's own."""
    if quoted_voices or rows.empty:
        return rows
    quoted = rows["details"].map(lambda d: (d or {}).get("voice") == "quoted")
    return rows[~(quoted & (rows["status"] == "predicted"))]


def resolved_codes(store: Store, codebook: Codebook, out_of_language: bool = True,
                   quoted_voices: bool = False
                   ) -> dict[str, dict[tuple[str, str], tuple[list[dict], str]]]:
    """passage_id -> (dimension, target) -> (codes, source kind)."""
    own = {k: d.multi for k, d in codebook.dimensions.items()}
    groups: dict[str, dict[tuple[str, str], list[dict]]] = defaultdict(lambda: defaultdict(list))
    rows = own_voice(in_language(code_rows(store), out_of_language), quoted_voices)
    for row in rows.to_dict("records"):
        groups[row["passage_id"]][(row["dimension"], row["target"])].append(row)
    return {pid: {key: resolve(group, own.get(key[0], key[0] in MULTI)) for key, group in by_key.items()}
            for pid, by_key in groups.items()}


def passage_table(store: Store, codebook: Codebook, out_of_language: bool = True,
                  quoted_voices: bool = False, bylines: bool = True) -> pd.DataFrame:
    resolved = resolved_codes(store, codebook, out_of_language, quoted_voices)
    query = (sa.select(passages, documents.c.source_path, documents.c.kind, documents.c.lang.label("doc_lang"),
                       documents.c.title, documents.c.date, documents.c.meta.label("doc_meta"))
             .select_from(passages.join(documents, documents.c.doc_id == passages.c.doc_id))
             .where(documents.c.retired_at.is_(None))
             .order_by(documents.c.source_path, passages.c.doc_id, passages.c.seq))
    targets = {t: codebook.target_country(t) for t in codebook.stance_targets}
    sources = SourceResolver(codebook, bylines)
    rows = []
    with store.engine.connect() as conn:
        for record in conn.execute(query).mappings():
            meta = {**(record["doc_meta"] or {}), **(record["meta"] or {})}
            found = resolved.get(record["passage_id"], {})
            source = sources.source(record["meta"] or {}, record["doc_meta"] or {},
                                    speaker=record["speaker"], role=record["role"],
                                    kind=record["kind"], doc_id=record["doc_id"])
            row: dict[str, Any] = {
                "passage_id": record["passage_id"], "doc_id": record["doc_id"], "seq": record["seq"],
                "start": record["start"], "end": record["end"], "page": record["page"],
                "role": record["role"], **source, "question": record["question"],
                "lang": record["lang"], "doc_lang": record["doc_lang"], "kind": record["kind"],
                "title": record["title"], "date": record["date"], "year": _year(record["date"]),
                "date_precision": date_precision(record["date"]),
                "source_path": record["source_path"],
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
                    column = CODED_COLUMNS[dimension]
                    row[column] = ";".join(sorted({c["value"] for c in chosen})) or None
                    row[f"{column}_source"] = who or None
            chosen, who = found.get(("sentiment", ""), ([], ""))
            row["sentiment"] = chosen[0]["value"] if chosen else None
            row["sentiment_score"] = chosen[0]["score"] if chosen else None
            row["sentiment_source"] = who or None
            for target, own_country in targets.items():
                chosen, who = found.get(("stance", target), ([], ""))
                row[f"stance_{target}"] = chosen[0]["value"] if chosen else None
                row[f"stance_{target}_score"] = chosen[0]["score"] if chosen else None
                row[f"stance_{target}_source"] = who or None
                row[f"stance_{target}_self"] = _is_self(chosen, source["source_country"], own_country)
            for dimension in codebook.dimensions:  # the researchers' own, coded by people only
                chosen, who = found.get((dimension, ""), ([], ""))
                row[f"code_{dimension}"] = ";".join(sorted({c["value"] for c in chosen})) or None
                row[f"code_{dimension}_source"] = who or None
            row["text"] = record["text"]
            rows.append(row)
    if not rows:  # a project whose files were all skipped: the columns, no rows
        return pd.DataFrame(columns=_passage_columns(codebook))
    table = pd.DataFrame(rows)
    table["year"] = table["year"].astype("Int64")
    return table


def _passage_columns(codebook: Codebook) -> list[str]:
    """The passage table's columns that do not depend on metadata, in the rows' order."""
    columns = ["passage_id", "doc_id", "seq", "start", "end", "page", "role", "source_country",
               "stakeholder", "source_kind", "speaker", "source_id", "source_from",
               "source_evidence", "question", "lang", "doc_lang",
               "kind", "title", "date", "year", "date_precision", "source_path"]
    for dimension in MULTI:
        if dimension == "topic":
            columns += ["top_topic", "top_topic_share", "top_topic_label", "topic_source"]
        else:
            columns += [CODED_COLUMNS[dimension], f"{CODED_COLUMNS[dimension]}_source"]
    columns += ["sentiment", "sentiment_score", "sentiment_source"]
    for target in codebook.stance_targets:
        columns += [f"stance_{target}{part}" for part in ("", "_score", "_source", "_self")]
    for dimension in codebook.dimensions:
        columns += [f"code_{dimension}", f"code_{dimension}_source"]
    return columns + ["text"]


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def date_precision(date: str | None) -> str | None:
    """day, month or year for ISO 8601 dates (2024-05-12, 2024-05, 2024)."""
    if not date or not date[:4].isdigit():
        return None
    return {4: "year", 7: "month"}.get(len(date), "day")


def _is_self(chosen: list[dict], source_country: str | None, own_country: str | None) -> bool | None:
    """Whether a stance is the source speaking of its own country; None without a stance or
    when the source's or the target's country is unknown."""
    if not chosen or not source_country or not own_country:
        return None
    return source_country == own_country


def codes_table(store: Store, out_of_language: bool = True) -> pd.DataFrame:
    table = in_language(code_rows(store), out_of_language).copy()
    table["details"] = table["details"].map(
        lambda d: None if d is None else json.dumps(d, ensure_ascii=False, sort_keys=True))
    return table


MENTION_COLUMNS = ["passage_id", "doc_id", "start", "end", "label", "canonical_id",
                   "entity_country", "surface", "source"]


def mentions_table(store: Store) -> pd.DataFrame:
    """One row per entity mention the model found, with offsets into the document text, so
    entity results can be checked against the text and reused."""
    rows = [{"passage_id": m["passage_id"], "doc_id": m["doc_id"], "start": m["start"],
             "end": m["end"], "label": m["label"], "canonical_id": m["canonical_id"],
             "entity_country": m["country"], "surface": m["text"], "source": m["source"]}
            for m in store.iter_mentions()]
    return pd.DataFrame(rows, columns=MENTION_COLUMNS)
