"""Plain text and Markdown in any encoding."""

from __future__ import annotations

from pathlib import Path

from stancemap.corpus.document import RawDocument, normalise
from stancemap.corpus.encoding import decode
from stancemap.errors import Errors, FileProblem


def first_line_title(text: str, limit: int = 200) -> str | None:
    """The first line, when it looks like a title rather than the start of hard-wrapped prose."""
    for line in text.split("\n"):
        line = line.strip().strip("#*").strip()
        if line:
            return line[:limit] if len(line.split()) >= 3 else None
    return None


def read_text(path: Path, options: dict) -> list[RawDocument]:
    raw, encoding = decode(path.read_bytes())
    text = normalise(raw)
    if not text:
        raise FileProblem("skipped", Errors.R_BLANK)
    return [RawDocument(text=text, title=first_line_title(text), encoding=encoding)]
