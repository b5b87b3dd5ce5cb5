"""Store and environment faults (corrupt database, full disk, read-only folder, unreachable
server, …) turned into one-line StoreErrors that name the cause and the fix.

The database errors arrive from deep inside SQLAlchemy without the project's name, so the
store records which database it opened (`opened`) for the message."""

from __future__ import annotations

import errno

from stancemap.errors import Errors, StoreError, UsageError

opened: dict[str, str] = {}  # "db": the database location the last Store opened


def _where() -> str:
    return opened.get("db", "the project database")


def database_fault(err: BaseException, where: str | None = None) -> StoreError | None:
    """A StoreError for a known database failure, or None."""
    where = where or _where()
    orig = getattr(err, "orig", None) or err
    text = str(orig).lower()
    code = getattr(orig, "sqlite_errorname", "") or ""
    if "file is not a database" in text or "malformed" in text or code in ("SQLITE_NOTADB",
                                                                           "SQLITE_CORRUPT"):
        return StoreError(Errors.E210.format(db=where, reason=str(orig)))
    if "database or disk is full" in text or "disk i/o error" in text or code in ("SQLITE_FULL",
                                                                                  "SQLITE_IOERR"):
        return StoreError(Errors.E211.format(db=where, reason=str(orig)))
    if "readonly database" in text or "read-only" in text or code.startswith("SQLITE_READONLY"):
        return StoreError(Errors.E212.format(path=where, reason=str(orig)))
    if "no such table" in text or "no such column" in text or "undefinedtable" in type(orig).__name__.lower() \
            or "undefinedcolumn" in type(orig).__name__.lower():  # dropped by hand or by damage
        return StoreError(Errors.E407.format(db=where, problems=str(orig).strip().splitlines()[0]))
    if "unable to open database file" in text or code == "SQLITE_CANTOPEN":
        return StoreError(Errors.E213.format(db=where))
    if "database is locked" in text or code == "SQLITE_BUSY":
        return StoreError(Errors.E214.format(db=where))
    if type(orig).__module__.startswith("psycopg") and (
            "connection" in text or "timeout" in text or "could not translate" in text
            or "password authentication" in text or "does not exist" in text):
        return StoreError(Errors.E215.format(db=where, reason=str(orig).strip().splitlines()[0]))
    return None


def os_fault(err: OSError) -> StoreError | None:
    """A StoreError (or UsageError) for a file-system failure, or None."""
    where = err.filename or _where()
    if err.errno == errno.ENOSPC or err.errno == errno.EDQUOT:
        return StoreError(Errors.E211.format(db=where, reason=err.strerror))
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError(Errors.E212.format(path=where, reason=err.strerror))
    if isinstance(err, IsADirectoryError):
        return UsageError(Errors.E216.format(path=where))
    if isinstance(err, (NotADirectoryError, FileExistsError)):
        return UsageError(Errors.E205.format(path=where))
    if isinstance(err, FileNotFoundError):
        return UsageError(Errors.E217.format(path=where))
    return None


def known_fault(err: BaseException) -> StoreError | None:
    """The one-line error for a fault the user (not stancemap) must fix, or None."""
    import sqlalchemy as sa

    if isinstance(err, sa.exc.DBAPIError):
        return database_fault(err)
    if isinstance(err, OSError):
        return os_fault(err)
    if isinstance(err, MemoryError):
        return StoreError(Errors.E218)
    return None
