"""The default stance and sentiment models shipped inside stancemap (nlp/models/), fitted by
scripts/train_default_models.py on public labelled news (PerSenT, NewsMTSC, RuSentNE-2023,
RuSentRel) and the project's stance set; calibrated by a temperature stored in the manifest.

Three kinds, chosen per language by the training script's measurements (nlp/models/MODEL_CARD.md):
- `head`: logistic regression on frozen sentence embeddings (multilingual e5 or MiniLM) of what
  its `parts` name: the clauses that name the target (marked or not), the passage; outside its
  training languages every code is flagged cross-lingual;
- `text`: logistic regression on TF-IDF word and character n-grams of the same clauses (one
  language only: it is never routed to another);
- `blend`: the geometric mean of members' probabilities (Russian: e5 head + TF-IDF);
- `cascade`: members from cheapest to dearest (English: TF-IDF + VADER, the static MiniLM head,
  the MiniLM head); each codes what it is sure of — its calibrated top probability at least its
  entry of the spec's `thresholds` — and passes the rest on, the last codes what is left, so only
  those are encoded by MiniLM; each code's details name the member that made it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from stancemap.errors import Errors, ModelError

MODELS_DIR = Path(__file__).parent / "models"


def marked_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """text[start:end] with each mention of the target in it wrapped in [ ] — the encoder then
    reads which name of the clause the stance is about ("[Smith] praised Jones")."""
    out, at = [], start
    for a, b in sorted(spans):
        if start <= a < end and a >= at:
            out += [text[at:a], "[", text[a:min(b, end)], "]"]
            at = min(b, end)
    return "".join(out) + text[at:end]


def target_context(text: str, spans: list[tuple[int, int]], sentences: list[tuple[int, int]],
                   mark: bool = False) -> str:
    """The clauses that name the target (its sentence cut at contrast markers, as the lexicon
    method does), in order; the passage when none does (a paragraph that speaks of its target
    by pronoun only). `mark`: the target's mentions wrapped in [ ]."""
    from stancemap.nlp.stance import clauses

    chosen = []
    for start, end in sentences:
        for clause in clauses(text, start, end):
            if any(clause[0] <= a < clause[1] for a, _ in spans) and clause not in chosen:
                chosen.append(clause)
    if not mark:
        return " ".join(text[s:e] for s, e in chosen) if chosen else text
    return " ".join(marked_span(text, s, e, spans) for s, e in chosen) if chosen else text


@dataclass
class Query:
    """One (passage, target) to code; `target` "" for passage sentiment."""

    lang: str | None
    target: str
    text: str
    spans: list[tuple[int, int]]
    sentences: list[tuple[int, int]]

    @cached_property  # read by the e5 head, the TF-IDF model and VADER alike
    def context(self) -> str:
        return target_context(self.text, self.spans, self.sentences) if self.target else self.text

    @cached_property
    def marked(self) -> str:
        """The context with the target's mentions marked (heads whose parts name "marked")."""
        return target_context(self.text, self.spans, self.sentences, True) if self.target else self.text


@lru_cache(maxsize=1)
def _vader():
    from stancemap.nlp.sentiment import vader

    return vader()


@lru_cache(maxsize=4096)
def _vader_scores(text: str) -> tuple[float, float, float, float]:
    """Kept for the batch: a cascade's members read the same passage in turn, and VADER (pure
    Python) would otherwise cost as much as the MiniLM encodes."""
    found = _vader().polarity_scores(text)
    return found["compound"], found["pos"], found["neg"], found["neu"]


def vader_features(texts: list[str]) -> np.ndarray:
    return np.array([_vader_scores(t) for t in texts], dtype=np.float32).reshape(len(texts), 4)


def head_features(queries: list[Query], parts: list[str], embed) -> np.ndarray:
    """What a head reads, by name: the passage's embedding, the target context's ("context", or
    "marked" with the target's mentions wrapped in [ ]), the product of the two, VADER scores of
    the context (English heads). `embed(texts)` -> normalised embeddings; the passage embeddings
    are the pipeline's shared ones."""
    columns = []
    passages = contexts = None
    if {"passage", "product"} & set(parts):
        passages = embed([q.text for q in queries])
    if {"context", "marked", "product"} & set(parts):
        contexts = embed([q.marked if "marked" in parts else q.context for q in queries])
    for part in parts:
        if part == "passage":
            columns.append(passages)
        elif part in ("context", "marked"):
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

    def fit(self, features: np.ndarray, labels: list[str], sample_weight=None):
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=self.C, max_iter=3000, random_state=self.seed,
                                   class_weight="balanced" if self.balanced else None)
        model.fit(features, labels, sample_weight=sample_weight)
        self.classes_ = [str(c) for c in model.classes_]
        self.coef_ = model.coef_.astype(np.float32)
        self.intercept_ = model.intercept_.astype(np.float32)
        return self

    def predict_proba(self, features) -> np.ndarray:
        """`features`: an array, or a sparse matrix (the TF-IDF head's)."""
        if isinstance(features, np.ndarray):
            features = features.astype(np.float32, copy=False)
        logits = np.asarray(features @ self.coef_.T) + self.intercept_
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


_TEXT_FEATURES = {"words": {"ngram_range": (1, 2)}, "chars": {"analyzer": "char_wb", "ngram_range": (2, 5)}}


def _vectoriser(kind: str, vocabulary: dict | None = None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, min_df=2, vocabulary=vocabulary, **_TEXT_FEATURES[kind])


class TextHead:
    """TF-IDF of word 1-2-grams and in-word character 2-5-grams (they carry Russian inflections)
    with the same logistic regression; it reads one text per query (`part`: the target's
    clauses or the passage), with `vader` the text's VADER scores too (English). Saved as
    arrays (vocabularies, idf, weights): no pickle."""

    def __init__(self, C: float = 1.0, seed: int = 0, vader: bool = False):
        self.C = C
        self.seed = seed
        self.vader = vader

    def _matrix(self, texts: list[str]):
        from scipy.sparse import csr_matrix, hstack

        columns = [self.vectorisers_[kind].transform(texts) for kind in _TEXT_FEATURES]
        if self.vader:
            columns.append(csr_matrix(vader_features(texts)))
        return hstack(columns).tocsr()

    def fit(self, texts: list[str], labels: list[str], sample_weight=None):
        self.vectorisers_ = {kind: _vectoriser(kind).fit(texts) for kind in _TEXT_FEATURES}
        self.linear_ = EmbeddingHead(C=self.C, seed=self.seed).fit(self._matrix(texts), labels,
                                                                   sample_weight=sample_weight)
        self.classes_ = self.linear_.classes_
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.linear_.predict_proba(self._matrix(texts))

    def save(self, path: Path, meta: dict) -> None:
        arrays = {}
        for kind, vectoriser in self.vectorisers_.items():
            terms = sorted(vectoriser.vocabulary_, key=vectoriser.vocabulary_.get)
            arrays[f"{kind}_terms"] = np.array(terms)
            arrays[f"{kind}_idf"] = vectoriser.idf_.astype(np.float32)
        np.savez_compressed(path, coef=self.linear_.coef_.astype(np.float16),
                            intercept=self.linear_.intercept_, classes=np.array(self.classes_),
                            meta=np.array(json.dumps(meta)), **arrays)

    @classmethod
    def load(cls, path: Path) -> tuple[TextHead, dict]:
        linear, meta = EmbeddingHead.load(path)
        head = cls(meta.get("C", 1.0), meta.get("seed", 0), "vader" in meta.get("parts", []))
        head.linear_, head.classes_, head.vectorisers_ = linear, linear.classes_, {}
        with np.load(path, allow_pickle=False) as stored:
            for kind in _TEXT_FEATURES:
                terms = stored[f"{kind}_terms"].tolist()
                vectoriser = _vectoriser(kind, {term: i for i, term in enumerate(terms)})
                vectoriser.idf_ = stored[f"{kind}_idf"].astype(np.float64)
                head.vectorisers_[kind] = vectoriser
        return head, meta


def part_texts(queries: list[Query], part: str) -> list[str]:
    """The text a TF-IDF head reads: the target's clauses ("context", "marked") or the passage."""
    return [q.context if part == "context" else q.marked if part == "marked" else q.text
            for q in queries]


MANIFEST = "manifest.json"


def with_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Temperature scaling: softmax(log p / T). T > 1 softens over-confident scores; the class
    ranking (hence every label) is unchanged."""
    logits = np.log(np.clip(probabilities, 1e-9, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    found = np.exp(logits)
    return found / found.sum(axis=1, keepdims=True)


def expected_calibration_error(probabilities: np.ndarray, truth: list[str], classes: list[str],
                               bins: int = 10) -> float:
    """Top-class ECE: the item-weighted gap between confidence and accuracy over 10 bins."""
    confidence = probabilities.max(axis=1)
    correct = np.array([classes[k] == t for k, t in zip(probabilities.argmax(axis=1), truth)])
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = sum(abs(confidence[which == b].mean() - correct[which == b].mean()) * (which == b).sum()
              for b in range(bins) if (which == b).any())
    return round(float(gap / len(truth)), 4)


def fit_temperature(probabilities: np.ndarray, labels: list[str], classes: list[str]) -> float:
    """The T that minimises the log-loss of held-out (out-of-fold) probabilities."""
    from scipy.optimize import minimize_scalar

    truth = np.array([classes.index(label) for label in labels])

    def loss(log_t: float) -> float:
        found = with_temperature(probabilities, float(np.exp(log_t)))
        return -float(np.mean(np.log(np.clip(found[np.arange(len(truth)), truth], 1e-9, 1.0))))

    return round(float(np.exp(minimize_scalar(loss, bounds=(-3, 3), method="bounded").x)), 4)


class ShippedModels:
    """What nlp/models/ holds. Its manifest names, per task and language ("*" = any other), the
    model that codes it, and the languages each model's training data covered; a code made
    outside them says so (`out_of_language`, and `cross_lingual` for the multilingual head)."""

    def __init__(self, folder: Path = MODELS_DIR, manifest: dict | None = None):
        """`manifest`: models being fitted into `folder` (the training script scores each as
        it goes) instead of the folder's manifest.json."""
        self.folder = Path(folder)
        path = self.folder / MANIFEST
        if manifest is None and not path.exists():
            raise ModelError(Errors.E121.format(name="default", path=path, dimension="stance"))
        self.manifest = manifest if manifest is not None else json.loads(path.read_text("utf-8"))
        self.version = self.manifest.get("version", "unsaved")
        self._loaded: dict[str, object] = {}

    def model_for(self, task: str, lang: str | None) -> str:
        chosen = self.manifest["tasks"][task]
        return chosen.get(lang or "", chosen["*"])

    def spec(self, name: str) -> dict:
        return self.manifest["models"][name]

    def without_cascade(self, name: str) -> str:
        """The model that codes in `name`'s place when cascades are off: a cascade's last (encoder)
        member (sentiment.cascade, stance.cascade = false); any other model itself."""
        spec = self.spec(name)
        return spec["members"][-1] if spec["kind"] == "cascade" else name

    def _model(self, name: str):
        """The loaded head (None for a blend or cascade, which have no weights of their own)."""
        spec = self.spec(name)
        if spec["kind"] not in ("blend", "cascade") and name not in self._loaded:
            loader = TextHead if spec["kind"] == "text" else EmbeddingHead
            self._loaded[name] = loader.load(self.folder / spec["path"])[0]
        return self._loaded.get(name)

    def details(self, name: str, lang: str | None) -> dict:
        spec = self.spec(name)
        trained = spec["languages"]
        outside = lang not in trained
        found = {"method": "model:default", "model": f"{self.version}/{name}", "lang": lang,
                 "trained_languages": trained, "out_of_language": outside}
        if outside and spec["kind"] == "head":
            found["cross_lingual"] = True
        return found

    def cascade(self, name: str, queries: list[Query], embed) -> tuple[np.ndarray, list[str]]:
        """A cascade's probabilities, and per query the member that made them: the first member
        whose calibrated top probability reaches its threshold (`thresholds`, one per member but
        the last), else the last; each member sees (and `embed`s) only what the earlier left."""
        spec = self.spec(name)
        members = spec["members"]
        found = np.zeros((len(queries), len(spec["classes"])))
        coded_by = [members[-1]] * len(queries)
        left = np.arange(len(queries))
        for member, threshold in zip(members, [*spec["thresholds"], 0.0]):
            if not len(left):
                break
            probabilities = self.probabilities(member, [queries[i] for i in left], embed)
            sure = probabilities.max(axis=1) >= threshold
            found[left[sure]] = probabilities[sure]
            for i in left[sure]:
                coded_by[i] = member
            left = left[~sure]
        return found, coded_by

    def probabilities(self, name: str, queries: list[Query], embed) -> np.ndarray:
        """One row per query, in the manifest's `classes` order, calibrated when the spec holds
        a `temperature` (fitted by the training script on out-of-fold predictions). A blend is
        the normalised geometric mean of its members' probabilities (members share classes); a
        cascade, its members' own calibrated probabilities (`cascade`)."""
        spec, model = self.spec(name), self._model(name)
        if spec["kind"] == "cascade":
            return self.cascade(name, queries, embed)[0]
        if spec["kind"] == "blend":
            logs = [weight * np.log(np.clip(self.probabilities(member, queries, embed), 1e-9, 1.0))
                    for member, weight in zip(spec["members"], spec["weights"])]
            found = np.exp(np.sum(logs, axis=0))
            found /= found.sum(axis=1, keepdims=True)
        elif spec["kind"] == "text":
            found = model.predict_proba(part_texts(queries, spec["parts"][0]))
        else:
            found = model.predict_proba(head_features(queries, spec["parts"],
                                                      lambda texts: embed(spec["encoder"], texts)))
        return with_temperature(found, spec["temperature"]) if "temperature" in spec else found

    def predict(self, task: str, queries: list[Query], embed,
                cascade: bool = True) -> list[tuple[str, dict[str, float], dict]]:
        """(label, probabilities, details) per query; `embed(encoder_name, texts)` gives
        normalised sentence embeddings. `cascade` false: a cascade's encoder member codes all."""
        groups: dict[str, list[int]] = {}
        for index, query in enumerate(queries):
            name = self.model_for(task, query.lang)
            if not cascade:
                name = self.without_cascade(name)
            groups.setdefault(name, []).append(index)
        found: list = [None] * len(queries)
        for name, rows in groups.items():
            spec = self.spec(name)
            chosen = [queries[i] for i in rows]
            if spec["kind"] == "cascade":  # the details name the member that coded
                probabilities, coded_by = self.cascade(name, chosen, embed)
                extra = {"cascade": f"{self.version}/{name}", "thresholds": spec["thresholds"]}
            else:
                probabilities, coded_by, extra = self.probabilities(name, chosen, embed), [name] * len(rows), {}
            for i, row, member in zip(rows, probabilities, coded_by):
                scores = {c: round(float(p), 4) for c, p in zip(spec["classes"], row)}
                label = max(scores, key=lambda k: (scores[k], k))
                found[i] = (label, scores, {**self.details(member, queries[i].lang), **extra})
        return found
