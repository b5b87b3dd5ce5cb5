"""Which codes stand for a passage: coders' decisions win over the model's (adjudicated >
accepted/corrected > model; a rejected value removes the model's). Training, review and every
table read codes through here."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import sqlalchemy as sa

from stancemap.corpus.store import Store, codes, documents

MULTI = ("country", "region", "sector", "topic")  # dimensions with several values per passage
HUMAN_STATUSES = ("accepted", "corrected")


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
    if not multi:  # the source's own voice before a quoted one (stance.quoted = separate)
        model = sorted(model, key=lambda c: ((c.get("details") or {}).get("voice") == "quoted",
                                             c["source"]))[:1]
    return model, "model"
