"""Keeping a project's data safe: a consistent copy of its database (`stancemap backup`) and
a check that what is stored still holds together (`stancemap check`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from stancemap.corpus import faults
from stancemap.corpus.atomic import replacing
from stancemap.corpus.store import (Store, schema_problems, codes, coded_documents, documents, files,
                                    mentions, passages, runs)
from stancemap.errors import Errors, StoreError, UsageError

SHOWN = 5  # examples listed per failed check


@dataclass
class Check:
    name: str
    what: str
    problems: int = 0
    examples: list[str] = field(default_factory=list)
    warning: bool = False  # reported, but the project is still sound

    def add(self, example: str) -> None:
        self.problems += 1
        if len(self.examples) < SHOWN:
            self.examples.append(example)

    @property
    def ok(self) -> bool:
        return self.problems == 0 or self.warning

    def to_json(self) -> dict:
        return {"name": self.name, "what": self.what, "problems": self.problems,
                "examples": self.examples, "ok": self.ok}


# backup ------------------------------------------------------------------------------------

def backup_project(project: Path, out: Path, db_url: str | None = None) -> dict:
    """Copy the project database to `out` with SQLite's online backup API: a consistent
    snapshot even while another command writes. The copy is checked before it gets its name."""
    project, out = Path(project), Path(out)
    store = Store(project, url=db_url, create=False)  # refuses a missing or damaged project
    try:
        if store.engine.dialect.name != "sqlite":
            url = store.engine.url.render_as_string(hide_password=True)
            raise UsageError(Errors.E220.format(out=out, url=url.replace("+psycopg", "")))
        source_path = Path(store.engine.url.database.removeprefix("file:"))
        # a project in a folder nobody may write is read as the store opened it (immutable)
        immutable = "&immutable=1" if store.engine.url.query.get("immutable") == "1" else ""
    finally:
        store.dispose()
    if out.exists():
        raise UsageError(Errors.E221.format(path=out))
    if not out.parent.is_dir():
        raise UsageError(Errors.E222.format(folder=out.parent))
    with replacing(out) as (partial,):
        at = source_path  # which file an error is about
        try:
            source = sqlite3.connect(f"file:{source_path.resolve()}?mode=ro{immutable}", uri=True,
                                     timeout=30)
            try:
                at = out
                target = sqlite3.connect(partial)
                try:
                    source.backup(target)
                    verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
                    target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                finally:
                    target.close()
            finally:
                source.close()
        except sqlite3.Error as err:
            raise faults.database_fault(err, str(at)) or err
        if verdict != "ok":
            raise StoreError(Errors.E210.format(db=source_path, reason=f"integrity check: {verdict}"))
    return {"project": str(project), "database": str(source_path), "backup": str(out),
            "bytes": out.stat().st_size}


# check -------------------------------------------------------------------------------------

def _integrity(conn, dialect: str) -> Check:
    check = Check("integrity", "the database file is sound (PRAGMA integrity_check)")
    if dialect != "sqlite":
        check.what = "the database server keeps its own files sound (nothing to check here)"
        return check
    for (row,) in conn.exec_driver_sql("PRAGMA integrity_check"):
        if row != "ok":
            check.add(row)
    return check


def _foreign_keys(conn, dialect: str) -> Check:
    check = Check("foreign keys", "every reference between tables points to a stored row")
    if dialect == "sqlite":  # a server enforces them on every write
        for row in conn.exec_driver_sql("PRAGMA foreign_key_check"):
            check.add(f"table {row[0]} row {row[1]} points to a missing {row[2]} row")
    return check


def _orphans(conn) -> list[Check]:
    out = []

    def rows_without(name, what, query, show):
        check = Check(name, what)
        for row in conn.execute(query):
            check.add(show(row))
        out.append(check)

    rows_without("passages", "every passage belongs to a stored document",
                 sa.select(passages.c.passage_id, passages.c.doc_id).where(
                     passages.c.doc_id.not_in(sa.select(documents.c.doc_id))),
                 lambda r: f"passage {r.passage_id} names missing document {r.doc_id}")
    rows_without("codes", "every code belongs to a stored passage of its document",
                 sa.select(codes.c.code_id, codes.c.passage_id, codes.c.source).select_from(
                     codes.outerjoin(passages, passages.c.passage_id == codes.c.passage_id))
                 .where(sa.or_(passages.c.passage_id.is_(None), passages.c.doc_id != codes.c.doc_id)),
                 lambda r: f"code {r.code_id} ({r.source}) on missing passage {r.passage_id}")
    rows_without("mentions", "every mention belongs to a stored passage",
                 sa.select(mentions.c.mention_id, mentions.c.passage_id).where(
                     mentions.c.passage_id.not_in(sa.select(passages.c.passage_id))),
                 lambda r: f"mention {r.mention_id} on missing passage {r.passage_id}")
    rows_without("coded documents", "every coding record names a stored document",
                 sa.select(coded_documents.c.doc_id).where(
                     coded_documents.c.doc_id.not_in(sa.select(documents.c.doc_id))),
                 lambda r: f"coding record for missing document {r.doc_id}")
    known = set(conn.execute(sa.select(documents.c.doc_id)).scalars())
    check = Check("files", "every file record names stored documents")
    for path, doc_ids in conn.execute(sa.select(files.c.path, files.c.doc_ids)):
        for doc_id in doc_ids or []:
            if doc_id not in known:
                check.add(f"{path} names missing document {doc_id}")
    out.append(check)
    return out


def _offsets(store: Store) -> list[Check]:
    """document.text[start:end] == passage.text (and the same for mentions), document by
    document so that memory stays flat."""
    spans = Check("passage offsets", "document.text[start:end] == passage.text for every passage")
    named = Check("mention offsets", "document.text[start:end] == mention.text for every mention")
    with store.engine.connect() as conn:
        for document in store.iter_documents(include_retired=True):
            text, doc_id = document["text"], document["doc_id"]
            for row in conn.execute(sa.select(passages.c.passage_id, passages.c.start,
                                              passages.c.end, passages.c.text)
                                    .where(passages.c.doc_id == doc_id)):
                if text[row.start:row.end] != row.text:
                    spans.add(f"passage {row.passage_id}: [{row.start}:{row.end}] does not match")
            for row in conn.execute(sa.select(mentions.c.mention_id, mentions.c.start,
                                              mentions.c.end, mentions.c.text)
                                    .where(mentions.c.doc_id == doc_id)):
                if text[row.start:row.end] != row.text:
                    named.add(f"mention {row.mention_id} {row.text!r}: [{row.start}:{row.end}] "
                              "does not match")
    return [spans, named]


def _unfinished(conn) -> Check:
    check = Check("runs", "no run was cut short", warning=True)
    for row in conn.execute(sa.select(runs.c.run_id, runs.c.command, runs.c.status).where(
            runs.c.status.in_(("running", "interrupted")))):
        check.add(f"run {row.run_id} ({row.command}) is {row.status}; what it finished is kept, "
                  "running the command again completes it")
    return check


def _schema(conn) -> Check:
    check = Check("schema", "every table and column stancemap needs is there")
    for problem in schema_problems(conn, columns=True):
        check.add(problem)
    return check


def check_project(project: Path, db_url: str | None = None) -> list[Check]:
    """Every check, in order; a StoreError when the database cannot be opened at all."""
    store = Store(Path(project), url=db_url, create=False, verify=False)
    try:
        with store.engine.connect() as conn:
            checks = [_integrity(conn, store.engine.dialect.name)]
            if checks[0].ok:
                checks.append(_schema(conn))
            readable = all(c.ok for c in checks)
            if readable:  # a damaged file or schema is not read further
                checks += [_foreign_keys(conn, store.engine.dialect.name), *_orphans(conn)]
        if readable:
            checks += _offsets(store)
            with store.engine.connect() as conn:
                checks.append(_unfinished(conn))
        return checks
    finally:
        store.dispose()

