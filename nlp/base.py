"""What stages hand back: codes on a passage, before the store gives them ids and sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CodeOut:
    dimension: str
    value: str
    score: float | None = None
    target: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class PassageInput:
    """A passage with what stages may need of its document."""

    passage_id: str
    doc_id: str
    start: int
    text: str
    lang: str | None
    meta: dict[str, Any]
    doc_meta: dict[str, Any]
    kind: str
    date: str | None
    role: str | None = None  # respondent | question (an interviewer's turn) | context | None
