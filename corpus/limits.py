"""A per-file time limit that interrupts pure-Python readers (pdfminer, python-docx), and the
row count and deadline that table readers check as they stream (a Dask worker's thread has no
SIGALRM, so a table is stopped by its own checks there too)."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from stancemap.errors import Errors, FileProblem

CHECK_EVERY = 1000  # rows between two looks at the clock
T = TypeVar("T")
_shield = threading.local()  # how deep the thread is in uninterrupted() steps


class TimeLimitExceeded(BaseException):
    """A BaseException, so that readers' broad `except Exception` cannot swallow it."""


@contextmanager
def time_limit(seconds: float):
    """SIGALRM-based, so it works only in the main thread of a POSIX process; elsewhere the
    block simply runs unlimited."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def _raise(_signum, _frame):
        if getattr(_shield, "depth", 0):  # inside uninterrupted(): raised as the step ends
            _shield.pending = True
            return
        raise TimeLimitExceeded()

    hook = sys.unraisablehook

    def _drop_ours(unraisable):  # an alarm that landed where Python cannot raise: the next will do
        if not (unraisable.exc_type and issubclass(unraisable.exc_type, TimeLimitExceeded)):
            hook(unraisable)

    previous = signal.signal(signal.SIGALRM, _raise)
    # then every 50 ms again: an alarm that lands inside a callback (a C library's through
    # ctypes, a garbage collector's) is dropped there, and must not let the file run unlimited
    sys.unraisablehook = _drop_ours
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = hook
        _shield.pending = False  # an alarm no step ended on belongs to this limit only


@contextmanager
def uninterrupted():
    """A step the time limit's alarm must not cut in half: making or closing a C library's
    objects, whose bookkeeping an exception halfway leaves inconsistent (pypdfium2 then fails an
    assertion in a finaliser, on the user's terminal). An alarm inside waits: the file stops as
    the step ends."""
    _shield.depth = getattr(_shield, "depth", 0) + 1
    try:
        yield
    finally:
        _shield.depth -= 1
        if not _shield.depth and getattr(_shield, "pending", False):
            _shield.pending = False
            raise TimeLimitExceeded()


def limited_rows(rows: Iterable[T], options: dict, what: str = "rows") -> Iterator[T]:
    """`rows` as they come, stopped by ingest.max_rows (the file is skipped with the count) and
    by the file's deadline (options["deadline"], time.monotonic(), set from ingest.timeout_s)."""
    max_rows, deadline = options.get("max_rows"), options.get("deadline")
    for number, row in enumerate(rows, start=1):
        if max_rows and number > max_rows:
            raise FileProblem("skipped", Errors.R_TOO_MANY_ROWS.format(limit=max_rows, what=what))
        if deadline and number % CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise TimeLimitExceeded()
        yield row
