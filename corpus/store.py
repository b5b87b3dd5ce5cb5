"""The project store: SQLite (or any SQLAlchemy URL) through SQLAlchemy Core.

Everything one input file produces is written in one transaction together with its entry in
the run log, so a killed run leaves either all of a file or none of it."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa

from stancemap.corpus import faults, lock
from stancemap.corpus.document import Document
from stancemap.errors import Errors, StoreError, UsageError

SCHEMA_VERSION = 3  # 2: mentions, codes, coded_documents, topic_models; 3: passages.role
DB_NAME = "stancemap.db"

metadata = sa.MetaData()

meta_table = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
runs = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("command", sa.String(32), nullable=False),
    sa.Column("started_at", sa.String(32), nullable=False),
    sa.Column("finished_at", sa.String(32)),
    sa.Column("status", sa.String(16), nullable=False),  # running | completed | interrupted
    sa.Column("manifest", sa.JSON, nullable=False),  # config, versions, seed, inputs
    sa.Column("counts", sa.JSON),
)
files = sa.Table(
    "files", metadata,
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("doc_ids", sa.JSON, nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)
file_events = sa.Table(  # the run log: one row per file per run
    "file_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(64), nullable=False, index=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("doc_ids", sa.JSON, nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
)
documents = sa.Table(
    "documents", metadata,
    sa.Column("doc_id", sa.String(64), primary_key=True),
    sa.Column("source_path", sa.Text, nullable=False, index=True),
    sa.Column("source_part", sa.Text),
    sa.Column("source_sha256", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("lang", sa.String(8)),
    sa.Column("title", sa.Text),
    sa.Column("date", sa.String(32)),
    sa.Column("meta", sa.JSON, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("pages", sa.JSON, nullable=False),
    sa.Column("extraction", sa.JSON, nullable=False),
    sa.Column("minhash", sa.LargeBinary),
    sa.Column("near_duplicate_of", sa.String(64)),
    sa.Column("cluster_id", sa.String(64), index=True),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("retired_at", sa.String(32)),
    sa.Column("superseded_by", sa.String(64)),
)
passages = sa.Table(
    "passages", metadata,
    sa.Column("passage_id", sa.String(80), primary_key=True),
    sa.Column("doc_id", sa.String(64), sa.ForeignKey("documents.doc_id"), nullable=False,
              index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("speaker", sa.Text),
    sa.Column("question", sa.Text),
    sa.Column("lang", sa.String(8)),
    sa.Column("page", sa.Integer),
    sa.Column("meta", sa.JSON, nullable=False),
    sa.Column("role", sa.String(16)),  # respondent | question | context | NULL (no turns)
)
mentions = sa.Table(
    "mentions", metadata,
    sa.Column("mention_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("passage_id", sa.String(80), nullable=False, index=True),
    sa.Column("doc_id", sa.String(64), nullable=False, index=True),
    sa.Column("start", sa.Integer, nullable=False),  # offsets into documents.text
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("label", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("canonical_id", sa.String(80)),
    sa.Column("country", sa.String(3)),
    sa.Column("source", sa.String(120), nullable=False),
)
codes = sa.Table(
    "codes", metadata,
    sa.Column("code_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("passage_id", sa.String(80), nullable=False, index=True),
    sa.Column("doc_id", sa.String(64), nullable=False, index=True),
    sa.Column("dimension", sa.String(32), nullable=False),
    sa.Column("target", sa.String(80), nullable=False, default=""),  # "" when not a stance code
    sa.Column("value", sa.String(120), nullable=False),
    sa.Column("score", sa.Float),
    sa.Column("source", sa.String(160), nullable=False),  # model:<name>@<version> | human:<annotator>
    sa.Column("status", sa.String(16), nullable=False),  # predicted|accepted|corrected|rejected|adjudicated
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("run_id", sa.String(64)),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)
coded_documents = sa.Table(  # which coding configuration each document was last coded with
    "coded_documents", metadata,
    sa.Column("doc_id", sa.String(64), primary_key=True),
    sa.Column("signature", sa.String(64), nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("coded_at", sa.String(32), nullable=False),
)
topic_models = sa.Table(
    "topic_models", metadata,
    sa.Column("model_id", sa.String(64), primary_key=True),
    sa.Column("signature", sa.String(64), nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("num_topics", sa.Integer, nullable=False),
    sa.Column("topics", sa.JSON, nullable=False),  # [{"id", "label", "terms": [[term, weight]]}]
    sa.Column("selection", sa.JSON, nullable=False),  # coherence per candidate k
    sa.Column("params", sa.JSON, nullable=False),
)
validation_samples = sa.Table(  # random samples of passages for coders: the panels' gold
    "validation_samples", metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("design", sa.JSON, nullable=False),  # kind, strata, seed, frame size, draws
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)
validation_items = sa.Table(
    "validation_items", metadata,
    sa.Column("sample", sa.String(80), primary_key=True),
    sa.Column("passage_id", sa.String(80), primary_key=True),
    sa.Column("stratum", sa.Text, nullable=False),
    sa.Column("probability", sa.Float, nullable=False),  # of the passage being in the sample
)
LATER_TABLES = ("validation_samples", "validation_items")  # added without a schema version


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    tables = {name for (name,) in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    try:
        if not tables or "meta" in tables:  # another program's database is left as it is
            cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:  # opened read-only (see _sqlite_url): it reads as it is
        pass
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_url(db_path: Path) -> str:
    """The project's SQLite file; in a folder nobody may write (a read-only disk or share), it
    is opened read-only so that `info`, `export` and `check` still work. With no write-ahead
    log left over (a clean close) nothing can change it, so it is opened immutable."""
    if not db_path.exists() or os.access(db_path.parent, os.W_OK):
        return f"sqlite:///{db_path}"
    wal = db_path.with_name(db_path.name + "-wal")
    immutable = "" if wal.exists() and wal.stat().st_size else "&immutable=1"
    return f"sqlite:///file:{db_path.resolve()}?mode=ro{immutable}&uri=true"


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def make_engine(url: str) -> sa.Engine:
    """An engine for a --db URL; a malformed, unsupported or driverless URL is a usage error."""
    if url.startswith(("postgresql://", "postgres://")):  # the driver stancemap installs
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise UsageError(Errors.E201.format(url=url)) from None
    backend = parsed.get_backend_name()
    faults.opened["db"] = (parsed.database or "").removeprefix("file:") if backend == "sqlite" else \
        parsed.render_as_string(hide_password=True)
    if backend not in SUPPORTED_BACKENDS:
        raise UsageError(Errors.E202.format(url=url, backend=backend))
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database.removeprefix("file:")).parent
        if not folder.is_dir():
            raise UsageError(Errors.E204.format(url=url, folder=folder))
    # a server that does not answer fails in seconds, not after the OS's TCP timeout
    connect_args = {"connect_timeout": 5} if backend == "postgresql" else {}
    try:
        engine = sa.create_engine(parsed, future=True, connect_args=connect_args)
    except (sa.exc.NoSuchModuleError, ImportError) as err:
        raise UsageError(Errors.E203.format(url=url, reason=err)) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def schema_problems(conn, columns: bool = False) -> list[str]:
    """Tables (and with `columns`, columns) stancemap needs that the database lacks."""
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    problems = [f"table {name} is missing" for name in metadata.tables
                if name not in existing and name not in LATER_TABLES]  # those are added on open
    if columns:
        for name, table in metadata.tables.items():
            if name in existing:
                found = {c["name"] for c in inspector.get_columns(name)}
                problems += [f"column {name}.{c.name} is missing" for c in table.columns
                             if c.name not in found]
    return problems


class Store:
    def __init__(self, project: Path, url: str | None = None, create: bool = True,
                 verify: bool = True):
        """create: make the schema in an empty database (only `ingest` and `run` do);
        verify: refuse a database that lacks a table (`check` reports it instead)."""
        self.project = project
        self.url = url
        self._open_runs: set[str] = set()
        self.interrupted: list[dict] = []  # runs found left `running` by a killed process
        if project.exists() and not project.is_dir():
            raise UsageError(Errors.E205.format(path=project))
        if url is None:
            db_path = project / DB_NAME
            if db_path.is_dir():
                raise StoreError(Errors.E408.format(db=db_path))
            if not db_path.exists():
                if not create:
                    if project.exists():
                        raise StoreError(Errors.E010.format(path=project, db=DB_NAME))
                    raise StoreError(Errors.E011.format(path=project))
                try:
                    project.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise faults.os_fault(err) or err
            elif db_path.is_file() and db_path.stat().st_size == 0:
                raise StoreError(Errors.E206.format(db=db_path))
            url = _sqlite_url(db_path)
        self.engine = make_engine(url)
        try:
            self._prepare(create, verify)
        except sa.exc.DBAPIError as err:
            self.engine.dispose()
            raise faults.database_fault(err) or err

    def _prepare(self, create: bool, verify: bool) -> None:
        where = faults.opened.get("db") or str(self.project)
        with self.engine.begin() as conn:
            existing = sa.inspect(conn).get_table_names()
            if "meta" not in existing:
                if existing:  # another program's database where the project's belongs
                    shown = ", ".join(sorted(existing)[:5]) + (" …" if len(existing) > 5 else "")
                    raise StoreError(Errors.E405.format(db=where, tables=shown))
                if not create:  # reading commands never make a schema, on any backend
                    raise StoreError(Errors.E406.format(db=where, path=self.project))
                metadata.create_all(conn)
                conn.execute(meta_table.insert().values(key="schema_version",
                                                        value=str(SCHEMA_VERSION)))
                return
            found = conn.execute(sa.select(meta_table.c.value).where(
                meta_table.c.key == "schema_version")).scalar()
            if found in ("1", "2"):  # 2 only added tables, 3 a column: migrated in place
                metadata.create_all(conn)
                self._migrate_roles(conn)
                conn.execute(meta_table.update().where(meta_table.c.key == "schema_version")
                             .values(value=str(SCHEMA_VERSION)))
                found = str(SCHEMA_VERSION)
            if found != str(SCHEMA_VERSION):
                raise StoreError(Errors.E009.format(path=self.project, found=found,
                                                    expected=SCHEMA_VERSION))
            missing = schema_problems(conn) if verify else []
            if missing:
                raise StoreError(Errors.E407.format(db=where, problems="; ".join(missing)))
        if not set(LATER_TABLES) <= set(existing):
            self._add_later_tables()

    def _add_later_tables(self) -> None:
        """Tables newer than the schema version; a read-only store goes on without them (it
        has no validation sample then)."""
        try:
            with self.engine.begin() as conn:
                metadata.create_all(conn)
        except sa.exc.DBAPIError:
            pass

    @staticmethod
    def _migrate_roles(conn) -> None:
        """Version 3's passages.role, filled from the stored turn labels the way the segmenter
        sets it now, so a project ingested before keeps its interviewer turns out of the panels."""
        from stancemap.corpus.segment import role_of

        if "role" not in {c["name"] for c in sa.inspect(conn).get_columns("passages")}:
            conn.execute(sa.text("ALTER TABLE passages ADD COLUMN role VARCHAR(16)"))
        kinds, transcripts = {}, set()
        for doc_id, kind, extraction in conn.execute(sa.select(
                documents.c.doc_id, documents.c.kind, documents.c.extraction)):
            kinds[doc_id] = kind
            if (extraction or {}).get("transcript"):
                transcripts.add(doc_id)
        rows = conn.execute(sa.select(passages.c.passage_id, passages.c.doc_id, passages.c.speaker)).all()
        for passage_id, doc_id, speaker in rows:
            if speaker is None:
                role = "context" if doc_id in transcripts else None
            else:
                role = "respondent" if kinds.get(doc_id) == "survey" else role_of(speaker)
            if role:
                conn.execute(passages.update().where(passages.c.passage_id == passage_id)
                             .values(role=role))
    # project settings (JSON values in the meta table) ---------------------------------------
    def setting(self, key: str) -> Any:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(meta_table.c.value).where(
                meta_table.c.key == f"setting:{key}")).scalar()
        return json.loads(found) if found is not None else None

    def set_setting(self, key: str, value: Any) -> None:
        """One upsert: two commands that remember a choice at once (two coders importing into
        a team database) must not both insert the key (a delete-then-insert did, on PostgreSQL)."""
        from sqlalchemy.dialects import postgresql, sqlite

        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(meta_table).values(key=f"setting:{key}",
                                                   value=json.dumps(value, ensure_ascii=False))
        with self.engine.begin() as conn:
            conn.execute(insert.on_conflict_do_update(index_elements=[meta_table.c.key],
                                                      set_={"value": insert.excluded.value}))

    # runs ---------------------------------------------------------------------------------
    def begin_run(self, command: str, manifest: dict[str, Any], wait: float = 0.0) -> str:
        """Take the writer lock (ProjectBusy if another process holds it), mark runs left
        `running` by killed processes `interrupted`, and log the new run."""
        held = lock.acquire(self.project, command, self.url, self.engine, wait)
        try:
            run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
            with self.engine.begin() as conn:
                left = sa.and_(runs.c.status == "running", runs.c.run_id.not_in(held.runs)) \
                    if held.runs else runs.c.status == "running"
                self.interrupted = [dict(r) for r in conn.execute(
                    sa.select(runs.c.run_id, runs.c.command, runs.c.started_at).where(left)).mappings()]
                conn.execute(runs.update().where(left).values(status="interrupted"))
                conn.execute(runs.insert().values(run_id=run_id, command=command, started_at=now(),
                                                  status="running", manifest=manifest))
        except BaseException:
            lock.release(self.project, self.url)
            raise
        held.runs.add(run_id)
        self._open_runs.add(run_id)
        return run_id

    def interrupted_warnings(self) -> list[str]:
        """One line per run that begin_run found cut short (a killed process left it running)."""
        return [f"run {run['run_id']} ({run['command']}, started {run['started_at']}) was "
                "interrupted; what it finished is kept" for run in self.interrupted]

    def finish_run(self, run_id: str, counts: dict[str, int], manifest: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(runs.c.run_id == run_id).values(
                finished_at=now(), status="completed", counts=counts, manifest=manifest))
        self._close_run(run_id)

    def _close_run(self, run_id: str) -> None:
        if run_id in self._open_runs:
            self._open_runs.discard(run_id)
            lock.release(self.project, self.url)

    def runs_by_status(self) -> dict[str, int]:
        """Runs per status; a run left `running` by a killed process (no writer holds the
        lock) counts as `interrupted` at once, though the next writer is what marks it so."""
        with self.engine.connect() as conn:
            counts = {status: int(n) for status, n in conn.execute(
                sa.select(runs.c.status, sa.func.count()).group_by(runs.c.status))}
        if counts.get("running") and lock.writer_alive(self.project, self.url, self.engine) is False:
            counts["interrupted"] = counts.get("interrupted", 0) + counts.pop("running")
        return counts

    def run_log(self, run_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(file_events).where(file_events.c.run_id == run_id)
                                .order_by(file_events.c.id)).mappings().all()
        return [dict(r) for r in rows]

    # lookups ------------------------------------------------------------------------------
    def file_record(self, path: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(files).where(files.c.path == path)).mappings().first()
        return dict(row) if row else None

    def metadata_differs(self, doc_ids: list[str], file_meta: dict[str, str]) -> bool:
        """Whether manifest or path-pattern values differ from those stored with the documents."""
        if not file_meta or not doc_ids:
            return False
        columns = {"kind", "date", "title", "lang"}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(documents).where(documents.c.doc_id.in_(doc_ids))).mappings().all()
        for row in rows:
            meta = row["meta"] or {}
            for key, value in file_meta.items():
                stored = row[key] if key in columns else meta.get(key)
                if key == "kind" and meta.get("kind_given"):
                    stored = meta["kind_given"]
                if str(stored) != str(value):
                    return True
        return False

    def document_brief(self, doc_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(documents.c.doc_id, documents.c.source_path,
                                         documents.c.retired_at, documents.c.kind, documents.c.lang,
                                         documents.c.title, documents.c.date, documents.c.meta)
                               .where(documents.c.doc_id == doc_id)).mappings().first()
        return dict(row) if row else None

    def active_signatures(self) -> Iterator[tuple[str, str, str | None, bytes]]:
        query = sa.select(documents.c.doc_id, documents.c.source_path, documents.c.cluster_id,
                          documents.c.minhash).where(
            documents.c.retired_at.is_(None), documents.c.minhash.is_not(None))
        with self.engine.connect() as conn:
            yield from conn.execute(query.execution_options(yield_per=1000))

    def next_version(self, conn, source_path: str) -> int:
        count = conn.execute(sa.select(sa.func.count()).select_from(documents).where(
            documents.c.source_path == source_path)).scalar()
        return int(count) + 1

    def file_paths(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(files.c.path).order_by(files.c.path)).scalars())

    def retire_file(self, run_id: str, path: str, reason: str) -> int:
        """A file that is no longer an input (now excluded): its documents are retired, its
        record dropped and the run log says why — atomically. Returns the documents retired."""
        stamp = now()
        with self.engine.begin() as conn:
            active = conn.execute(sa.select(documents.c.doc_id).where(
                documents.c.source_path == path, documents.c.retired_at.is_(None))).scalars().all()
            if active:
                conn.execute(documents.update().where(documents.c.doc_id.in_(active))
                             .values(retired_at=stamp))
            conn.execute(files.delete().where(files.c.path == path))
            conn.execute(file_events.insert().values(run_id=run_id, path=path, sha256=None,
                                                     status="skipped", reason=reason,
                                                     doc_ids=list(active), at=stamp))
        return len(active)

    # the one write path -------------------------------------------------------------------
    def record_file(self, run_id: str, path: str, sha256: str | None, size: int, status: str,
                    reason: str | None, new_documents: list[Document], doc_ids: list[str],
                    signatures: dict[str, bytes], clusters: dict[str, str] | None = None,
                    keep_record: bool = True, refreshed: list[Document] | None = None,
                    aliases: dict[str, list[dict]] | None = None) -> dict[str, int]:
        """Store a file's documents, retire what they replace, and log the file — atomically.
        `refreshed`: stored documents whose metadata changed; updated and queued for re-coding.
        `aliases`: records (id, line, metadata) that repeat a stored document's text, added to
        that document's extraction["records"] so no record id is lost. Returns how many human
        codes moved to the new version and how many need re-review."""
        stamp = now()
        replaced: list[str] = []
        with self.engine.begin() as conn:
            previous = conn.execute(sa.select(documents.c.doc_id).where(
                documents.c.source_path == path, documents.c.retired_at.is_(None))).scalars().all()
            if keep_record and status in ("ingested", "near_duplicate", "duplicate"):
                for doc_id in doc_ids:  # a file changed back to an earlier text
                    conn.execute(documents.update().where(
                        documents.c.doc_id == doc_id, documents.c.source_path == path).values(
                        retired_at=None, superseded_by=None))
                replaced = [d for d in previous if d not in doc_ids]
                if replaced:
                    conn.execute(documents.update().where(documents.c.doc_id.in_(replaced)).values(
                        retired_at=stamp, superseded_by=doc_ids[0] if doc_ids else None))
            version = self.next_version(conn, path)
            for document in new_documents:
                conn.execute(documents.insert().values(
                    doc_id=document.doc_id, source_path=path,
                    source_part=document.extraction.get("source_part"),
                    source_sha256=document.source_sha256, version=version, kind=document.kind,
                    lang=document.lang, title=document.title, date=document.date,
                    meta=document.meta, text=document.text, pages=document.pages,
                    extraction=document.extraction, minhash=signatures.get(document.doc_id),
                    near_duplicate_of=document.near_duplicate_of, cluster_id=document.cluster_id,
                    run_id=run_id, created_at=stamp))
                if document.passages:
                    conn.execute(passages.insert(), [dict(
                        passage_id=p.passage_id, doc_id=p.doc_id, seq=p.seq, start=p.start,
                        end=p.end, text=p.text, speaker=p.speaker, question=p.question,
                        lang=p.lang, page=p.page, meta=p.meta, role=p.role)
                        for p in document.passages])
            moved = self._carry_human_codes(conn, replaced, doc_ids, stamp) \
                if keep_record and status in ("ingested", "near_duplicate", "duplicate") and replaced \
                else {"carried": 0, "need_review": 0}
            for document in refreshed or []:
                conn.execute(documents.update().where(documents.c.doc_id == document.doc_id).values(
                    kind=document.kind, lang=document.lang, title=document.title,
                    date=document.date, meta=document.meta))
                conn.execute(coded_documents.delete().where(
                    coded_documents.c.doc_id == document.doc_id))
            for doc_id, records in (aliases or {}).items():
                extraction = dict(conn.execute(sa.select(documents.c.extraction).where(
                    documents.c.doc_id == doc_id)).scalar() or {})
                known = extraction.get("records") or []
                seen = {(r.get("source_path"), r.get("part")) for r in known}
                added = [r for r in records if (r["source_path"], r["part"]) not in seen]
                if added:
                    conn.execute(documents.update().where(documents.c.doc_id == doc_id).values(
                        extraction={**extraction, "records": known + added}))
            for doc_id, cluster_id in (clusters or {}).items():  # the first of a new cluster
                conn.execute(documents.update().where(documents.c.doc_id == doc_id).values(
                    cluster_id=cluster_id))
            if keep_record:
                conn.execute(files.delete().where(files.c.path == path))
                conn.execute(files.insert().values(
                    path=path, sha256=sha256 or "", size=size, status=status, reason=reason,
                    doc_ids=doc_ids, run_id=run_id, updated_at=stamp))
            conn.execute(file_events.insert().values(
                run_id=run_id, path=path, sha256=sha256, status=status, reason=reason,
                doc_ids=doc_ids, at=stamp))
        return moved

    def _carry_human_codes(self, conn, retired: list[str], current: list[str],
                           stamp: str) -> dict[str, int]:
        """Human codes follow their passage to the file's new version when the passage's text
        is unchanged (the n-th passage with a text maps to the n-th with the same text), with a
        note of the version they were made on. Codes on changed passages stay where they are:
        `need_review` counts them (and `needs_review()` lists them)."""
        def passages_by_text(doc_ids):
            found: dict[str, list] = {}
            rows = conn.execute(sa.select(passages.c.passage_id, passages.c.doc_id, passages.c.text)
                                .where(passages.c.doc_id.in_(doc_ids))
                                .order_by(passages.c.doc_id, passages.c.seq))
            for row in rows:
                found.setdefault(row.text, []).append(row)
            return found

        human = sa.or_(codes.c.status != "predicted", codes.c.source.not_like("model:%"))
        old_passages = passages_by_text(retired)
        where_old = {row.passage_id: (text, n) for text, rows in old_passages.items()
                     for n, row in enumerate(rows)}
        found = conn.execute(sa.select(codes).where(
            codes.c.doc_id.in_(retired), human).order_by(codes.c.code_id)).mappings().all()
        if not found:
            return {"carried": 0, "need_review": 0}
        versions = dict(conn.execute(sa.select(documents.c.doc_id, documents.c.version)
                                     .where(documents.c.doc_id.in_(retired))).all())
        new_passages = passages_by_text(current)
        targets = {p.passage_id for rows in new_passages.values() for p in rows}
        existing = {(r.passage_id, r.dimension, r.target, r.source, r.value) for r in conn.execute(
            sa.select(codes.c.passage_id, codes.c.dimension, codes.c.target, codes.c.source,
                      codes.c.value).where(codes.c.passage_id.in_(targets), human))} if targets else set()
        carried, need_review = [], 0
        for code in found:
            text, n = where_old.get(code["passage_id"], (None, 0))
            matches = new_passages.get(text, []) if text is not None else []
            if n >= len(matches):
                need_review += 1
                continue
            target = matches[n]
            key = (target.passage_id, code["dimension"], code["target"], code["source"], code["value"])
            if key in existing:
                continue
            existing.add(key)
            note = {"code_id": code["code_id"], "passage_id": code["passage_id"],
                    "doc_id": code["doc_id"], "version": versions.get(code["doc_id"])}
            carried.append({**{k: v for k, v in code.items() if k != "code_id"},
                            "passage_id": target.passage_id, "doc_id": target.doc_id,
                            "details": {**(code["details"] or {}), "carried_from": note},
                            "updated_at": stamp})
        if carried:
            conn.execute(codes.insert(), carried)
        return {"carried": len(carried), "need_review": need_review}

    def needs_review(self) -> list[dict[str, Any]]:
        """Human codes left on a retired version because their passage's text changed."""
        human = sa.or_(codes.c.status != "predicted", codes.c.source.not_like("model:%"))
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(codes.c.code_id, codes.c.passage_id, codes.c.dimension, codes.c.target,
                          codes.c.value, codes.c.status, codes.c.source, codes.c.details,
                          documents.c.source_path,
                          documents.c.version)
                .select_from(codes.join(documents, documents.c.doc_id == codes.c.doc_id))
                .where(human, documents.c.superseded_by.is_not(None),
                       documents.c.retired_at.is_not(None))
                .order_by(documents.c.source_path, codes.c.code_id)).mappings().all()
            moved = {(d or {}).get("carried_from", {}).get("code_id") for d in conn.execute(
                sa.select(codes.c.details).where(human)).scalars()}
        return [{k: v for k, v in r.items() if k != "details"} for r in rows
                if r["code_id"] not in moved]

    # reading back -------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            def count(table, *where):
                return int(conn.execute(sa.select(sa.func.count()).select_from(table)
                                        .where(*where)).scalar())
            return {
                "documents": count(documents, documents.c.retired_at.is_(None)),
                "retired_documents": count(documents, documents.c.retired_at.is_not(None)),
                "passages": count(passages, passages.c.doc_id.in_(
                    sa.select(documents.c.doc_id).where(documents.c.retired_at.is_(None)))),
                "files": count(files),
                "runs": count(runs),
            }

    def coded_passages(self) -> int:
        """Active passages whose document has been coded (with any signature)."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(passages).where(
                passages.c.doc_id.in_(sa.select(coded_documents.c.doc_id)),
                passages.c.doc_id.in_(sa.select(documents.c.doc_id).where(
                    documents.c.retired_at.is_(None))))).scalar())

    def tally(self, column: str) -> dict[str, int]:
        """Active documents per value of one documents column (kind, lang, …)."""
        col = documents.c[column]
        query = sa.select(col, sa.func.count()).where(documents.c.retired_at.is_(None)).group_by(col)
        with self.engine.connect() as conn:
            return {str(value): int(n) for value, n in conn.execute(query)}

    def iter_documents(self, include_retired: bool = False) -> Iterator[dict[str, Any]]:
        query = sa.select(documents).order_by(documents.c.source_path, documents.c.doc_id)
        if not include_retired:
            query = query.where(documents.c.retired_at.is_(None))
        with self.engine.connect() as conn:
            for row in conn.execute(query.execution_options(yield_per=200)).mappings():
                yield dict(row)

    def document_texts(self, doc_ids: set[str]) -> dict[str, tuple[str, str | None]]:
        """doc_id -> (text, title)."""
        found = {}
        ids = sorted(doc_ids)
        with self.engine.connect() as conn:
            for chunk in _chunks(ids, 500):
                for row in conn.execute(sa.select(documents.c.doc_id, documents.c.text, documents.c.title)
                                        .where(documents.c.doc_id.in_(chunk))):
                    found[row.doc_id] = (row.text, row.title)
        return found

    def passage_texts(self, passage_ids: set[str]) -> dict[str, str]:
        found = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(passage_ids), 500):
                for row in conn.execute(sa.select(passages.c.passage_id, passages.c.text)
                                        .where(passages.c.passage_id.in_(chunk))):
                    found[row.passage_id] = row.text
        return found

    def reviewed_passages(self, dimensions: list[str]) -> set[str]:
        """Passages with a human decision (any status but predicted) in these dimensions."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(codes.c.passage_id).distinct().where(
                codes.c.status != "predicted", codes.c.dimension.in_(dimensions))).scalars())

    def passages_of(self, doc_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(passages).where(passages.c.doc_id == doc_id)
                                .order_by(passages.c.seq)).mappings().all()
        return [dict(r) for r in rows]

    # validation samples -------------------------------------------------------------------
    def save_validation(self, name: str, design: dict[str, Any],
                        members: dict[str, tuple[str, float]]) -> None:
        """Write (or replace) a validation sample: passage_id -> (stratum, inclusion probability)."""
        stamp = now()
        with self.engine.begin() as conn:
            created = conn.execute(sa.select(validation_samples.c.created_at).where(
                validation_samples.c.name == name)).scalar() or stamp
            conn.execute(validation_items.delete().where(validation_items.c.sample == name))
            conn.execute(validation_samples.delete().where(validation_samples.c.name == name))
            conn.execute(validation_samples.insert().values(name=name, design=design,
                                                            created_at=created, updated_at=stamp))
            for chunk in _chunks(sorted(members.items()), 5000):
                conn.execute(validation_items.insert(), [
                    {"sample": name, "passage_id": pid, "stratum": stratum, "probability": p}
                    for pid, (stratum, p) in chunk])

    def validation_samples(self) -> list[dict[str, Any]]:
        """Every validation sample (newest last), without its passages; none on a store too old
        to hold them that could not be upgraded (read-only)."""
        with self.engine.connect() as conn:
            if "validation_samples" not in sa.inspect(conn).get_table_names():
                return []
            return [dict(r) for r in conn.execute(sa.select(validation_samples).order_by(
                validation_samples.c.updated_at, validation_samples.c.name)).mappings()]

    def validation_passages(self) -> set[str]:
        """Passages of any validation sample."""
        if not self.validation_samples():
            return set()
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(validation_items.c.passage_id).distinct()).scalars())

    def validation_members(self, name: str) -> dict[str, tuple[str, float]]:
        with self.engine.connect() as conn:
            return {r.passage_id: (r.stratum, r.probability) for r in conn.execute(
                sa.select(validation_items).where(validation_items.c.sample == name))}

    # coding -------------------------------------------------------------------------------
    @staticmethod
    def _to_code(columns: list, signature: str, force: bool):
        query = (sa.select(*columns)
                 .select_from(documents.outerjoin(coded_documents,
                                                  coded_documents.c.doc_id == documents.c.doc_id))
                 .where(documents.c.retired_at.is_(None)))
        if not force:
            query = query.where(sa.or_(coded_documents.c.signature.is_(None),
                                       coded_documents.c.signature != signature))
        return query

    def documents_to_code(self, signature: str, force: bool = False) -> Iterator[dict[str, Any]]:
        """Active documents not yet coded with this signature, without their text."""
        query = self._to_code([documents.c.doc_id, documents.c.kind, documents.c.date,
                               documents.c.meta, documents.c.lang], signature, force
                              ).order_by(documents.c.doc_id)
        with self.engine.connect() as conn:
            for row in conn.execute(query.execution_options(yield_per=500)).mappings():
                yield dict(row)

    def passages_to_code(self, signature: str, force: bool = False) -> int:
        """How many passages the documents `documents_to_code` yields hold."""
        pending = self._to_code([documents.c.doc_id], signature, force)
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(passages)
                                    .where(passages.c.doc_id.in_(pending))).scalar())

    def write_codes(self, run_id: str, signature: str, doc_ids: list[str],
                    new_mentions: list[dict], new_codes: list[dict]) -> None:
        """Replace the model's mentions and predicted codes for these documents, atomically.
        Human codes (any other status or a human source) are never touched."""
        stamp = now()
        with self.engine.begin() as conn:
            for chunk in _chunks(doc_ids, 500):
                conn.execute(mentions.delete().where(mentions.c.doc_id.in_(chunk)))
                conn.execute(codes.delete().where(
                    codes.c.doc_id.in_(chunk), codes.c.status == "predicted",
                    codes.c.source.like("model:%"), codes.c.dimension != "topic"))
                conn.execute(coded_documents.delete().where(coded_documents.c.doc_id.in_(chunk)))
            if new_mentions:
                conn.execute(mentions.insert(), new_mentions)
            if new_codes:
                conn.execute(codes.insert(), [{**c, "status": "predicted", "run_id": run_id,
                                               "created_at": stamp, "updated_at": stamp}
                                              for c in new_codes])
            if doc_ids:
                conn.execute(coded_documents.insert(), [
                    {"doc_id": d, "signature": signature, "run_id": run_id, "coded_at": stamp}
                    for d in doc_ids])

    def iter_mentions(self) -> Iterator[dict[str, Any]]:
        """The model's mentions in active documents, in document order."""
        query = (sa.select(mentions).select_from(mentions.join(
                     documents, documents.c.doc_id == mentions.c.doc_id))
                 .where(documents.c.retired_at.is_(None))
                 .order_by(documents.c.source_path, mentions.c.doc_id, mentions.c.start,
                           mentions.c.end, mentions.c.mention_id))
        with self.engine.connect() as conn:
            for row in conn.execute(query.execution_options(yield_per=1000)).mappings():
                yield dict(row)

    def passages_for_topics(self, languages: list[str]) -> list[tuple[str, str, str, str | None]]:
        """(passage_id, doc_id, text, lang) of active passages in these languages ("*": any)."""
        query = (sa.select(passages.c.passage_id, passages.c.doc_id, passages.c.text, passages.c.lang)
                 .select_from(passages.join(documents, documents.c.doc_id == passages.c.doc_id))
                 .where(documents.c.retired_at.is_(None))
                 .order_by(passages.c.passage_id))
        if "*" not in languages:
            query = query.where(passages.c.lang.in_(languages))
        with self.engine.connect() as conn:
            return [(r[0], r[1], r[2], r[3]) for r in conn.execute(query)]

    def code_values(self, dimension: str) -> dict[str, set[str]]:
        """passage_id -> the values of its codes in one dimension (any source, rejected left out)."""
        query = (sa.select(codes.c.passage_id, codes.c.value)
                 .where(codes.c.dimension == dimension, codes.c.status != "rejected"))
        found: dict[str, set[str]] = {}
        with self.engine.connect() as conn:
            for passage_id, value in conn.execute(query):
                found.setdefault(passage_id, set()).add(value)
        return found

    def latest_topic_model(self) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(topic_models).order_by(topic_models.c.created_at.desc(),
                                                                topic_models.c.model_id)
                               .limit(1)).mappings().first()
        return dict(row) if row else None

    def write_topics(self, run_id: str, model: dict[str, Any], topic_codes: list[dict]) -> None:
        """Store a topic model and replace the model's topic codes with its shares."""
        stamp = now()
        with self.engine.begin() as conn:
            conn.execute(topic_models.delete().where(topic_models.c.model_id == model["model_id"]))
            conn.execute(topic_models.insert().values(**model, run_id=run_id, created_at=stamp))
            conn.execute(codes.delete().where(codes.c.dimension == "topic",
                                              codes.c.status == "predicted",
                                              codes.c.source.like("model:%")))
            for chunk in _chunks(topic_codes, 5000):
                conn.execute(codes.insert(), [{**c, "status": "predicted", "run_id": run_id,
                                               "created_at": stamp, "updated_at": stamp}
                                              for c in chunk])

    def dispose(self) -> None:
        """Runs this store began and never finished (an error stopped them) are `interrupted`."""
        for run_id in list(self._open_runs):
            try:
                with self.engine.begin() as conn:
                    conn.execute(runs.update().where(runs.c.run_id == run_id).values(
                        finished_at=now(), status="interrupted"))
            except sa.exc.DBAPIError:
                pass  # e.g. the disk is still full: the next run marks it
            self._close_run(run_id)
        self.engine.dispose()

