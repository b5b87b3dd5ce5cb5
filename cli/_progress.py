"""Progress that reaches the user wherever stderr goes: a rich bar on a terminal, plain log
lines with counts and elapsed time when stderr is a file or a pipe (a batch job's log)."""

from __future__ import annotations

import time
from typing import IO, Callable

PLAIN_EVERY_S = 5.0  # seconds between two plain lines for the same task


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class LineProgress:
    """The subset of rich.progress.Progress the commands use (add_task, update), written as one
    line per task when its size is known, every `every_s` seconds, and at the end, e.g.
    `ingest: 120/500 files, 12.3 s elapsed, about 38.9 s left`."""

    def __init__(self, label: str, write: Callable[[str], None], every_s: float = PLAIN_EVERY_S,
                 clock: Callable[[], float] = time.monotonic):
        self.label = label
        self.write = write
        self.every_s = every_s
        self.clock = clock
        self.tasks: list[dict] = []

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            for task in self.tasks:
                if task["shown"] != task["done"] and task["done"]:
                    self._line(task)

    def add_task(self, description: str = "", total: int | None = None, **_) -> int:
        now = self.clock()
        self.tasks.append({"what": description, "total": None, "done": 0, "started": now,
                           "last": None, "shown": None})
        if total is not None:
            self.update(len(self.tasks) - 1, total=total)
        return len(self.tasks) - 1

    def update(self, task_id: int, *, total: int | None = None, advance: int | None = None,
               completed: int | None = None, description: str | None = None, **_) -> None:
        task = self.tasks[task_id]
        if total is not None:
            known, task["total"] = task["total"], total
            if known is None and total:  # the work is known: say how much, before the first item
                self._line(task)
        if completed is not None:
            task["done"] = completed
        if advance:
            task["done"] += advance
        if advance is None and completed is None:
            return  # only the total or a file name changed: nothing to report yet
        now = self.clock()
        finished = task["total"] is not None and task["done"] >= task["total"]
        if task["last"] is None or finished or now - task["last"] >= self.every_s:
            self._line(task)

    def _line(self, task: dict) -> None:
        now = self.clock()
        elapsed = now - task["started"]
        done, total = task["done"], task["total"]
        what = f" {task['what']}" if task["what"] else ""
        count = f"{done}/{total}" if total else str(done)
        line = f"{self.label}{what}: {count}, {_duration(elapsed)} elapsed"
        if total and 0 < done < total and elapsed > 0:
            line += f", about {_duration(elapsed / done * (total - done))} left"
        self.write(line)
        task["last"], task["shown"] = now, done


def plain_writer(stream: IO[str]) -> Callable[[str], None]:
    def write(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    return write
