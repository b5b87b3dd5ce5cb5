"""What flows between the coder and its stages: passages in, codes out, and the one small
interface every stage has (name, version, dimension, languages, `code`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import numpy as np

    from stancemap.nlp.analysis import Analysis


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


class Features:
    """Per-batch results that several stages use, computed once per passage and only for the
    passages a stage asks for: today sentence embeddings, keyed by the encoder's version."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self._embeddings: dict[str, dict[int, Any]] = {}

    def embeddings(self, indices: list[int], encoder) -> "np.ndarray":
        import numpy as np

        done = self._embeddings.setdefault(encoder.version, {})
        missing = [i for i in indices if i not in done]
        if missing:
            for index, vector in zip(missing, encoder.encode([self.texts[i] for i in missing])):
                done[index] = vector
        return np.asarray([done[i] for i in indices])

    def computed(self, version: str) -> dict[int, Any]:
        """passage index -> embedding, for the passages this encoder version has encoded."""
        return self._embeddings.get(version, {})


@dataclass
class Batch:
    """One batch of passages as every stage sees it."""

    passages: list[PassageInput]
    analyses: list["Analysis"]
    features: Features

    @property
    def texts(self) -> list[str]:
        return self.features.texts


class Stage:
    """A coding method for one dimension. `languages` None means every language; the coder
    hands a stage only the passages in the languages it serves (and, for stages with
    `codes_questions` False, no interviewer turns)."""

    name: str = ""
    version: str = ""
    dimension: str = ""
    languages: frozenset[str] | None = None
    codes_questions: bool = True

    def serves(self, lang: str | None) -> bool:
        return self.languages is None or lang in self.languages

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        raise NotImplementedError


StageFactory = Callable[..., Stage]
