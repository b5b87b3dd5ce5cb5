"""The records that flow between stages, and the one text normalisation every offset refers to."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

KINDS = ("interview", "survey", "speech", "policy", "news", "other")
# who a passage speaks for: a respondent (interviewee, survey respondent), the one asking, or
# a transcript's context (its header before the first turn); None without turns (speeches,
# reports, news). Questions and context are kept and exported, not coded as opinions
ROLES = ("respondent", "question", "context")
NOT_OPINIONS = frozenset({"question", "context"})

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_TRAILING_WS = re.compile(r"[ \t\u00a0]+\n")
_MANY_BLANKS = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """Canonical form of extracted text: NFC, unified newlines, no control characters,
    no trailing spaces, at most one blank line in a row, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = _CONTROL.sub("", text)
    text = _TRAILING_WS.sub("\n", text + "\n")
    return _MANY_BLANKS.sub("\n\n", text).strip()


def text_id(text: str) -> str:
    """Document id: sha256 of the text with white space collapsed, so layout-only
    differences count as the same document."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


@dataclass
class Segment:
    """A passage fixed by the reader (a survey answer), as offsets into the built text."""

    start: int
    end: int
    question: str | None = None
    speaker: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    role: str | None = None


@dataclass
class RawDocument:
    """What a reader extracts from one file (a file may hold several, e.g. JSONL)."""

    text: str
    pages: list[int] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    title: str | None = None
    date: str | None = None
    kind: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    source_part: str | None = None  # e.g. "line 12" of a JSONL file
    encoding: str | None = None
    # per page of a PDF or scan: which reader gave its text, whether it was OCR'd, confidence
    page_info: list[dict[str, Any]] = field(default_factory=list)
    library: str | None = None  # the library that read it, when it is not the reader's usual one


class TextBuilder:
    """Joins normalised blocks with blank lines and remembers where each block starts,
    so offsets recorded while building stay valid in the final text."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0

    def add(self, block: str) -> tuple[int, int] | None:
        block = normalise(block)
        if not block:
            return None
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(block)
        self._length += len(block)
        return start, self._length

    @property
    def length(self) -> int:
        return self._length

    def text(self) -> str:
        return "".join(self._parts)


@dataclass
class Passage:
    passage_id: str
    doc_id: str
    seq: int
    start: int
    end: int
    text: str
    speaker: str | None = None
    question: str | None = None
    lang: str | None = None
    page: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    role: str | None = None


@dataclass
class Document:
    doc_id: str
    source_path: str
    source_sha256: str
    kind: str
    lang: str | None
    title: str | None
    date: str | None
    text: str
    pages: list[int] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    extraction: dict[str, Any] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)
    near_duplicate_of: str | None = None
    cluster_id: str | None = None
