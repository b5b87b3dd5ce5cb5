"""One writer at a time per project.

SQLite projects: an exclusive `flock` on PROJECT/stancemap.lock, which also holds who took it
(pid, host, command, start time) so that a second writer can say who is busy. The kernel drops
the lock when its process dies, so a lock file whose lock can be taken again is stale by
construction: it is overwritten and the killed run is later marked `interrupted`.
PostgreSQL projects: a session-level advisory lock on a connection kept open for the write,
with the holder's details in the `meta` table.

The lock is re-entrant within one process (`stancemap run` holds it across ingest, code and
topics, each of which takes it again), and readers never take it."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from stancemap.errors import Errors, StoreError, UsageError

LOCK_NAME = "stancemap.lock"
_POLL_S = 0.5
_PG_KEY = zlib.crc32(b"stancemap-project-writer") & 0x7FFFFFFF


class ProjectBusy(StoreError):
    """Another process is writing the project."""


@dataclass
class _Held:
    count: int
    release: object  # callable
    holder: dict
    runs: set[str] = field(default_factory=set)  # runs begun under this lock, by this process


_held: dict[str, _Held] = {}


def _holder(command: str) -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "command": command,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _since(holder: dict) -> str:
    try:
        started = datetime.fromisoformat(holder["started"]).astimezone()
    except (KeyError, TypeError, ValueError):
        return "an unknown time"
    return started.strftime("%H:%M") if started.date() == datetime.now().astimezone().date() \
        else started.strftime("%Y-%m-%d %H:%M")


def busy_message(project, holder: dict) -> str:
    where = "" if holder.get("host") in (None, socket.gethostname()) else f" on {holder['host']}"
    return Errors.E200.format(path=project, pid=holder.get("pid", "?"), host=where,
                              since=_since(holder), command=holder.get("command", "?"))


def _read_holder(handle) -> dict:
    handle.seek(0)
    try:
        return json.loads(handle.read() or "{}")
    except (ValueError, UnicodeDecodeError):
        return {}


def _try_flock(handle, mode: int) -> bool:
    """Take a non-blocking flock; False when another process holds it."""
    try:
        fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _sqlite_lock(project: Path, path: Path, command: str, wait: float) -> _Held:
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
    deadline = time.monotonic() + max(wait, 0)
    try:
        while not _try_flock(handle, fcntl.LOCK_EX):
            if time.monotonic() >= deadline:
                raise ProjectBusy(busy_message(project, _read_holder(handle))) from None
            time.sleep(_POLL_S)
        holder = _holder(command)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(holder))
        handle.flush()
    except BaseException:
        handle.close()
        raise

    def release() -> None:
        try:
            handle.seek(0)
            handle.truncate()
        except OSError:
            pass
        finally:
            handle.close()  # closing drops the flock

    return _Held(1, release, holder)


def _pg_lock(engine, project, command: str, wait: float) -> _Held:
    import sqlalchemy as sa

    key = _PG_KEY
    conn = engine.connect()
    deadline = time.monotonic() + max(wait, 0)
    try:
        while not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            conn.rollback()
            if time.monotonic() >= deadline:
                raise ProjectBusy(busy_message(project, _pg_holder(conn)))
            time.sleep(_POLL_S)
        holder = _holder(command)
        _pg_note(conn, holder)
        conn.commit()
    except BaseException:
        conn.close()
        raise

    def release() -> None:
        try:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
        except Exception:  # noqa: BLE001 - closing the session drops the lock anyway
            pass
        finally:
            conn.close()

    return _Held(1, release, holder)


def _pg_note(conn, holder: dict) -> None:
    """Who holds the lock, in the meta table (when the project has one yet)."""
    import sqlalchemy as sa

    from stancemap.corpus.store import meta_table

    if not sa.inspect(conn).has_table("meta"):
        return
    conn.execute(meta_table.delete().where(meta_table.c.key == "writer"))
    conn.execute(meta_table.insert().values(key="writer", value=json.dumps(holder)))


def _pg_holder(conn) -> dict:
    import sqlalchemy as sa

    from stancemap.corpus.store import meta_table

    try:
        value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "writer")).scalar()
        return json.loads(value) if value else {}
    except (sa.exc.DBAPIError, ValueError):
        conn.rollback()
        return {}


def lock_path(project: Path, url: str | None) -> Path | None:
    """The lock file: in the project folder, or beside a SQLite file named by --db."""
    if not url:
        return project / LOCK_NAME
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        database = Path(url[len("sqlite:///"):].split("?", 1)[0])
        return database.with_name(database.name + ".lock")
    return None


def lock_key(project: Path, url: str | None) -> str:
    path = lock_path(project, url)
    return str(path.resolve()) if path else str(url)


def acquire(project: Path, command: str, url: str | None = None, engine=None,
            wait: float = 0.0) -> _Held:
    """Take the project's writer lock (again, if this process holds it already)."""
    key = lock_key(project, url)
    held = _held.get(key)
    if held is not None:
        held.count += 1
        return held
    path = lock_path(project, url)
    if path is not None:
        held = _sqlite_lock(project, path, command, wait)
    elif engine is not None and engine.dialect.name == "postgresql":
        held = _pg_lock(engine, project, command, wait)
    else:  # any other server: its own locking
        held = _Held(1, lambda: None, _holder(command))
    _held[key] = held
    return held


def writer_alive(project: Path, url: str | None = None, engine=None) -> bool | None:
    """Whether some process holds the project's writer lock, asked without taking it for
    long and without writing: True, False, or None where the server cannot say. A run the
    store lists as `running` while no writer is alive was killed (SIGKILL, power loss)."""
    key = lock_key(project, url)
    if key in _held:
        return True
    path = lock_path(project, url)
    if path is not None:
        if not path.exists():
            return False
        with open(path, encoding="utf-8") as handle:
            if not _try_flock(handle, fcntl.LOCK_SH):
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False
    if engine is not None and engine.dialect.name == "postgresql":
        import sqlalchemy as sa

        with engine.connect() as conn:
            return bool(conn.execute(sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND ((classid::bigint << 32) | objid::bigint) = :k"), {"k": _PG_KEY}).scalar())
    return None


def release(project: Path, url: str | None = None) -> None:
    key = lock_key(project, url)
    held = _held.get(key)
    if held is None:
        return
    held.count -= 1
    if held.count <= 0:
        del _held[key]
        held.release()


class writing:
    """`with writing(project, "run", url, wait=60):` — hold the lock across several steps.
    `create`: make a new project's folder first (ingest, run); otherwise a missing project is
    left to the store to report."""

    def __init__(self, project: Path, command: str, url: str | None = None, wait: float = 0.0,
                 create: bool = False, inputs: Path | None = None):
        self.args = (Path(project), command, url, wait)
        self.create = create
        self.inputs = inputs
        self.held: _Held | None = None
        self.engine = None

    def __enter__(self):
        project, command, url, wait = self.args
        path = lock_path(project, url)
        if path is not None and not path.parent.is_dir():
            if path.parent.exists() or any(p.is_file() for p in path.parent.parents):
                raise UsageError(Errors.E205.format(path=path.parent))
            if not self.create or url:
                return None
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                from stancemap.corpus.faults import os_fault

                raise os_fault(err) or err
        if path is not None and not url:
            from stancemap.corpus.store import DB_NAME

            not_a_project = not (project / DB_NAME).exists() and not self.create
            is_input = self.inputs is not None and Path(self.inputs).resolve() == project.resolve()
            if not_a_project or is_input:
                return None  # no lock file in a folder that is no project: the store says why
        if url:
            from stancemap.corpus.store import make_engine

            self.engine = make_engine(url)
        self.held = acquire(project, command, url, self.engine, wait)
        return self.held

    def __exit__(self, *exc) -> None:
        project, _command, url, _wait = self.args
        if self.held is not None:
            release(project, url)
        if self.engine is not None:
            self.engine.dispose()
