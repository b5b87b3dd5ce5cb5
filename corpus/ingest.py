"""Ingestion: a folder of files becomes Documents and Passages in the project store.

Files are handled one at a time (memory stays flat on big folders); every file discovered
ends with exactly one status in the run log, and one bad file never stops the batch."""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import stat
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from stancemap.config import CONFIG_NAME, Config
from stancemap.corpus.atomic import write_text
from stancemap.corpus.byline import BYLINE_LINE, byline_line
from stancemap.corpus.dedup import MinHasher, NearDuplicateIndex
from stancemap.corpus.document import KINDS, Document, Passage, RawDocument, text_id
from stancemap.corpus.language import LanguageIdentifier, scripts
from stancemap.corpus.limits import TimeLimitExceeded, time_limit
from stancemap.corpus.countries import world
from stancemap.corpus.metadata import (Excluder, Manifest, PathPattern, read_ignore_file,
                                       suggest_pattern)
from stancemap.corpus.readers import READER_LIBRARIES, READERS
from stancemap.corpus.readers.ocr import low_confidence_pages
from stancemap.corpus.segment import Span, paragraphs_in, segment
from stancemap.corpus.sniff import sniff
from stancemap.corpus.store import Store
from stancemap.corpus.versions import package_version, versions
from stancemap.errors import Errors, FileProblem, UsageError

STATUSES = ("ingested", "duplicate", "near_duplicate", "unsupported", "skipped", "failed")
OK_STATUSES = {"ingested", "duplicate", "near_duplicate"}
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
SOURCE_COUNTRY_FIELDS = ("source_country", "country")  # metadata naming who speaks, first wins
_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# a manifest's `role` for a speaker, as researchers write it
_ROLES = {**{w: "question" for w in ("question", "interviewer", "moderator", "facilitator")},
          **{w: "respondent" for w in ("respondent", "interviewee", "participant", "answer")}}


# document fields that come from the manifest or path pattern as well as the file; when they
# change for an unchanged text, the stored document is updated and marked for re-coding
DESCRIBED = ("kind", "lang", "title", "date", "meta")


@dataclass
class FileResult:
    path: str
    status: str
    reason: str | None = None
    doc_ids: list[str] = field(default_factory=list)
    unchanged: bool = False
    passages: int = 0
    sha256: str | None = None
    duplicates: list[dict] = field(default_factory=list)  # records that repeat a stored text
    carried: int = 0  # human codes that followed unchanged passages to the new version
    need_review: int = 0  # human codes left on the old version: their passage changed

    @property
    def doc_id(self) -> str | None:
        return self.doc_ids[0] if self.doc_ids else None


@dataclass
class IngestReport:
    run_id: str
    project: str
    files: list[FileResult]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    excluded: list[dict] = field(default_factory=list)  # {"path", "rule"}: not inputs
    unmatched_pattern: list[str] = field(default_factory=list)  # files the --pattern missed
    # {"value", "files"}: source countries that name no country, kept as written
    unresolved_countries: list[dict] = field(default_factory=list)
    suggested_pattern: str | None = None  # file names that read as ISO3_..._YEAR, no --pattern

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(f.status for f in self.files)
        counts = {status: found.get(status, 0) for status in STATUSES}
        counts["unchanged"] = sum(f.unchanged for f in self.files)
        counts["files"] = len(self.files)
        counts["passages"] = sum(f.passages for f in self.files)
        counts["excluded"] = len(self.excluded)
        return counts

    @property
    def exit_code(self) -> int:
        return 0 if all(f.status in OK_STATUSES for f in self.files) else 3

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "project": self.project,
            "files": [{"path": f.path, "status": f.status, "reason": f.reason,
                       "doc_id": f.doc_id, "doc_ids": f.doc_ids, "unchanged": f.unchanged,
                       "duplicate_records": f.duplicates,
                       **({"human_codes_carried": f.carried, "human_codes_need_review": f.need_review}
                          if f.carried or f.need_review else {})}
                      for f in self.files],
            "counts": self.counts,
            "warnings": self.warnings,
            "excluded": self.excluded,
            "unmatched_pattern": self.unmatched_pattern,
            "unresolved_countries": self.unresolved_countries,
            "suggested_pattern": self.suggested_pattern,
            "seconds": round(self.seconds, 3),
        }


def printable(name: str) -> str:
    """A file name as it can be stored and shown: bytes that are not UTF-8 (kept by Python as
    surrogates) become \\xNN escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _special(mode: int) -> str:
    return next((what for test, what in _SPECIAL if test(mode)), "not a regular file")


def discover(folder: Path, exclude: set[Path], excluder: Excluder | None = None,
             excluded: list[dict] | None = None) -> Iterator[tuple[Path, FileProblem | None]]:
    """Every entry below `folder` that needs a status, sorted: files to read (problem None) and
    what cannot be read (named pipes, devices, broken links, links leading out of `folder`)
    with the reason. Symbolic links are followed only to targets inside `folder`, each target
    once: real files and folders first, then what links lead to. What `excluder`'s globs name
    (hidden entries, README, LICENSE by default) is appended to `excluded` ({"path", "rule"};
    a folder once, with a trailing '/')."""
    excluder = excluder or Excluder([])
    excluded = excluded if excluded is not None else []
    root = folder.resolve()
    seen: set[Path] = set()  # real paths of files and folders already read
    linked_dirs: list[Path] = []
    linked_files: list[Path] = []

    def inside(real: Path) -> bool:
        return real == root or root in real.parents

    def walk(directory: Path) -> Iterator[tuple[Path, FileProblem | None]]:
        seen.add(directory.resolve())
        try:
            entries = sorted(os.scandir(directory), key=lambda e: os.fsencode(e.name))
        except OSError as err:
            yield directory, FileProblem("failed", Errors.R_UNREADABLE.format(reason=err.strerror))
            return
        subdirs = []
        for entry in entries:
            path = Path(entry.path)
            if path.resolve() in exclude:
                continue
            relative = printable(path.relative_to(folder).as_posix())
            rule = excluder.matches(relative, is_dir=entry.is_dir(follow_symlinks=False))
            if rule:
                excluded.append({"path": relative + ("/" if entry.is_dir(follow_symlinks=False)
                                                     else ""), "rule": rule})
                continue
            try:
                if entry.is_symlink():
                    target = Path(os.path.realpath(path))
                    if not target.exists():
                        yield path, FileProblem("skipped", Errors.R_LINK_BROKEN.format(
                            target=printable(os.readlink(path))))
                    elif not inside(target):
                        yield path, FileProblem("skipped", Errors.R_LINK_OUTSIDE.format(
                            target=printable(str(target))))
                    elif target.is_dir():
                        linked_dirs.append(path)
                    else:
                        linked_files.append(path)
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.append(path)
                elif entry.is_file(follow_symlinks=False):
                    real = path.resolve()
                    if real in seen:  # the same file again through a linked folder
                        yield path, FileProblem("skipped", Errors.R_LINK_SEEN.format(
                            target=printable(str(real))))
                        continue
                    seen.add(real)
                    yield path, None
                else:
                    yield path, FileProblem("skipped", Errors.R_NOT_REGULAR.format(
                        what=_special(entry.stat(follow_symlinks=False).st_mode)))
            except OSError as err:
                yield path, FileProblem("failed", Errors.R_UNREADABLE.format(reason=err.strerror))
        for subdir in subdirs:
            yield from walk(subdir)

    yield from walk(folder)
    while linked_dirs:
        path = linked_dirs.pop(0)
        target = path.resolve()
        if target in seen:  # read already, or a loop back to a folder above
            yield path, FileProblem("skipped", Errors.R_LINK_SEEN.format(target=printable(str(target))))
        else:
            yield from walk(path)
    for path in linked_files:
        target = path.resolve()
        if target in seen:
            yield path, FileProblem("skipped", Errors.R_LINK_SEEN.format(target=printable(str(target))))
        elif not target.is_file():
            yield path, FileProblem("skipped", Errors.R_NOT_REGULAR.format(
                what=_special(target.stat().st_mode)))
        else:
            seen.add(target)
            yield path, None


def page_count(path: Path) -> int | None:
    """A PDF's number of pages from its page tree (milliseconds, even for long files)."""
    try:
        import pypdfium2
    except ImportError:
        return None
    try:
        document = pypdfium2.PdfDocument(str(path), password="")
    except Exception:  # noqa: BLE001 - the reader reports a broken file with its own reason
        return None
    try:
        return len(document)
    finally:
        document.close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def reader_options(config: Config, text_columns: list[str] | None = None) -> dict:
    """What readers are told of the configuration."""
    ingest = config.ingest
    return {"text_columns": text_columns or ingest.text_columns,
            "garbage_share": ingest.pdf_garbage_share, "ocr": ingest.ocr,
            "ocr_languages": ingest.ocr_languages, "languages": ingest.languages,
            "ocr_min_confidence": ingest.ocr_min_confidence, "max_rows": ingest.max_rows}


def _page_of(pages: list[int], offset: int) -> int | None:
    return bisect.bisect_right(pages, offset) if pages else None


class DocumentBuilder:
    """Reader output → Documents with passages and languages. Holds no store, so it runs in
    a Dask worker as well as in the ingesting process."""

    def __init__(self, config: Config):
        self.config = config
        self.languages = LanguageIdentifier(config.ingest.languages,
                                            preferred=config.ingest.preferred_languages)

    def build(self, raw: RawDocument, path: Path, sha: str, reader: str,
              file_meta: dict[str, str], speakers: dict[str, dict[str, str]] | None = None
              ) -> Document:
        """`speakers`: the manifest's rows for this file's speaker labels."""
        meta = {**raw.meta, **file_meta}
        doc_id = text_id(raw.text)
        speakers = speakers or {}
        limit = self.config.ingest.max_passage_chars
        owners: list = []  # the reader's segment (a table row's answer) each passage comes from
        if raw.segments:  # a record longer than a passage is cut into paragraphs, as documents are
            spans = []
            for owner in raw.segments:
                pieces = ([Span(owner.start, owner.end)] if owner.end - owner.start <= limit
                          else paragraphs_in(raw.text, owner.start, owner.end, limit))
                spans += [Span(p.start, p.end, owner.speaker, owner.role) for p in pieces]
                owners += [owner] * len(pieces)
            transcript = False
        else:
            spans, transcript = segment(raw.text, limit)
        kind = meta.pop("kind", None) or raw.kind or ("interview" if transcript else "other")
        if kind not in KINDS:
            meta["kind_given"] = kind
            kind = "other"
        year = meta.get("year")
        date = meta.pop("date", None) or (year if year and _YEAR.match(str(year)) else None) \
            or raw.date
        if not date:  # last resort: a year in the file name (speeches_2016.txt, KAZ_71_2016.txt)
            found = _NAME_YEAR.findall(path.stem)
            date = found[-1] if len(set(found)) == 1 else None
        title = meta.pop("title", None) or raw.title or None
        forced_lang = meta.pop("lang", None)
        passages, by_lang, by_script = [], Counter(), Counter()
        lines: dict[int, str | None] = {}  # a segment's "The writer is …" line
        if not raw.segments and (line := byline_line(raw.text)):
            meta.setdefault(BYLINE_LINE, line)
        texts = [raw.text[span.start:span.end] for span in spans]
        langs, _ = self.languages.passages(texts, forced_lang)
        for seq, (span, text, lang) in enumerate(zip(spans, texts, langs)):
            segment_meta = owners[seq] if owners else None
            by_lang[lang] += len(text)
            by_script.update(scripts(text))
            passage_meta = {**(segment_meta.meta if segment_meta else {}),
                            **speakers.get(span.speaker or "", {})}
            if segment_meta is not None and id(segment_meta) not in lines:  # a table row's own
                lines[id(segment_meta)] = byline_line(raw.text[segment_meta.start:segment_meta.end])
            if segment_meta is not None and lines[id(segment_meta)]:
                passage_meta.setdefault(BYLINE_LINE, lines[id(segment_meta)])
            given = _ROLES.get(str(passage_meta.get("role", "")).strip().casefold())
            if given:  # a speaker's role from the manifest; any other `role` value is metadata
                passage_meta.pop("role")
            role = given or span.role
            passages.append(Passage(
                passage_id=f"{doc_id[:16]}-{seq:05d}", doc_id=doc_id, seq=seq,
                start=span.start, end=span.end, text=text, speaker=span.speaker,
                question=segment_meta.question if segment_meta else None, lang=lang,
                page=_page_of(raw.pages, span.start), meta=passage_meta, role=role))
        known = {k: v for k, v in by_lang.items() if k}
        lang = forced_lang or (max(sorted(known), key=known.get) if known else None)
        library = raw.library or READER_LIBRARIES.get(reader)
        extraction = {
            "reader": reader, "library": library,
            "library_version": "+".join(package_version(name) or "?" for name in library.split("+"))
            if library else None,
            "encoding": raw.encoding, "warnings": raw.warnings,
            "source_part": raw.source_part, "transcript": transcript,
            "languages": dict(sorted(known.items())),
            "scripts": dict(sorted(by_script.items())),  # letters per ISO 15924 script
        }
        if raw.page_info:
            extraction["pages"] = raw.page_info

        return Document(doc_id=doc_id, source_path=printable(str(path.resolve())), source_sha256=sha,
                        kind=kind, lang=lang, title=title, date=date, text=raw.text,
                        pages=raw.pages, meta=meta, extraction=extraction, passages=passages)



@dataclass
class ReadOutcome:
    """What reading one file gave: its documents, or why there are none."""

    documents: list[Document] = field(default_factory=list)
    status: str | None = None
    reason: str | None = None


_BUILDERS: dict[str, DocumentBuilder] = {}  # one per configuration per process (the language model loads once)


def read_documents(path: Path, sha: str, file_meta: dict[str, str], config: Config,
                   options: dict, speakers: dict[str, dict[str, str]] | None = None) -> ReadOutcome:
    """Read, segment and detect languages of one file: the part of ingestion that needs no
    store (a Dask task with --engine dask). Never raises for a bad file."""
    key = config.model_dump_json()
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = DocumentBuilder(config)
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
        timeout, pages = config.ingest.timeout_s, None
        started = time.monotonic()
        try:
            with time_limit(max(timeout, 30.0)):
                reader = sniff(path, head)
                pages = page_count(path) if reader == "pdf" else None
            # a long document gets time in proportion to its length, so a 600-page report
            # is read, not skipped whole, while a file that hangs is still stopped
            timeout += config.ingest.timeout_per_page_s * (pages or 0)
            # the limit holds for segmenting and language detection too (a million-row survey
            # spends its time there); table readers also look at the deadline as rows stream
            options = {**options, "deadline": started + timeout}
            with time_limit(max(timeout - (time.monotonic() - started), 0.001)):
                raws = READERS[reader](path, options)
                documents = [builder.build(raw, path, sha, reader, file_meta, speakers)
                             for raw in raws]
        except TimeLimitExceeded:
            raise FileProblem("skipped", Errors.R_TIMEOUT_PAGES.format(seconds=timeout, pages=pages)
                              if pages else Errors.R_TIMEOUT.format(seconds=timeout))
        return ReadOutcome(documents)
    except FileProblem as problem:
        return ReadOutcome(status=problem.status, reason=problem.reason)
    except Exception as err:  # noqa: BLE001 - one unforeseen file must not stop the batch
        # a reader tripped over a file nobody anticipated: record it, keep going
        return ReadOutcome(status="failed",
                           reason=Errors.R_READ.format(reason=f"{type(err).__name__}: {err}"[:500]))


@dataclass
class Pending:
    """A file that passed the checks and needs reading."""

    path: Path
    shown: str
    key: str
    sha: str
    size: int
    file_meta: dict[str, str]
    speakers: dict[str, dict[str, str]] = field(default_factory=dict)


class Ingestor:
    """Turns one file at a time into stored documents; holds the near-duplicate index."""

    def __init__(self, store: Store, config: Config, run_id: str, folder: Path,
                 manifest: Manifest | None = None, pattern: PathPattern | None = None,
                 text_columns: list[str] | None = None,
                 resolve_country: Callable[[str], str | None] | None = None):
        self.store = store
        self.config = config
        self.run_id = run_id
        self.folder = folder
        self.manifest = manifest
        self.pattern = pattern
        self.options = reader_options(config, text_columns)
        self.hasher = MinHasher(seed=config.seed + 1)
        self.index = NearDuplicateIndex(config.ingest.near_duplicate_threshold)
        self.clusters: dict[str, str | None] = {}
        self.paths: dict[str, str] = {}
        self.by_path: dict[str, set[str]] = {}
        self.unmatched_pattern: list[str] = []
        self.low_confidence: list[str] = []  # "file (pages 2, 5)" of OCR'd pages to check by eye
        self.resolve_country = resolve_country or world().resolve
        self.unresolved_countries: dict[str, set[str]] = {}  # value -> files
        for doc_id, source_path, cluster_id, blob in store.active_signatures():
            self._remember(doc_id, source_path, cluster_id, np.frombuffer(blob, dtype=np.uint64))

    def _remember(self, doc_id: str, path: str, cluster_id: str | None,
                  signature: np.ndarray) -> None:
        self.index.add(doc_id, signature)
        self.clusters[doc_id] = cluster_id
        self.paths[doc_id] = path
        self.by_path.setdefault(path, set()).add(doc_id)

    # metadata -----------------------------------------------------------------------------
    def file_metadata(self, path: Path) -> dict[str, str]:
        """The document's metadata: the manifest row over the path pattern's fields."""
        meta: dict[str, str] = {}
        if self.pattern:
            relative = path.relative_to(self.folder).as_posix()
            found = self.pattern.match(relative)
            if found is None:
                self.unmatched_pattern.append(relative)
            else:
                meta.update(found)
        if self.manifest:
            meta.update(self.manifest.lookup(path))
        return meta

    # one file -----------------------------------------------------------------------------
    def refuse(self, path: Path, problem: FileProblem) -> FileResult:
        """An entry that is not read (a pipe, a device, a broken or outside link)."""
        shown = printable(path.relative_to(self.folder).as_posix())
        return self._record_problem(shown, printable(str(path.absolute())), None, 0,
                                    problem.status, problem.reason)

    def process(self, path: Path) -> FileResult:
        """Check, read and store one file in this process."""
        pending = self.prepare(path)
        if isinstance(pending, FileResult):
            return pending
        return self.finish(pending, read_documents(pending.path, pending.sha, pending.file_meta,
                                                   self.config, self.options, pending.speakers))

    def prepare(self, path: Path) -> FileResult | Pending:
        """The checks before reading: size, hash, unchanged since the last ingest. A FileResult
        when the file is settled here (and recorded), a Pending when it needs reading."""
        shown = printable(path.relative_to(self.folder).as_posix())
        key = printable(str(path.resolve()))
        file_meta = {k: printable(str(v)) for k, v in self.file_metadata(path).items()}
        sha, size = None, 0
        try:
            size = path.stat().st_size
            limit = self.config.ingest.max_file_mb
            if size == 0:
                raise FileProblem("skipped", Errors.R_EMPTY)
            if size > limit * 1024 * 1024:
                raise FileProblem("skipped", Errors.R_TOO_BIG.format(size_mb=size / 2**20,
                                                                     limit_mb=limit))
            sha = file_sha256(path)
            record = self.store.file_record(key)
            if record and record["sha256"] == sha and record["status"] in OK_STATUSES | {"unsupported"} \
                    and not self.store.metadata_differs(record["doc_ids"], file_meta):
                self.store.record_file(self.run_id, key, sha, size, record["status"],
                                       Errors.R_UNCHANGED, [], record["doc_ids"], {},
                                       keep_record=False)
                return FileResult(shown, record["status"], Errors.R_UNCHANGED,
                                  list(record["doc_ids"]), unchanged=True, sha256=sha)
        except FileProblem as problem:
            return self._record_problem(shown, key, sha, size, problem.status, problem.reason)
        except OSError as err:
            reason = Errors.R_READ.format(reason=f"{type(err).__name__}: {err}"[:500])
            return self._record_problem(shown, key, sha, size, "failed", reason)
        speakers = self.manifest.speakers_of(path) if self.manifest else {}
        return Pending(path, shown, key, sha, size, file_meta, speakers)

    def finish(self, pending: Pending, outcome: ReadOutcome) -> FileResult:
        """Store what reading gave (near-duplicates decided here, in file order)."""
        if outcome.status:
            return self._record_problem(pending.shown, pending.key, pending.sha, pending.size,
                                        outcome.status, outcome.reason)
        for document in outcome.documents:
            self._check_countries(document, pending.shown)
            low = low_confidence_pages(document.extraction.get("pages", []), self.options)
            if low:
                self.low_confidence.append(f"{pending.shown} (page {', '.join(map(str, low[:10]))})")
        renamed = pending.shown != pending.path.relative_to(self.folder).as_posix()
        return self._store_documents(pending.shown, pending.key, pending.sha, pending.size,
                                     outcome.documents,
                                     Errors.R_NAME.format(shown=pending.shown) if renamed else None)

    def _check_countries(self, document: Document, shown: str) -> None:
        """Remember source-country values (a document's, each speaker's or survey row's) that
        name no country: they are kept as written, and listed."""
        for meta in (document.meta, *(p.meta for p in document.passages)):
            value = next((meta[k] for k in SOURCE_COUNTRY_FIELDS if meta.get(k) not in (None, "")), None)
            if value is not None and not self.resolve_country(value):
                self.unresolved_countries.setdefault(str(value), set()).add(shown)

    def _record_problem(self, shown, key, sha, size, status, reason) -> FileResult:
        self.store.record_file(self.run_id, key, sha, size, status, reason, [], [], {})
        return FileResult(shown, status, reason, sha256=sha)

    def _store_documents(self, shown: str, key: str, sha: str, size: int,
                         built: list[Document], note: str | None = None) -> FileResult:
        new, revived, refreshed, doc_ids, reasons, statuses = [], [], [], [], [], []
        signatures: dict[str, bytes] = {}
        clusters: dict[str, str] = {}
        seen_here: dict[str, Document] = {}
        duplicates: list[dict] = []  # records whose text is already a document
        aliases: dict[str, list[dict]] = {}  # stored doc_id -> records that now refer to it
        several = len(built) > 1
        for document in built:
            doc_id = document.doc_id
            record = _record(document, key)
            if doc_id in seen_here:  # a repeated record: a reference to the same passages
                first = seen_here[doc_id]
                duplicates.append(_duplicate(record, doc_id, first.extraction["records"][0]))
                if any(d is first for d in new):
                    first.extraction["records"].append(record)
                else:
                    aliases.setdefault(doc_id, []).append(record)
                statuses.append("duplicate")
                continue
            seen_here[doc_id] = document
            if several:
                document.extraction["records"] = [record]
            existing = self.store.document_brief(doc_id)
            if existing and existing["source_path"] == key:
                doc_ids.append(doc_id)  # same text as before (a re-saved or reverted file)
                statuses.append("ingested")
                if existing["retired_at"]:
                    revived.append(document)
                if any(existing[k] != getattr(document, k) for k in DESCRIBED):
                    refreshed.append(document)
                continue
            if existing:
                doc_ids.append(doc_id)
                statuses.append("duplicate")
                reasons.append(Errors.R_DUPLICATE.format(doc_id=doc_id[:12],
                                                         path=self._shown(existing["source_path"])))
                if several:  # one record of a file repeats another file's text: keep its id
                    duplicates.append(_duplicate(record, doc_id, None))
                    aliases.setdefault(doc_id, []).append(record)
                continue
            signature = self.hasher.signature(document.text)
            # earlier versions of the same file are replaced, not near-duplicates
            match = self.index.query(signature, exclude=self.by_path.get(key, set()))
            if match:
                original, score = match
                cluster = self.clusters.get(original) or original
                if not self.clusters.get(original):
                    clusters[original] = cluster
                document.near_duplicate_of, document.cluster_id = original, cluster
                statuses.append("near_duplicate")
                reasons.append(Errors.R_NEAR_DUPLICATE.format(
                    similarity=score, doc_id=original[:12], path=self._shown(self.paths[original])))
            else:
                statuses.append("ingested")
            signatures[doc_id] = signature.tobytes()
            new.append(document)
            doc_ids.append(doc_id)
        status = ("ingested" if "ingested" in statuses
                  else "near_duplicate" if "near_duplicate" in statuses else "duplicate")
        if duplicates:
            named = ", ".join(map(duplicate_label, duplicates[:10])) + (" …" if len(duplicates) > 10 else "")
            reasons.insert(0, Errors.R_DUPLICATE_RECORDS.format(count=len(duplicates), total=len(built),
                                                               records=named))
        if refreshed:
            reasons.insert(0, Errors.R_METADATA.format(count=len(refreshed)))
        if note:
            reasons.insert(0, note)
        reason = "; ".join(reasons[:3]) + (" …" if len(reasons) > 3 else "") if reasons else None
        moved = self.store.record_file(self.run_id, key, sha, size, status, reason, new, doc_ids,
                                       signatures, clusters, refreshed=refreshed, aliases=aliases)
        # only after the commit, so a crash leaves the index consistent with the store
        for retired in self.by_path.get(key, set()) - set(doc_ids):
            self.index.remove(retired)
            self.by_path[key].discard(retired)
        for document in new:
            self._remember(document.doc_id, key, document.cluster_id,
                           np.frombuffer(signatures[document.doc_id], dtype=np.uint64))
        for document in revived:
            self._remember(document.doc_id, key, None, self.hasher.signature(document.text))
        self.clusters.update(clusters)
        return FileResult(shown, status, reason, doc_ids, sha256=sha,
                          passages=sum(len(d.passages) for d in new),
                          duplicates=duplicates, carried=moved["carried"],
                          need_review=moved["need_review"])

    def _shown(self, source_path: str) -> str:
        try:
            return Path(source_path).relative_to(self.folder.resolve()).as_posix()
        except ValueError:
            return source_path


def _retire_excluded(store: Store, run_id: str, folder: Path, excluded: list[dict]) -> None:
    """Documents an earlier ingest read from files that are now excluded (a README ingested
    before exclusions existed) leave the project; each excluded entry counts them."""
    stored = store.file_paths()
    root = folder.resolve()
    for entry in excluded:
        key = str(root / entry["path"].rstrip("/"))
        under = [p for p in stored if p == key or p.startswith(key + os.sep)]
        retired = sum(store.retire_file(run_id, p, Errors.R_EXCLUDED.format(rule=entry["rule"]))
                      for p in under)
        if retired:
            entry["retired_documents"] = retired
RECORD_ID_FIELDS = ("id", "_id", "record_id", "uuid")


def _record(document: Document, source_path: str) -> dict:
    """Where one record of a multi-record file (a JSONL line) came from, its id and metadata."""
    record_id = next((document.meta[f] for f in RECORD_ID_FIELDS if f in document.meta), None)
    return {"source_path": source_path, "part": document.extraction.get("source_part"),
            "id": None if record_id is None else str(record_id), "meta": dict(document.meta)}


def _duplicate(record: dict, doc_id: str, first: dict | None) -> dict:
    """A repeated record: its line and id, and the record (or stored document) it repeats."""
    return {"part": record["part"], "id": record["id"], "same_as": first["id"] if first else None,
            "doc_id": doc_id}


def duplicate_label(duplicate: dict) -> str:
    """`line 4 (id r4 = id r3)`, or `line 4 (= document 0132075e7725)` when ids are missing."""
    same = (f"id {duplicate['same_as']}" if duplicate["same_as"] is not None
            else f"document {duplicate['doc_id'][:12]}")
    name = f"id {duplicate['id']} = " if duplicate["id"] is not None else "= "
    return f"{duplicate['part']} ({name}{same})"


def ingest(folder: Path, project: Path, *, manifest: Path | None = None,
           pattern: str | None = None, text_columns: list[str] | None = None,
           config: Config | None = None, db_url: str | None = None,
           on_file: Callable[[FileResult], None] | None = None,
           on_start: Callable[[int], None] | None = None,
           resolve_country: Callable[[str], str | None] | None = None) -> IngestReport:
    """Ingest every file below `folder` into the project at `project`; with
    config.coding.engine = "dask", files are read on the Dask cluster and stored here.
    `resolve_country` (default: any ISO 3166 country) tells which source-country values name
    a country; the others are listed in the report."""
    started = time.perf_counter()
    folder = Path(folder)
    if not folder.exists():
        raise UsageError(Errors.E001.format(path=folder))
    if not folder.is_dir():
        raise UsageError(Errors.E002.format(path=folder))
    project = Path(project)
    if project.resolve() == folder.resolve():
        raise UsageError(Errors.E012.format(path=project))
    config = config or Config()
    path_pattern = PathPattern(pattern) if pattern else None
    manifest_obj = Manifest(Path(manifest), folder) if manifest else None
    store = Store(project, url=db_url)
    try:
        config_file = project / CONFIG_NAME
        if db_url is None and not config_file.exists():
            from stancemap.config import to_toml
            write_text(config_file, to_toml(config))
        run_manifest = {
            "command": "ingest", "folder": str(folder.resolve()), "pattern": pattern,
            "manifest": str(Path(manifest).resolve()) if manifest else None,
            "text_columns": text_columns, "config": config.model_dump(), "seed": config.seed,
            "versions": versions(),
        }
        run_id = store.begin_run("ingest", run_manifest)
        exclude = {project.resolve()}
        if manifest:
            exclude.add(Path(manifest).resolve())
        excluded: list[dict] = []
        excluder = Excluder(list(config.ingest.exclude) + read_ignore_file(folder))
        paths = list(discover(folder, exclude, excluder, excluded))
        if path_pattern:  # documentation at the root, beside inputs whose names the pattern gives
            for entry in [e for e in paths if e[0].parent == folder and e[0].suffix.lower() == ".md"
                          and path_pattern.match(e[0].name) is None]:
                paths.remove(entry)
                excluded.append({"path": entry[0].name, "rule": "/*.md (root, not matching --pattern)"})
        if on_start:
            on_start(len(paths))
        _retire_excluded(store, run_id, folder, excluded)
        ingestor = Ingestor(store, config, run_id, folder, manifest_obj, path_pattern, text_columns,
                            resolve_country)
        results = []
        for result in _processed(ingestor, paths, config):
            results.append(result)
            if on_file:
                on_file(result)
        report = IngestReport(run_id, str(project), results, time.perf_counter() - started,
                              excluded=excluded, unmatched_pattern=ingestor.unmatched_pattern)
        _note_countries(report, ingestor, folder, paths, pattern is None and manifest_obj is None)
        carried, need_review = sum(r.carried for r in results), sum(r.need_review for r in results)
        if carried:
            report.warnings.append(f"{carried} human code(s) on unchanged passages followed "
                                   "their files' new versions")
        if need_review:
            files = [r.path for r in results if r.need_review]
            report.warnings.append(
                f"{need_review} human code(s) need re-review: their passages changed in "
                + ", ".join(files[:5]) + (" …" if len(files) > 5 else "")
                + "; they stay on the old version (`stancemap info` lists them)")
        report.warnings += store.interrupted_warnings()
        if path_pattern and ingestor.unmatched_pattern:
            unmatched = ingestor.unmatched_pattern
            report.warnings.append(Errors.E100.format(
                count=len(unmatched), pattern=pattern,
                files=", ".join(unmatched[:10]) + (" …" if len(unmatched) > 10 else "")))
        if ingestor.low_confidence:
            listed = ingestor.low_confidence
            report.warnings.append(Errors.E270.format(
                count=len(listed), limit=config.ingest.ocr_min_confidence,
                files="; ".join(listed[:5]) + (" …" if len(listed) > 5 else "")))
        if manifest_obj and manifest_obj.unused():
            unused = manifest_obj.unused()
            report.warnings.append(f"{len(unused)} manifest row(s) name no file found: "
                                   + ", ".join(unused[:5]) + (" …" if len(unused) > 5 else ""))
        run_manifest["seconds"] = round(report.seconds, 3)
        run_manifest["warnings"] = report.warnings
        run_manifest["excluded"] = excluded
        run_manifest["inputs"] = {r.path: r.sha256 for r in results}
        store.finish_run(run_id, report.counts, run_manifest)
        return report
    finally:
        store.dispose()



def _note_countries(report: IngestReport, ingestor: Ingestor, folder: Path,
                    paths: list[tuple[Path, FileProblem | None]], no_metadata: bool) -> None:
    """List source-country values that name no country; without --pattern or a manifest,
    suggest the pattern file names like KAZ_74_2019.txt follow."""
    unresolved = ingestor.unresolved_countries
    report.unresolved_countries = [{"value": value, "files": sorted(files)}
                                   for value, files in sorted(unresolved.items())]
    if unresolved:
        shown = ", ".join(f"{value!r} ({len(files)} file(s))" for value, files in
                          sorted(unresolved.items())[:10]) + (" …" if len(unresolved) > 10 else "")
        report.warnings.append(Errors.E330.format(count=len(unresolved), values=shown))
    if no_metadata:
        relatives = [printable(p.relative_to(folder).as_posix()) for p, problem in paths
                     if problem is None]
        suggested = suggest_pattern(relatives, world().alpha3)
        if suggested:
            report.suggested_pattern = suggested[0]
            report.warnings.append(Errors.E332.format(pattern=suggested[0], example=suggested[1]))


def _processed(ingestor: Ingestor, entries: list[tuple[Path, FileProblem | None]],
               config: Config) -> Iterator[FileResult]:
    """Every entry's result, in order: read here, or on the Dask cluster; entries that cannot
    be read (a pipe, a broken link) are recorded with their reason."""
    if config.coding.engine != "dask":
        for path, problem in entries:
            yield ingestor.process(path) if problem is None else ingestor.refuse(path, problem)
        return
    from stancemap.corpus.cluster import dask_client, in_order

    settled: dict[int, FileResult] = {}
    pending: list[tuple[int, Pending]] = []
    for index, (path, problem) in enumerate(entries):
        checked = ingestor.prepare(path) if problem is None else ingestor.refuse(path, problem)
        if isinstance(checked, FileResult):
            settled[index] = checked
        else:
            pending.append((index, checked))
    with dask_client(config.coding.scheduler or None, config.coding.workers) as client:
        outcomes = in_order(client, _read_task, [p for _, p in pending], config, ingestor.options)
        done = {index: ingestor.finish(item, outcome)
                for (index, item), outcome in zip(pending, outcomes)}
    for index in range(len(entries)):
        yield settled[index] if index in settled else done[index]


def _read_task(pending: Pending, config: Config, options: dict) -> ReadOutcome:
    return read_documents(pending.path, pending.sha, pending.file_meta, config, options,
                          pending.speakers)
