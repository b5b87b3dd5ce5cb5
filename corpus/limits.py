"""A per-file time limit that interrupts pure-Python readers (pdfminer, python-docx)."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


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
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, _raise)
    # then every 50 ms again: an alarm that lands inside a C library's callback (ctypes prints
    # and drops exceptions raised there) must not let the file run unlimited
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
