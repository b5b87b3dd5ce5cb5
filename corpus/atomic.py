"""Files appear whole or not at all: every file stancemap writes (exports, review files,
reports, plots, backups, keys, models' metadata) is written under a temporary name in its own
folder and renamed onto the final name when complete, so a killed or failed write leaves the
previous file (or none) in place, never half of a new one."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def partial_name(path: Path) -> Path:
    """A hidden name beside `path` that keeps its suffix (writers that pick a format from the
    suffix still pick the right one)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial{path.suffix}")


def _synced(path: Path) -> None:
    if path.is_file():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


@contextmanager
def replacing(*paths: Path) -> Iterator[list[Path]]:
    """Temporary names for `paths`; when the block ends without an error all of them are
    renamed into place together, otherwise removed. The block writes to the names it is given."""
    finals = [Path(p) for p in paths]
    partials = [partial_name(p) for p in finals]
    try:
        yield partials
        for partial in partials:
            _synced(partial)
        for partial, final in zip(partials, finals):
            os.replace(partial, final)
    finally:
        for partial in partials:
            partial.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    with replacing(path) as (partial,):
        partial.write_text(text, encoding="utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    with replacing(path) as (partial,):
        partial.write_bytes(data)
