"""The default stance and sentiment models shipped inside stancemap (nlp/models/), fitted by
scripts/train_default_models.py on public labelled news (PerSenT, RuSentNE-2023).

Two kinds, chosen per language by the training script's measurements (see nlp/models/MODEL_CARD.md):
- a cross-encoder: the bundled all-MiniLM-L6-v2 with its top layers fine-tuned on (target, passage)
  pairs (English); only the fine-tuned layers and the head are shipped, in fp16;
- a head on the frozen multilingual e5 encoder: logistic regression on the embeddings of the
  passage and of the sentences that name the target (Russian, and every other language e5 covers,
  where each code is flagged cross-lingual because no training item was in that language)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stancemap.errors import Errors, ModelError

MODELS_DIR = Path(__file__).parent / "models"
HEAD_FILE = "head.npz"


def target_context(text: str, spans: list[tuple[int, int]], sentences: list[tuple[int, int]]) -> str:
    """The clauses that name the target (its sentence cut at contrast markers, as the lexicon
    method does), in order; the passage when none does (a paragraph that speaks of its target
    by pronoun only)."""
    from stancemap.nlp.stance import clauses

    chosen = []
    for start, end in sentences:
        for clause in clauses(text, start, end):
            if any(clause[0] <= a < clause[1] for a, _ in spans) and clause not in chosen:
                chosen.append(clause)
    return " ".join(text[s:e] for s, e in chosen) if chosen else text


@dataclass
class Query:
    """One (passage, target) to code; `target` "" for passage sentiment."""

    lang: str | None
    target: str
    text: str
    spans: list[tuple[int, int]]
    sentences: list[tuple[int, int]]

    @property
    def context(self) -> str:
        return target_context(self.text, self.spans, self.sentences) if self.target else self.text


_VADER: dict = {}


def vader_features(texts: list[str]) -> np.ndarray:
    from stancemap.nlp.sentiment import vader

    if "analyzer" not in _VADER:
        _VADER["analyzer"] = vader()
    analyzer = _VADER["analyzer"]
    rows = [analyzer.polarity_scores(t) for t in texts]
    return np.array([[r["compound"], r["pos"], r["neg"], r["neu"]] for r in rows], dtype=np.float32)


def head_features(queries: list[Query], parts: list[str], embed) -> np.ndarray:
    """What a head reads, by name: the passage's embedding, the target context's, their product,
    VADER scores of the context (English heads). `embed(texts)` -> normalised embeddings; the
    passage embeddings are the pipeline's shared ones."""
    columns = []
    passages = contexts = None
    if {"passage", "product"} & set(parts):
        passages = embed([q.text for q in queries])
    if {"context", "product"} & set(parts):
        contexts = embed([q.context for q in queries])
    for part in parts:
        if part == "passage":
            columns.append(passages)
        elif part == "context":
            columns.append(contexts)
        elif part == "product":
            columns.append(passages * contexts)
        elif part == "vader":
            columns.append(vader_features([q.context for q in queries]))
    return np.hstack(columns)


class EmbeddingHead:
    """Multinomial logistic regression over encoder features; scikit-learn-shaped. Saved as a
    plain .npz of arrays (nothing unpickled when loading)."""

    def __init__(self, C: float = 1.0, seed: int = 0, balanced: bool = True):
        self.C = C
        self.seed = seed
        self.balanced = balanced

    def fit(self, features: np.ndarray, labels: list[str]):
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=self.C, max_iter=3000, random_state=self.seed,
                                   class_weight="balanced" if self.balanced else None)
        model.fit(features, labels)
        self.classes_ = [str(c) for c in model.classes_]
        self.coef_ = model.coef_.astype(np.float32)
        self.intercept_ = model.intercept_.astype(np.float32)
        return self

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        logits = np.asarray(features, dtype=np.float32) @ self.coef_.T + self.intercept_
        if len(self.classes_) == 2:  # scikit-learn's binary form: one row of coefficients
            logits = np.hstack([-logits, logits]) / 2
        logits -= logits.max(axis=1, keepdims=True)
        found = np.exp(logits)
        return found / found.sum(axis=1, keepdims=True)

    def predict(self, features: np.ndarray) -> list[str]:
        return [self.classes_[i] for i in self.predict_proba(features).argmax(axis=1)]

    def save(self, path: Path, meta: dict) -> None:
        np.savez_compressed(path, coef=self.coef_.astype(np.float16),
                            intercept=self.intercept_, classes=np.array(self.classes_),
                            meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path: Path) -> tuple[EmbeddingHead, dict]:
        if not Path(path).exists():
            raise ModelError(Errors.E121.format(name=Path(path).parent.name, path=path,
                                                dimension="stance"))
        with np.load(path, allow_pickle=False) as stored:
            head = cls()
            head.coef_ = stored["coef"].astype(np.float32)
            head.intercept_ = stored["intercept"].astype(np.float32)
            head.classes_ = [str(c) for c in stored["classes"]]
            meta = json.loads(str(stored["meta"]))
        return head, meta


MANIFEST = "manifest.json"


class ShippedModels:
    """What nlp/models/ holds. Its manifest names, per task and language ("*" = any other), the
    model that codes it, and the languages each model's training data covered; a code made
    outside them says so (`out_of_language`, and `cross_lingual` for the multilingual head)."""

    def __init__(self, folder: Path = MODELS_DIR):
        self.folder = Path(folder)
        path = self.folder / MANIFEST
        if not path.exists():
            raise ModelError(Errors.E121.format(name="default", path=path, dimension="stance"))
        self.manifest = json.loads(path.read_text("utf-8"))
        self.version = self.manifest["version"]
        self._loaded: dict[str, object] = {}

    def model_for(self, task: str, lang: str | None) -> str:
        chosen = self.manifest["tasks"][task]
        return chosen.get(lang or "", chosen["*"])

    def spec(self, name: str) -> dict:
        return self.manifest["models"][name]

    def _model(self, name: str):
        if name not in self._loaded:
            spec = self.spec(name)
            path = self.folder / spec["path"]
            if spec["kind"] == "cross-encoder":
                from stancemap.nlp.finetune import TransformerClassifier

                if not path.exists():
                    raise ModelError(Errors.E121.format(name=name, path=path, dimension="stance"))
                self._loaded[name] = TransformerClassifier.load(path)
            else:
                self._loaded[name] = EmbeddingHead.load(path)[0]
        return self._loaded[name]

    def details(self, name: str, lang: str | None) -> dict:
        spec = self.spec(name)
        trained = spec["languages"]
        outside = lang not in trained
        found = {"method": "model:default", "model": f"{self.version}/{name}", "lang": lang,
                 "trained_languages": trained, "out_of_language": outside}
        if outside and spec["kind"] == "head":
            found["cross_lingual"] = True
        return found

    def predict(self, task: str, queries: list[Query], embed) -> list[tuple[str, dict[str, float], dict]]:
        """(label, probabilities, details) per query; `embed(encoder_name, texts)` gives
        normalised sentence embeddings."""
        groups: dict[str, list[int]] = {}
        for index, query in enumerate(queries):
            groups.setdefault(self.model_for(task, query.lang), []).append(index)
        found: list = [None] * len(queries)
        for name, rows in groups.items():
            spec, model = self.spec(name), self._model(name)
            chosen = [queries[i] for i in rows]
            if spec["kind"] == "cross-encoder":
                probabilities = model.predict_proba([(q.target, q.text) for q in chosen])
            else:
                probabilities = model.predict_proba(head_features(
                    chosen, spec["parts"], lambda texts: embed(spec["encoder"], texts)))
            for i, row in zip(rows, probabilities):
                scores = {c: round(float(p), 4) for c, p in zip(model.classes_, row)}
                label = max(scores, key=lambda k: (scores[k], k))
                found[i] = (label, scores, self.details(name, queries[i].lang))
        return found
