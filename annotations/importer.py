"""Taking coders' decisions into the store: all of a file or nothing, and never twice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.review import (MAX_PROBLEMS, NONE, Decision, allowed_values, is_multi, review_dimensions,
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
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> where in the file
    kept: int = 0  # decisions that kept the model's value(s)
    changed: int = 0  # decisions that chose other values (to_none of them: "none" only)
    to_none: int = 0
    validation_decisions: int = 0  # decisions on passages of a validation sample

    def to_json(self) -> dict:
        return {"path": self.path, "annotators": self.annotators, "decisions": self.decisions,
                "validation_decisions": self.validation_decisions,
                "kept": self.kept, "changed": self.changed, "changed_to_none": self.to_none,
                "codes": self.codes, "statuses": self.statuses,
                "skipped": {reason: {"count": len(where), "where": where[:100]}
                            for reason, where in self.skipped.items()}}

    def summary(self) -> str:
        """One line that adds up: decisions kept + changed; codes accepted + corrected + rejected."""
        who = ", ".join(self.annotators) or "-"
        parts = [f"{self.statuses.get(s, 0)} {s} ({why})" for s, why in (
            ("accepted", "the model's value kept"), ("corrected", "a value the model did not give"),
            ("rejected", "a model value replaced or removed"), ("adjudicated", "final values"))
            if self.statuses.get(s)]
        none = f", {self.to_none} of them to 'none'" if self.to_none else ""
        return (f"{self.decisions} decisions by {who}: {self.kept} kept the model's value, "
                f"{self.changed} changed it{none} → {self.codes} human codes: "
                f"{', '.join(parts) or 'none'}")


def refuse(path: str, problems: list[str], hint: str = "") -> ReviewError:
    """The error listing what stops an import (the first 100 problems), and a hint if any."""
    listed = "\n".join(f"  {p}" for p in problems[:100])
    more = f"\n  … and {len(problems) - 100} more" if len(problems) > 100 else ""
    more += f"\n{hint}" if hint else ""
    return ReviewError(Errors.E054.format(path=path, count=len(problems), problems=listed + more))


_NOT_IN_CODEBOOK = " (not in the codebook in use)"


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
    problems: list[str] = []
    dimensions = review_dimensions(codebook)
    for decision in decisions:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(f"{decision.where} and after: not checked (too many problems)")
            break
        where = decision.where
        if decision.dimension not in dimensions:
            problems.append(f"{where}: unknown dimension {decision.dimension!r}{_NOT_IN_CODEBOOK}")
            continue
        if decision.passage_id not in texts:
            problems.append(f"{where}: passage {decision.passage_id!r} is not in the project")
            continue
        if decision.text_sha and decision.text_sha != text_hash(texts[decision.passage_id]):
            problems.append(f"{where}: the text of passage {decision.passage_id} no longer matches "
                            f"the exported text (the document changed since the export)")
        if decision.dimension == "stance" and decision.target not in codebook.stance_targets:
            problems.append(f"{where}: unknown stance target {decision.target!r}{_NOT_IN_CODEBOOK}")
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
                     db_url: str | None = None,
                     skipped: dict[str, list[str]] | None = None) -> ImportReport:
    """Check every decision, then store them all in one transaction (or none)."""
    decisions = [d for d in decisions if d.values]  # an empty cell is no decision
    store = Store(Path(project), url=db_url, create=False)
    try:
        problems = _problems(decisions, store, codebook)
        if problems:
            hint = ""
            if any(_NOT_IN_CODEBOOK in p for p in problems):  # most likely the wrong codebook
                hint = Errors.E164.format(codebook=f"{codebook.name} {codebook.version}",
                                          targets=", ".join(codebook.stance_targets) or "none")
            raise refuse(path, problems, hint)
        stamp = now()
        rows, statuses, outcomes = [], defaultdict(int), defaultdict(int)
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
                outcomes["kept" if chosen == model else "to_none" if not chosen else "changed"] += 1
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
        gold = store.validation_passages()
        return ImportReport(path, sorted({d.annotator for d in decisions}), len(decisions), len(rows),
                            dict(statuses), skipped or {}, kept=outcomes["kept"],
                            changed=outcomes["changed"] + outcomes["to_none"],
                            to_none=outcomes["to_none"],
                            validation_decisions=sum(d.passage_id in gold for d in decisions))
    finally:
        store.dispose()
