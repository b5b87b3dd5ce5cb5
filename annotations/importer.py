"""Taking coders' decisions into the store: all of a file or nothing, and never twice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.review import (NONE, Decision, allowed_values, is_multi, review_dimensions,
                                          text_hash)
from stancemap.corpus.store import Store, codes, documents, now, passages
from stancemap.errors import Errors, ReviewError


@dataclass
class ImportReport:
    path: str
    annotators: list[str]
    decisions: int
    codes: int
    statuses: dict[str, int]

    def to_json(self) -> dict:
        return {"path": self.path, "annotators": self.annotators, "decisions": self.decisions,
                "codes": self.codes, "statuses": self.statuses}


def _problems(decisions: list[Decision], store: Store, codebook: Codebook) -> list[str]:
    ids = sorted({d.passage_id for d in decisions})
    with store.engine.connect() as conn:
        texts = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            texts.update({row.passage_id: row.text for row in conn.execute(
                sa.select(passages.c.passage_id, passages.c.text)
                .select_from(passages.join(documents, documents.c.doc_id == passages.c.doc_id))
                .where(passages.c.passage_id.in_(chunk), documents.c.retired_at.is_(None)))})
    problems = []
    dimensions = review_dimensions(codebook)
    for decision in decisions:
        where = decision.where
        if decision.dimension not in dimensions:
            problems.append(f"{where}: unknown dimension {decision.dimension!r}")
            continue
        if decision.passage_id not in texts:
            problems.append(f"{where}: passage {decision.passage_id!r} is not in the project")
            continue
        if decision.text_sha and decision.text_sha != text_hash(texts[decision.passage_id]):
            problems.append(f"{where}: the text of passage {decision.passage_id} no longer matches "
                            f"the exported text (the document changed since the export)")
        if decision.dimension == "stance" and decision.target not in codebook.stance_targets:
            problems.append(f"{where}: unknown stance target {decision.target!r}")
        allowed = allowed_values(decision.dimension, codebook)
        unknown = [v for v in decision.values if v not in allowed]
        if unknown:
            problems.append(f"{where}: unknown {decision.dimension} label(s) {', '.join(map(repr, unknown))}"
                            f" (allowed: {', '.join(allowed)})")
        if len(decision.values) > 1 and (not is_multi(decision.dimension, codebook) or NONE in decision.values):
            problems.append(f"{where}: {len(decision.values)} values given where one is allowed")
    return problems


def import_decisions(project: Path, decisions: list[Decision], codebook: Codebook, *,
                     path: str, status_override: str | None = None,
                     db_url: str | None = None) -> ImportReport:
    """Check every decision, then store them all in one transaction (or none)."""
    decisions = [d for d in decisions if d.values]  # an empty cell is no decision
    store = Store(Path(project), url=db_url, create=False)
    try:
        problems = _problems(decisions, store, codebook)
        if problems:
            listed = "\n".join(f"  {p}" for p in problems[:100])
            more = f"\n  … and {len(problems) - 100} more" if len(problems) > 100 else ""
            raise ReviewError(Errors.E054.format(path=path, count=len(problems), problems=listed + more))
        stamp = now()
        rows, statuses = [], defaultdict(int)
        with store.engine.begin() as conn:
            for decision in decisions:
                source = f"human:{decision.annotator}"
                key = (codes.c.passage_id == decision.passage_id, codes.c.dimension == decision.dimension,
                       codes.c.target == decision.target)
                conn.execute(codes.delete().where(*key, codes.c.source == source))
                model = set(conn.execute(sa.select(codes.c.value).where(
                    *key, codes.c.status == "predicted")).scalars())
                doc_id = conn.execute(sa.select(passages.c.doc_id).where(
                    passages.c.passage_id == decision.passage_id)).scalar()
                chosen = set(decision.values) - {NONE}
                if status_override:  # adjudication: the final values, or "none"
                    plan = [(v, status_override) for v in sorted(chosen or {NONE})]
                elif not chosen and not model:  # "none" where the model found nothing
                    plan = [(NONE, "accepted")]
                else:
                    plan = [(v, "accepted" if v in model else "corrected") for v in sorted(chosen)]
                    plan += [(v, "rejected") for v in sorted(model - chosen)]
                for value, status in plan:
                    statuses[status] += 1
                    rows.append({"passage_id": decision.passage_id, "doc_id": doc_id,
                                 "dimension": decision.dimension, "target": decision.target,
                                 "value": value, "score": None, "source": source, "status": status,
                                 "details": {"file": Path(path).name, "note": decision.note,
                                             "model_values": sorted(model)},
                                 "run_id": None, "created_at": stamp, "updated_at": stamp})
            if rows:
                conn.execute(codes.insert(), rows)
        return ImportReport(path, sorted({d.annotator for d in decisions}), len(decisions), len(rows),
                            dict(statuses))
    finally:
        store.dispose()
