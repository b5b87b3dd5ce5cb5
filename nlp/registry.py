"""Stages by name, in the spirit of spaCy's component factories: a factory is registered for
(dimension, method) and the configuration says which method serves each language. A method
may carry an argument after a colon (`trained:stance-tfidf-2`, `model:default`), handed to
the factory as `arg`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.errors import ConfigError, Errors
from stancemap.nlp.base import Stage, StageFactory

NO_METHOD = "none"  # a language mapped to "none" gets no code for that dimension


@dataclass
class StageContext:
    """What a factory may use: the codebook, the config, the project (for trained models) and
    resources shared by all stages of one coder (one VADER lexicon, one encoder)."""

    codebook: Codebook
    config: Config
    project: Path | None = None
    _shared: dict[str, Any] = field(default_factory=dict)

    def shared(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]


class Registry:
    def __init__(self):
        self._factories: dict[tuple[str, str], StageFactory] = {}

    def register(self, dimension: str, method: str) -> Callable[[StageFactory], StageFactory]:
        def add(factory: StageFactory) -> StageFactory:
            self._factories[(dimension, method)] = factory
            return factory
        return add

    def methods(self, dimension: str) -> list[str]:
        return sorted(m for d, m in self._factories if d == dimension)

    def make(self, dimension: str, method: str, ctx: StageContext) -> Stage:
        name, _, arg = method.partition(":")
        factory = self._factories.get((dimension, name))
        if factory is None:
            known = ", ".join(self.methods(dimension) + [NO_METHOD]) or NO_METHOD
            raise ConfigError(Errors.E280.format(method=method, dimension=dimension, known=known))
        return factory(ctx, arg or None)


stages = Registry()
