"""What the report's passage browser holds: every passage's id (so every cell lists all its
passages), and for up to `max_passages` of them the text, document, speaker, source country,
codes (score, source, status, whether it stands) and mentions. Under a cap, passages are taken
round-robin over the cells so every cell keeps examples, and the report says it was capped."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import sqlalchemy as sa

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.resolution import code_rows
from stancemap.corpus.store import Store, documents, mentions
from stancemap.datasets.report.cells import Cells, clean
from stancemap.datasets.report.columns import SOURCE
from stancemap.datasets.tables import resolved_codes

CONTEXT_CHARS = 300  # of a neighbour passage that is not itself embedded


def chosen(cells: Cells, total: int, cap: int) -> list[int]:
    """Positions to embed: all when they fit, else round-robin over the cells' passages."""
    if total <= cap:
        return list(range(total))
    picked: dict[int, None] = {}
    queues = [p for p in cells.passages if p]
    depth = 0
    while len(picked) < cap and any(depth < len(q) for q in queues):
        for queue in queues:
            if depth < len(queue):
                picked.setdefault(queue[depth])
                if len(picked) >= cap:
                    break
        depth += 1
    for position in range(total):  # passages in no cell, if room is left
        if len(picked) >= cap:
            break
        picked.setdefault(position)
    return sorted(picked)


def _mentions_of(store: Store, passage_ids: set[str]) -> dict[str, list]:
    query = (sa.select(mentions.c.passage_id, mentions.c.start, mentions.c.end, mentions.c.label,
                       mentions.c.canonical_id)
             .select_from(mentions.join(documents, documents.c.doc_id == mentions.c.doc_id))
             .where(documents.c.retired_at.is_(None)).order_by(mentions.c.passage_id, mentions.c.start))
    found: dict[str, list] = defaultdict(list)
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            if row.passage_id in passage_ids:
                found[row.passage_id].append([row.start, row.end, row.label, row.canonical_id])
    return found


def _codes_of(store: Store, codebook: Codebook, passage_ids: set[str]) -> dict[str, list]:
    standing = {(pid, c["dimension"], c["target"], c["value"], c["source"])
                for pid, by_key in resolved_codes(store, codebook).items() if pid in passage_ids
                for chosen_codes, _ in by_key.values() for c in chosen_codes}
    found: dict[str, list] = defaultdict(list)
    for row in code_rows(store).itertuples(index=False):
        if row.passage_id in passage_ids:
            stands = (row.passage_id, row.dimension, row.target, row.value, row.source) in standing
            found[row.passage_id].append([row.dimension, row.target, row.value, clean(row.score),
                                          row.source, row.status, int(stands)])
    return found


def browser_data(store: Store, codebook: Codebook, table: pd.DataFrame, cells: Cells,
                 max_passages: int) -> dict:
    """The JSON the browser reads (see report.js: `passages`)."""
    total = len(table)
    embed = chosen(cells, total, max_passages)
    ids = table["passage_id"].tolist()
    doc_index: dict[str, int] = {}
    docs = []
    for row in table.drop_duplicates("doc_id").itertuples(index=False):
        doc_index[row.doc_id] = len(docs)
        docs.append({"title": clean(row.title), "path": row.source_path, "kind": row.kind,
                     "date": clean(row.date), "source_country": clean(getattr(row, SOURCE))})
    wanted = {ids[p] for p in embed}
    found_mentions = _mentions_of(store, wanted)
    found_codes = _codes_of(store, codebook, wanted)
    position_of = {(d, s): i for i, (d, s) in enumerate(zip(table["doc_id"], table["seq"]))}
    embedded = set(embed)
    records: list = [None] * total
    texts = table["text"].tolist()
    columns = ["passage_id", "doc_id", "seq", "start", "speaker", "question", "lang"]
    roles = table["role"].tolist() if "role" in table else [None] * total
    for position, row in zip(embed, table[columns].iloc[embed].itertuples(index=False)):
        start = int(row.start)
        record = {"d": doc_index[row.doc_id], "s": int(row.seq), "sp": clean(row.speaker),
                  "q": clean(row.question), "l": clean(row.lang), "t": texts[position],
                  "r": clean(roles[position]),
                  "c": found_codes.get(row.passage_id, []),
                  "m": [[a - start, b - start, label, canonical]
                        for a, b, label, canonical in found_mentions.get(row.passage_id, [])]}
        for key, step in (("pv", -1), ("nx", 1)):
            neighbour = position_of.get((row.doc_id, int(row.seq) + step))
            if neighbour is not None:
                record[key] = neighbour
                if neighbour not in embedded:
                    text = texts[neighbour]
                    record[key + "t"] = text[-CONTEXT_CHARS:] if step < 0 else text[:CONTEXT_CHARS]
        records[position] = record
    return {"ids": ids, "docs": docs, "records": records, "total": total, "embedded": len(embed),
            "max_passages": max_passages, "capped": len(embed) < total}
