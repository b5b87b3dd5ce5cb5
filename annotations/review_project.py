"""The review loop on a project: export items, import decisions, find disagreements."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from stancemap.annotations.agreement import labels_by_coder
from stancemap.annotations.codebook import Codebook
from stancemap.annotations.importer import ImportReport, import_decisions, refuse
from stancemap.annotations.review import Item, collect_items, review_dimensions
from stancemap.annotations.sampling import ACTIVE, sample_items
from stancemap.annotations.review_files import FORMATS, read_review, write_review
from stancemap.corpus.privacy import Pseudonymiser, pseudonymiser_for
from stancemap.corpus.store import Store
from stancemap.errors import Errors, ReviewError, UsageError


SUFFIXES = {"csv": ".csv", "xlsx": ".xlsx", "labelstudio": ".json", "doccano": ".jsonl",
            "qdpx": ".qdpx"}
WRITES = {"csv": "CSV", "xlsx": "Excel", "labelstudio": "Label Studio JSON",
          "doccano": "doccano JSONL", "qdpx": "REFI-QDA (ZIP)"}


def _format(path: Path, fmt: str | None) -> str:
    guess = {suffix: name for name, suffix in SUFFIXES.items()}
    chosen = (fmt or guess.get(path.suffix.lower(), "")).lower()
    if chosen not in FORMATS:
        raise ReviewError(Errors.E040.format(fmt=chosen or "(none)", path=path,
                                             formats=", ".join(FORMATS)))
    expected = SUFFIXES.get(chosen)
    if expected and path.suffix and path.suffix.lower() != expected:  # a ZIP named .csv
        raise ReviewError(Errors.E169.format(fmt=chosen, what=WRITES[chosen], path=path,
                                             suffix=path.suffix,
                                             suggestion=path.with_suffix(expected).name))
    return chosen


def _nothing_to_review(store: Store, dims: list[str], codebook: Codebook) -> str:
    """The real reason no item came out: coding never ran, or it found nothing to code."""
    coded = store.coded_passages()
    if not coded:
        return Errors.E166.format(project=store.project)
    if dims == ["stance"]:
        return Errors.E165.format(passages=coded, codebook=f"{codebook.name} {codebook.version}",
                                  targets=", ".join(codebook.stance_targets) or "none")
    return Errors.E167.format(dims=", ".join(dims), passages=coded)


@dataclass
class SharedItem(Item):
    """An item whose text was pseudonymised for coders: it keeps the original text's hash, so
    the import still checks the passage against the project."""

    original_sha: str = ""

    @property
    def text_sha(self) -> str:
        return self.original_sha


def _pseudonymised(items: list[Item], pseudonymiser: Pseudonymiser) -> list[Item]:
    return [SharedItem(**{f.name: getattr(item, f.name) for f in dataclasses.fields(Item)}
                       | {"text": pseudonymiser.text(item.text), "title": pseudonymiser.text(item.title)},
                       original_sha=item.text_sha) for item in items]


def export_review(project: Path, out: Path, codebook: Codebook, *, fmt: str | None = None,
                  dims: list[str] | None = None, sample: int | None = None,
                  strategy: str = "random", seed: int = 0, db_url: str | None = None,
                  pseudonymise: bool = False, privacy_fields: tuple[str, ...] = (),
                  key_out: Path | None = None, choose=None) -> tuple[list[Path], int]:
    """`pseudonymise`: passage texts and titles go out with pseudonyms (corpus/privacy.py).
    `choose(store, passage_ids) -> passage_ids` picks the passages instead of `strategy` (a
    validation sample: datasets/validation.py)."""
    dims = dims or ["stance", "sentiment", "sector"]
    fmt = _format(out, fmt)
    if pseudonymise and fmt == "qdpx":
        raise ReviewError(Errors.E301)
    if key_out and not pseudonymise:  # a key with nothing pseudonymised would be an empty promise
        raise UsageError(Errors.E410.format(key=key_out))
    store = Store(Path(project), url=db_url, create=False)
    try:
        items = collect_items(store, dims, codebook)
        if not items:
            raise ReviewError(_nothing_to_review(store, dims, codebook))
        if choose is not None:
            if strategy != "random":
                raise ReviewError(Errors.E342.format(strategy=strategy))
            picked = choose(store, {i.passage_id for i in items})
            items = [i for i in items if i.passage_id in picked]
            if not items:
                raise ReviewError(Errors.E346.format(dims=", ".join(dims)))
            strategy, sample = "random", None
        elif strategy in ACTIVE:  # the next batch: passages no coder has coded yet
            done = store.reviewed_passages(dims)
            items = [i for i in items if i.passage_id not in done]
            if not items:
                raise ReviewError(Errors.E057.format(dims=", ".join(dims), strategy=strategy))
        context = (collect_items(store, ["country", "sector"], codebook)
                   if strategy in ("stratified", "diverse") else None)
        chosen = sample_items(items, sample, strategy, seed, context)
        documents = store.document_texts({i.doc_id for i in chosen}) if fmt == "qdpx" else None
        key = None
        if pseudonymise:
            pseudonymiser = pseudonymiser_for(store, privacy_fields)
            chosen = _pseudonymised(chosen, pseudonymiser)
            pseudonymiser.save()
            key = pseudonymiser.write_key(Path(key_out)) if key_out else None
    finally:
        store.dispose()
    return write_review(chosen, out, fmt, codebook, documents) + ([key] if key else []), len(chosen)


def import_review(project: Path, path: Path, codebook: Codebook, *, annotator: str | None = None,
                  adjudicator: str | None = None, db_url: str | None = None,
                  force: bool = False) -> ImportReport:
    """--annotator names the coder only where the file does not (CSV, XLSX, one doccano file,
    Label Studio user ids); --adjudicator stands for every decision in the file, which must be
    one `review adjudicate` wrote (or `force`: it turns every decision into a final code)."""
    for flag, name in (("--annotator", annotator), ("--adjudicator", adjudicator)):
        if name is not None and not name.strip():
            raise UsageError(Errors.E402.format(flag=flag))
    if annotator and adjudicator:
        raise UsageError(Errors.E403.format(annotator=annotator, adjudicator=adjudicator))
    store = Store(Path(project), url=db_url, create=False)
    try:
        reading = read_review(Path(path), adjudicator or annotator, codebook, locator(store))
    finally:
        store.dispose()
    if adjudicator:
        for decision in reading.decisions:
            decision.annotator = adjudicator
    if reading.problems:
        raise refuse(str(path), reading.problems)
    if adjudicator and not force and not reading.is_adjudication:
        raise UsageError(Errors.E404.format(path=path, count=len(reading.decisions),
                                            adjudicator=adjudicator))
    return import_decisions(project, reading.decisions, codebook, path=str(path),
                            status_override="adjudicated" if adjudicator else None, db_url=db_url,
                            skipped=reading.skipped)


def locator(store: Store):
    """Where a QDA program's own selection falls: the passage of the document named by the
    source's doc-id prefix that holds the selection's start (see qdpx.read_qdpx)."""
    import sqlalchemy as sa

    from stancemap.annotations.qdpx import Located
    from stancemap.annotations.review import text_hash
    from stancemap.corpus.store import documents

    found: dict[str, tuple | None] = {}

    def locate(doc_key: str, text: str | None, start: int, end: int):
        if len(doc_key) < 8 or not doc_key.isalnum():
            return "its name carries no stancemap document id (\"TITLE [ID]\")"
        if doc_key not in found:
            with store.engine.connect() as conn:
                rows = conn.execute(sa.select(documents.c.doc_id, documents.c.text).where(
                    documents.c.doc_id.like(f"{doc_key}%"), documents.c.retired_at.is_(None))).all()
            found[doc_key] = (rows[0], store.passages_of(rows[0].doc_id)) if len(rows) == 1 else None
        if found[doc_key] is None:
            return f"no document {doc_key}… in the project"
        document, parts = found[doc_key]
        if text is not None and text != document.text:
            return "the document's text changed since the export"
        inside = [p for p in parts if p["start"] <= start < p["end"]]
        if not inside:
            return f"characters {start}–{end} are in no passage"
        return Located(inside[0]["passage_id"], text_hash(inside[0]["text"]))

    return locate


def disagreements(project: Path, codebook: Codebook, dims: list[str] | None = None,
                  db_url: str | None = None) -> list[Item]:
    """Items that two or more coders labelled differently, with each coder's label."""
    dims = dims or review_dimensions(codebook)
    store = Store(Path(project), url=db_url, create=False)
    try:
        coders, _ = labels_by_coder(store)
        items = {i.item_id: i for i in collect_items(store, dims, codebook)}
    finally:
        store.dispose()
    found = []
    for dimension in dims:
        by_item: dict[str, dict[str, str]] = {}
        for coder, labels in coders.get(dimension, {}).items():
            for key, label in labels.items():
                by_item.setdefault(key, {})[coder] = label
        for key, labels in sorted(by_item.items()):
            if len(labels) >= 2 and len(set(labels.values())) > 1:
                passage_id, target = key.split("|")
                item = items.get(f"{passage_id}|{dimension}|{target}")
                if item is not None:
                    item.coder_values = labels
                    found.append(item)
    return found


def export_adjudication(project: Path, out: Path, codebook: Codebook, *, fmt: str | None = None,
                        dims: list[str] | None = None, db_url: str | None = None
                        ) -> tuple[list[Path], int]:
    items = disagreements(project, codebook, dims, db_url)
    fmt = _format(out, fmt)
    documents = None
    if fmt == "qdpx":
        store = Store(Path(project), url=db_url, create=False)
        try:
            documents = store.document_texts({i.doc_id for i in items})
        finally:
            store.dispose()
    return write_review(items, out, fmt, codebook, documents), len(items)
