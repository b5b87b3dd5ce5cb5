"""Passage embeddings kept in the project folder, so a text is encoded once: coding's e5
embeddings are reused by the embedding topic model, and a refit or `topics --assign` encodes
only text it has not seen. One folder per encoder version; append-only parts (a text's SHA-1
-> its vector), so writing never rewrites what is there and an interrupted run keeps its parts."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Callable

import numpy as np

FOLDER = "vectors"
PART_SIZE = 2048  # texts encoded (and saved) at a time


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorCache:
    def __init__(self, project: Path, version: str):
        self.folder = Path(project) / FOLDER / version.replace("/", "_").replace("@", "-")
        self._known: dict[str, np.ndarray] | None = None
        self._pending: list[str] = []

    @property
    def known(self) -> dict[str, np.ndarray]:
        if self._known is None:
            self._known = {}
            for part in sorted(self.folder.glob("part-*.npz")):
                with np.load(part, allow_pickle=False) as stored:
                    self._known.update(zip(stored["keys"].tolist(), stored["vectors"]))
        return self._known

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        """Keep vectors not yet known; they are saved PART_SIZE at a time and by `flush`."""
        for key, vector in zip(keys, vectors):
            if key not in self.known:
                self.known[key] = vector
                self._pending.append(key)
        if len(self._pending) >= PART_SIZE:
            self.flush()

    def flush(self) -> None:
        """Save the vectors added since the last flush as one new part."""
        if not self._pending:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{time.time_ns()}-{os.getpid()}"
        partial = self.folder / f"{name}.partial"
        with open(partial, "wb") as handle:
            np.savez(handle, keys=np.array(self._pending),
                     vectors=np.vstack([self.known[k] for k in self._pending]).astype(np.float32))
        partial.rename(self.folder / f"{name}.npz")
        self._pending = []

    def encode(self, texts: list[str], encoder,
               on_progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Vectors of `texts` in order; unknown texts are encoded (PART_SIZE at a time, each
        chunk saved) and `on_progress(done, todo)` is called after each chunk."""
        keys = [text_key(t) for t in texts]
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in self.known))
        for start in range(0, len(todo), PART_SIZE):
            chunk = todo[start:start + PART_SIZE]
            self.add([text_key(t) for t in chunk], encoder.encode(chunk))
            self.flush()
            if on_progress:
                on_progress(start + len(chunk), len(todo))
        if not texts:
            return np.zeros((0, 384), np.float32)
        return np.vstack([self.known[k] for k in keys]).astype(np.float32)
