"""Near-duplicate detection (syndicated news, re-sent transcripts) with MinHash and LSH banding.

Signatures are stored with each document, so a later ingest compares against everything
already in the project without re-reading it."""

from __future__ import annotations

import hashlib
import re

import numpy as np

NUM_PERM = 128
BANDS = 32  # 32 bands x 4 rows: pairs above ~0.5 Jaccard almost always become candidates
_MERSENNE = np.uint64((1 << 61) - 1)
_WORD = re.compile(r"\w+")


def _unspaced(text: str) -> bool:
    """Chinese and Japanese are written without spaces between words."""
    sample = text[:2000]
    han = sum(1 for c in sample if "\u3040" <= c <= "\u9fff")
    return han > 0.3 * max(1, sum(c.isalpha() for c in sample))


def shingles(text: str, size: int = 5) -> set[bytes]:
    """Word 5-grams; character 4-grams for text written without spaces (Chinese)."""
    words = _WORD.findall(text.lower())
    if len(words) < size or _unspaced(text):
        compact = "".join(words)
        size = 4
        grams = {compact[i:i + size] for i in range(max(1, len(compact) - size + 1))}
    else:
        grams = {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}
    return {g.encode("utf-8") for g in grams if g}


class MinHasher:
    def __init__(self, num_perm: int = NUM_PERM, seed: int = 1):
        rng = np.random.RandomState(seed)
        self.a = rng.randint(1, 1 << 61, size=num_perm, dtype=np.uint64)
        self.b = rng.randint(0, 1 << 61, size=num_perm, dtype=np.uint64)
        self.num_perm = num_perm

    def signature(self, text: str) -> np.ndarray:
        grams = shingles(text)
        if not grams:
            return np.full(self.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
        hashes = np.fromiter(
            (int.from_bytes(hashlib.blake2b(g, digest_size=8).digest(), "little") >> 3
             for g in grams), dtype=np.uint64, count=len(grams))
        with np.errstate(over="ignore"):
            mixed = (np.outer(hashes, self.a) + self.b) % _MERSENNE
        return mixed.min(axis=0)


def similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    return float(np.mean(sig_a == sig_b))


class NearDuplicateIndex:
    """LSH buckets over stored signatures; `query` returns the best match above threshold."""

    def __init__(self, threshold: float = 0.8, bands: int = BANDS):
        self.threshold = threshold
        self.bands = bands
        self._buckets: dict[tuple[int, bytes], list[str]] = {}
        self._signatures: dict[str, np.ndarray] = {}

    def _keys(self, signature: np.ndarray):
        rows = len(signature) // self.bands
        for band in range(self.bands):
            yield band, signature[band * rows:(band + 1) * rows].tobytes()

    def add(self, doc_id: str, signature: np.ndarray) -> None:
        self._signatures[doc_id] = signature
        for key in self._keys(signature):
            self._buckets.setdefault(key, []).append(doc_id)

    def remove(self, doc_id: str) -> None:
        signature = self._signatures.pop(doc_id, None)
        if signature is not None:
            for key in self._keys(signature):
                self._buckets[key].remove(doc_id)

    def query(self, signature: np.ndarray, exclude: set[str] = frozenset()) -> tuple[str, float] | None:
        candidates = {d for key in self._keys(signature) for d in self._buckets.get(key, ())}
        candidates -= exclude
        best = None
        for doc_id in sorted(candidates):
            score = similarity(signature, self._signatures[doc_id])
            if score >= self.threshold and (best is None or score > best[1]):
                best = (doc_id, score)
        return best

    def __len__(self) -> int:
        return len(self._signatures)
