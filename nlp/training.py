"""Learning from the coders: training examples from human codes, a TF-IDF + logistic regression
classifier (scikit-learn estimator conventions), k-fold evaluation against the default method,
and models saved with skops inside the project.

Training labels per item follow the exports' rule: adjudicated > coders (majority, then latest);
the default method's predictions are the model codes already in the store for the same items."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from stancemap.annotations.codebook import Codebook
from stancemap.corpus.exports import resolve
from stancemap.corpus.store import Store
from stancemap.errors import Errors, ModelError, TrainingError

TASKS = ("stance", "sentiment", "sector")
MIN_PER_CLASS = 5
MODEL_DIR = "models"


@dataclass
class Example:
    passage_id: str
    target: str
    text: str
    label: str | tuple[str, ...]  # a tuple of sectors for the multi-label task
    default: str | tuple[str, ...] | None = None  # what the untrained pipeline said


def model_input(example_target: str, text: str, codebook: Codebook) -> str:
    """Stance is about a target: the classifier reads the target's label before the text."""
    if example_target:
        label = codebook.stance_targets[example_target].label if example_target in codebook.stance_targets \
            else example_target
        return f"[{label}] {text}"
    return text


def training_examples(store: Store, codebook: Codebook, task: str) -> list[Example]:
    from stancemap.corpus.exports import code_rows

    if task not in TASKS:
        raise TrainingError(Errors.E060.format(task=task))
    rows = code_rows(store)
    rows = rows[rows["dimension"] == task]
    examples = []
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows.to_dict("records"):
        groups.setdefault((row["passage_id"], row["target"]), []).append(row)
    texts = store.passage_texts({pid for pid, _ in groups})
    multi = task == "sector"
    for (passage_id, target), group in sorted(groups.items()):
        chosen, who = resolve(group, multi)
        if who not in ("human", "adjudicated") or passage_id not in texts:
            continue
        model = [c["value"] for c in group if c["status"] == "predicted"]
        values = sorted({c["value"] for c in chosen})
        if multi:
            label, default = tuple(values), tuple(sorted(model))
        else:
            label = values[0] if values else "none"
            default = model[0] if model else None
        examples.append(Example(passage_id, target, texts[passage_id], label, default))
    return examples


def project_examples(project: Path, task: str, codebook: Codebook,
                     db_url: str | None = None) -> list[Example]:
    store = Store(Path(project), url=db_url, create=False)
    try:
        return training_examples(store, codebook, task)
    finally:
        store.dispose()


def check_counts(examples: list[Example], task: str, folds: int) -> None:
    needed = max(MIN_PER_CLASS, folds)
    counts: dict[str, int] = {}
    for example in examples:
        for label in (example.label if task == "sector" else (example.label,)):
            counts[label] = counts.get(label, 0) + 1
    if task != "sector" and len(counts) < 2:
        raise TrainingError(Errors.E061.format(task=task, detail=f"only one class ({', '.join(counts) or 'none'})"))
    short = [f"'{label}' has {n} ({needed - n} more needed)" for label, n in sorted(counts.items()) if n < needed]
    if short:
        raise TrainingError(Errors.E061.format(task=task, detail="; ".join(short)))


class TfidfClassifier:
    """TF-IDF word and bigram features, logistic regression with balanced class weights."""

    def __init__(self, multi_label: bool = False, C: float = 4.0, seed: int = 0):
        self.multi_label = multi_label
        self.C = C
        self.seed = seed

    def _pipeline(self):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import Pipeline

        classifier = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000,
                                        random_state=self.seed)
        if self.multi_label:
            classifier = OneVsRestClassifier(classifier)
        return Pipeline([("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
                         ("classifier", classifier)])

    def fit(self, texts: list[str], labels: list):
        from sklearn.preprocessing import MultiLabelBinarizer

        if self.multi_label:
            self.binarizer_ = MultiLabelBinarizer()
            targets = self.binarizer_.fit_transform(labels)
            self.classes_ = list(self.binarizer_.classes_)
        else:
            targets = labels
            self.classes_ = sorted(set(labels))
        self.pipeline_ = self._pipeline().fit(texts, targets)
        return self

    def predict(self, texts: list[str]) -> list:
        predicted = self.pipeline_.predict(texts)
        if self.multi_label:
            return [tuple(sorted(row)) for row in self.binarizer_.inverse_transform(predicted)]
        return list(predicted)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.pipeline_.predict_proba(texts)


def _metrics(truth: list, predicted: list, task: str) -> dict:
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
    from sklearn.preprocessing import MultiLabelBinarizer

    if task == "sector":
        binarizer = MultiLabelBinarizer().fit(list(truth) + list(predicted))
        y_true, y_pred = binarizer.transform(truth), binarizer.transform(predicted)
        labels = list(binarizer.classes_)
        precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
        matrix = None
        macro = f1_score(y_true, y_pred, average="macro", zero_division=0)
    else:
        labels = sorted(set(truth) | set(predicted))
        precision, recall, f1, support = precision_recall_fscore_support(
            truth, predicted, labels=labels, zero_division=0)
        matrix = confusion_matrix(truth, predicted, labels=labels).tolist()
        macro = f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)
    per_class = {label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                         "f1": round(float(f), 4), "support": int(s)}
                 for label, p, r, f, s in zip(labels, precision, recall, f1, support)}
    return {"macro_f1": round(float(macro), 4), "per_class": per_class, "labels": labels,
            "confusion_matrix": matrix}


def cross_validate(examples: list[Example], task: str, codebook: Codebook, seed: int = 0,
                   folds: int = 5) -> dict:
    """k-fold scores of the trained model and, on the same items, of the default method."""
    from sklearn.model_selection import KFold, StratifiedKFold

    check_counts(examples, task, folds)
    texts = [model_input(e.target, e.text, codebook) for e in examples]
    labels = [e.label for e in examples]
    splitter = (KFold(folds, shuffle=True, random_state=seed) if task == "sector"
                else StratifiedKFold(folds, shuffle=True, random_state=seed))
    predicted: list = [None] * len(examples)
    for train, test in splitter.split(texts, labels if task != "sector" else None):
        model = TfidfClassifier(task == "sector", seed=seed).fit([texts[i] for i in train],
                                                                 [labels[i] for i in train])
        for index, value in zip(test, model.predict([texts[i] for i in test])):
            predicted[index] = value
    fallback = () if task == "sector" else "neutral"
    default = [e.default if e.default is not None else fallback for e in examples]
    return {"folds": folds, "examples": len(examples), "trained": _metrics(labels, predicted, task),
            "default": _metrics(labels, default, task)}


def training_hash(examples: list[Example]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps([example.passage_id, example.target, example.text, example.label],
                                 ensure_ascii=False).encode())
    return digest.hexdigest()


@dataclass
class TrainReport:
    task: str
    version: str
    path: str
    examples: int
    metrics: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"task": self.task, "version": self.version, "path": self.path,
                "examples": self.examples, "metrics": self.metrics}


def train(project: Path, task: str, codebook: Codebook, *, seed: int = 0, folds: int = 5,
          db_url: str | None = None) -> TrainReport:
    """Fit on every human-coded item, evaluate by k-fold, save model and metrics together."""
    import skops.io as sio

    examples = project_examples(project, task, codebook, db_url)
    metrics = cross_validate(examples, task, codebook, seed, folds)
    model = TfidfClassifier(task == "sector", seed=seed).fit(
        [model_input(e.target, e.text, codebook) for e in examples], [e.label for e in examples])
    base = Path(project) / MODEL_DIR
    existing = sorted(base.glob(f"{task}-tfidf-*")) if base.exists() else []
    version = f"{task}-tfidf-{len(existing) + 1}"
    target = base / version
    target.mkdir(parents=True)
    sio.dump(model, target / "model.skops")
    meta = {"version": version, "task": task, "model": "tfidf", "seed": seed,
            "training_set_sha256": training_hash(examples), "examples": len(examples),
            "classes": model.classes_, "metrics": metrics, "codebook_digest": codebook.digest,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    (target / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), "utf-8")
    return TrainReport(task, version, str(target), len(examples), metrics)


TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.",
                    "stancemap.nlp.training.")


def load_model(project: Path, task: str, version: str | None = None) -> tuple[TfidfClassifier, dict]:
    """The newest trained model for a task (or the pinned version), loaded without pickle:
    skops refuses any type outside scikit-learn, NumPy, SciPy and this module."""
    import skops.io as sio

    base = Path(project) / MODEL_DIR
    candidates = sorted(base.glob(f"{task}-*"), key=lambda p: int(p.name.rsplit("-", 1)[1])) \
        if base.exists() else []
    chosen = base / version if version else (candidates[-1] if candidates else None)
    if chosen is None or not (chosen / "model.skops").exists():
        raise ModelError(Errors.E062.format(task=task, version=version or "(newest)", path=base))
    untrusted = sio.get_untrusted_types(file=chosen / "model.skops")
    unexpected = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if unexpected:
        raise ModelError(Errors.E032.format(path=chosen, what="stancemap model",
                                            reason=f"it holds unexpected types {unexpected}"))
    model = sio.load(chosen / "model.skops", trusted=untrusted)
    return model, json.loads((chosen / "meta.json").read_text("utf-8"))
