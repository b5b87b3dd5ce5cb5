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
                "date_precision": date_precision(record["date"]),
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


def date_precision(date: str | None) -> str | None:
    """day, month or year for ISO 8601 dates (2024-05-12, 2024-05, 2024)."""
    if not date or not date[:4].isdigit():
        return None
    return {4: "year", 7: "month"}.get(len(date), "day")


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


def codes_table(store: Store) -> pd.DataFrame:
    table = code_rows(store)
    table["details"] = table["details"].map(
        lambda d: None if d is None else json.dumps(d, ensure_ascii=False, sort_keys=True))
    return table
