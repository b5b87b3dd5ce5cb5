"""Review items — one per passage × dimension (× stance target) — chosen for human coders,
and their decisions turned into human codes.

A coder's value for an item becomes codes with the coder as source: `accepted` where it equals
the model's, `corrected` where it differs, and `rejected` for each model value the coder
removed ("none" removes them all). Re-importing a decision replaces that coder's earlier one."""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from stancemap.annotations.codebook import Codebook
from stancemap.corpus.store import Store, codes, documents, passages
from stancemap.errors import Errors, ReviewError

DIMENSIONS = ("stance", "sentiment", "sector", "country")  # built-in, predicted by the model
MULTI = {"sector", "country"}
NONE = "none"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def review_dimensions(codebook: Codebook) -> list[str]:
    return list(DIMENSIONS) + list(codebook.dimensions)


def is_multi(dimension: str, codebook: Codebook) -> bool:
    own = codebook.dimensions.get(dimension)
    return own.multi if own else dimension in MULTI


def allowed_values(dimension: str, codebook: Codebook) -> list[str]:
    if dimension in codebook.dimensions:
        return list(codebook.dimensions[dimension].values) + [NONE]
    values = {"stance": ["favour", "against", "neutral"],
              "sentiment": ["positive", "negative", "neutral"],
              "sector": list(codebook.sectors), "country": list(codebook.countries)}[dimension]
    return values + [NONE]


@dataclass
class Item:
    passage_id: str
    doc_id: str
    dimension: str
    target: str
    text: str
    title: str | None
    model_values: list[str]
    model_score: float | None
    model_source: str | None
    start: int = 0  # the passage's offsets in its document's text
    end: int = 0
    coder_values: dict[str, str] = field(default_factory=dict)  # adjudication: coder -> value
    model_probabilities: dict[str, float] | None = None  # a trained model's class probabilities

    @property
    def item_id(self) -> str:
        return f"{self.passage_id}|{self.dimension}|{self.target}"

    @property
    def text_sha(self) -> str:
        return text_hash(self.text)

    @property
    def model_value(self) -> str:
        return ";".join(self.model_values)

    def uncertainty(self) -> float:
        """Lower = less sure. A trained model's margin between its two likeliest classes;
        otherwise polarity near 0 for stance and sentiment, a low score for the rest."""
        if self.model_probabilities:
            top = sorted(self.model_probabilities.values(), reverse=True) + [0.0]
            return top[0] - top[1]
        if self.model_score is None:
            return 0.0
        return abs(self.model_score) if self.dimension in ("stance", "sentiment") else self.model_score


def collect_items(store: Store, dims: list[str], codebook: Codebook) -> list[Item]:
    """Every reviewable item of the active documents: the model's predicted codes, and every
    passage for the codebook's own dimensions (which no model predicts)."""
    known = review_dimensions(codebook)
    for dimension in dims:
        if dimension not in known:
            raise ReviewError(Errors.E050.format(name=dimension, known=", ".join(known)))
    query = (sa.select(codes.c.passage_id, codes.c.dimension, codes.c.target, codes.c.value,
                       codes.c.score, codes.c.source, codes.c.details)
             .select_from(codes.join(documents, documents.c.doc_id == codes.c.doc_id))
             .where(documents.c.retired_at.is_(None), codes.c.status == "predicted",
                    codes.c.dimension.in_(dims)))
    predicted: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    with store.engine.connect() as conn:
        for row in conn.execute(query):  # coders decide the source's voice, not a quote's
            if (row.details or {}).get("voice") != "quoted":
                predicted[(row.passage_id, row.dimension)][row.target].append(row)
        text_query = (sa.select(passages.c.passage_id, passages.c.doc_id, passages.c.text,
                                passages.c.start, passages.c.end, documents.c.title)
                      .select_from(passages.join(documents, documents.c.doc_id == passages.c.doc_id))
                      .where(documents.c.retired_at.is_(None)).order_by(passages.c.passage_id))
        texts = {r.passage_id: r for r in conn.execute(text_query)}
    items = []
    for passage_id, row in texts.items():
        for dimension in dims:
            by_target = predicted.get((passage_id, dimension), {})
            targets = sorted(by_target) if dimension == "stance" else [""]
            for target in targets:
                found = by_target.get(target, [])
                if not found and dimension == "sentiment":
                    continue  # nothing to accept or correct
                items.append(Item(passage_id, row.doc_id, dimension, target, row.text, row.title,
                                  sorted({f.value for f in found}),
                                  min((f.score for f in found if f.score is not None), default=None),
                                  found[0].source if found else None, row.start, row.end,
                                  model_probabilities=next((f.details["probabilities"] for f in found
                                                            if (f.details or {}).get("probabilities")),
                                                           None)))
    return items


@dataclass(slots=True)
class Decision:
    """One coder's value for one item, as read from a review file."""

    where: str  # "row 12", "task 4", "line 3": for error messages
    passage_id: str
    dimension: str
    target: str
    values: list[str]
    text_sha: str | None = None
    note: str | None = None
    annotator: str | None = None


def parse_values(raw: str | list | None, dimension: str) -> list[str]:
    """A coder's cell ("KAZ; CHN", ["favour"], "None") as a list of canonical values; the
    codebook's own dimensions keep their values' case."""
    if raw is None:
        return []
    parts = raw if isinstance(raw, list) else str(raw).split(";")
    values = [str(p).strip() for p in parts if str(p).strip()]
    if dimension not in DIMENSIONS:
        return [NONE if v.lower() == NONE else v for v in values]
    return [NONE if v.lower() == NONE else v.upper() if dimension == "country" else v.lower()
            for v in values]


MAX_PROBLEMS = 1000  # a file this wrong is not read further: the first ones say what to fix


@dataclass
class Reading:
    """What a review file holds: decisions, the problems that stop its import, and items
    left out on purpose (not reviewed, no label), each with where it is in the file."""

    decisions: list[Decision] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    kind: str = "a review file"  # for messages: "a Label Studio JSON export", ...
    adjudication_items: int = 0  # decisions on items carrying other coders' labels (`other_coders`)

    @property
    def is_adjudication(self) -> bool:
        """Written by `review adjudicate`: every decided item shows the coders' labels."""
        return bool(self.decisions) and self.adjudication_items == len(self.decisions)

    @property
    def full(self) -> bool:
        return len(self.problems) >= MAX_PROBLEMS

    def skip(self, reason: str, where: str) -> None:
        self.skipped.setdefault(reason, []).append(where)

    def decide(self, where: str, record, values, annotator: str | None,
               note: str | None = None) -> None:
        """A decision from a record holding item_id and text_sha, or a problem saying why not."""
        if not isinstance(record, dict):
            self.problems.append(f"{where}: a {type(record).__name__} where an object belongs")
            return
        item_id = record.get("item_id")
        if not isinstance(item_id, str) or len(item_id.split("|")) != 3:
            self.problems.append(
                f"{where}: no stancemap item_id" + (f" ({type(item_id).__name__} {str(item_id)[:40]!r})"
                                                    if item_id not in (None, "") else "")
                + " (this file was not made by `stancemap review export`)")
            return
        if values is not None and not isinstance(values, (str, list)) or (
                isinstance(values, list) and not all(isinstance(v, (str, int, float)) for v in values)):
            self.problems.append(f"{where}: the label is a {type(values).__name__}, not text or a "
                                 f"list of labels")
            return
        sha = record.get("text_sha")
        others = record.get("other_coders")
        self.adjudication_items += isinstance(others, str) and bool(others.strip())
        passage_id, dimension, target = item_id.split("|")
        dimension, target = sys.intern(dimension), sys.intern(target)  # a million rows share them
        self.decisions.append(Decision(where, passage_id, dimension, target,
                                       [sys.intern(v) for v in parse_values(values, dimension)],
                                       sha if isinstance(sha, str) and sha else None,
                                       note if isinstance(note, str) and note else None, annotator))

    def check_repeats(self) -> None:
        """The same item twice from one coder is refused, with every place it appears."""
        first: dict[tuple, int] = {}
        repeats: dict[tuple, list[int]] = {}
        for index, decision in enumerate(self.decisions):
            if decision.values:
                key = (decision.passage_id, decision.dimension, decision.target, decision.annotator)
                seen = first.setdefault(key, index)
                if seen != index:
                    repeats.setdefault(key, [seen]).append(index)
        for (passage_id, dimension, target, annotator), indices in repeats.items():
            wheres = [self.decisions[i].where for i in indices[:5]]
            shown = ", ".join(wheres) + (f" … ({len(indices)} in all)" if len(indices) > 5 else "")
            self.problems.append(f"item {passage_id}|{dimension}|{target} appears {len(indices)} times"
                                 f" for coder {annotator}: {shown}; keep one")
