"""Stance accuracy per labelled set x method, on items the method was not trained on.

    python benchmarks/accuracy.py [--test-items 0] [--persent-items 600] [--previous-rev 6a4f2cf]
                                  [--transformer-items 300] [--skip-transformer] [--skip-trained]

Sets, split as scripts/train_default_models.py splits them (stancemap.nlp.labelled.labelled_sets):
PerSenT (English news paragraphs; trained on `dev`, scored on a fixed 600 of the 5,874
`fixed_test` ones),
NewsMTSC (English news sentences, sentiment toward a marked person; 20 % by article held out),
the project's stance set (tests/data/stance_labelled.csv; 20 % by item), RuSentNE-2023 (Russian
news sentences; 20 % by sentence; also its COUNTRY rows alone), RuSentRel (Russian analytical
articles; 20 % by article): the author's attitude toward a country — one verdict per article and
country, the stage's way: its windows' probabilities averaged — and actors' attitudes toward
countries (per sentence).

Methods: the lexicon (clause VADER, English only: other languages get no code, scored as
neutral, and `coded` says so); the previous shipped models (read from git at --previous-rev:
the models before NewsMTSC, RuSentRel, target marking and calibration); the shipped default; the
multilingual e5 head that codes Chinese, Kazakh, Kyrgyz and Uzbek (scored here on the languages
that have labels — no Chinese labelled set is at hand); the majority class; TF-IDF trained on the
set's training part; the MiniLM transformer `stancemap train` fits (2 epochs, top 2 layers) on
--transformer-items of it. Columns: macro-F1 and accuracy of the argmax label; `ECE`, the
expected calibration error of the top-class probability (10 bins); `abst.`, the share of codes
that abstain at the default `stance.min_confidence` and `F1 abst.`, macro-F1 with those
abstentions coded neutral. A second table sweeps the threshold for the shipped default, and a
third prints the out-of-fold (5-fold, by group) scores the training script stored.
Embeddings are cached in .cache/default-models (shared with the training script)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LABELLED = ROOT.parent / "shared" / "testdata" / "labelled"
OWN = ROOT / "tests" / "data" / "stance_labelled.csv"
TO_STANCE = {"positive": "favour", "negative": "against", "neutral": "neutral"}
# the models shipped before the retraining of issue 23 (PerSenT, RuSentNE, the project's set)
PREVIOUS_REV = "6a4f2cf"
SWEEP = [0.0, 0.05, 0.1, 0.15, 0.2, 0.3]
E5_SAMPLE = {"PerSenT": 200, "NewsMTSC": 400}  # held-out items the e5 rows score (training script's)


def score(truth: list[str], predicted: list[str]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return (float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro",
                           zero_division=0)), float(accuracy_score(truth, predicted)))


def lexicon(queries) -> list[str | None]:
    from stancemap.nlp.sentiment import vader
    from stancemap.nlp.stance import stance_label

    analyzer = vader()
    return [stance_label(analyzer.polarity_scores(q.context)["compound"]) if q.lang == "en" else None
            for q in queries]


def previous_models(rev: str):
    """The shipped models as they were at `rev`, unpacked from git into a temporary folder."""
    from stancemap.nlp.default_models import MANIFEST, ShippedModels

    folder = Path(tempfile.mkdtemp(prefix="stancemap-previous-"))
    try:
        names = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{rev}:nlp/models"],
                               check=True, capture_output=True, text=True).stdout.split()
        for name in names:
            blob = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:nlp/models/{name}"],
                                  check=True, capture_output=True).stdout
            (folder / name).write_bytes(blob)
    except (OSError, subprocess.CalledProcessError):
        print(f"(previous models at {rev} not readable from git: that row is left out)")
        return None
    return ShippedModels(folder) if (folder / MANIFEST).exists() else None


def model_probabilities(models, queries, embed, name: str | None = None) -> tuple[np.ndarray, list[str]]:
    """Probabilities per query (rows in `classes` order) from the routed model, or from `name`."""
    if name:
        return models.probabilities(name, queries, embed), models.spec(name)["classes"]
    found = models.predict("stance", queries, embed)
    classes = sorted(found[0][1])
    return np.array([[scores[c] for c in classes] for _, scores, _ in found]), classes


def trained(kind: str, train, test, seed: int) -> list[str]:
    from stancemap.nlp.finetune import TransformerClassifier
    from stancemap.nlp.tfidf import TfidfClassifier

    model = (TfidfClassifier(seed=seed) if kind == "tfidf" else
             TransformerClassifier(epochs=2, trainable_layers=2, seed=seed))
    model.fit([(i.target, i.text) for i in train], [TO_STANCE.get(i.label, i.label) for i in train])
    return model.predict([(i.target, i.text) for i in test])


def held_out_sets(args) -> dict[str, tuple[str, list, list, bool]]:
    """name -> (language, training items, held-out items, windows averaged per article and
    target), as the training script splits them."""
    from stancemap.nlp.labelled import by_hash, labelled_sets, located, split_by_group, stance_csv

    sets = labelled_sets(LABELLED)
    own_train, own_test = split_by_group(located(stance_csv(OWN)))
    names = {"persent": "PerSenT", "newsmtsc": "NewsMTSC", "rusentne": "RuSentNE-2023",
             "rusentrel-author": "RuSentRel author", "rusentrel-actors": "RuSentRel actors"}
    found = {names[k]: (lang, train, by_hash(test, args.persent_items if k == "persent" else args.test_items),
                        k == "rusentrel-author") for k, (lang, train, test) in sets.items()}
    lang, train, test, _ = found["RuSentNE-2023"]  # the "Russian country rows"
    found["RuSentNE countries"] = (lang, train, [i for i in test if i.kind == "COUNTRY"], False)
    found["own stance set"] = ("en", own_train, own_test, False)
    return found


def units(items, per_article: bool) -> list[list[int]]:
    """Indices scored together: one article's windows for one target, else each item alone."""
    if not per_article:
        return [[i] for i in range(len(items))]
    groups: dict[tuple, list[int]] = {}
    for index, item in enumerate(items):
        groups.setdefault((item.group, item.target), []).append(index)
    return list(groups.values())


def decided(probabilities: np.ndarray, classes: list[str], threshold: float) -> tuple[list[str], int]:
    """Stance labels as the stage decides them (abstaining near-ties neutral), and how many abstained."""
    from stancemap.nlp.default_stage import decide

    labels, abstained = [], 0
    for row in probabilities:
        label, abstains = decide(dict(zip(classes, row.tolist())), threshold)
        labels.append(label)
        abstained += abstains
    return labels, abstained


def benchmark_rows(args, embed) -> tuple[list[dict], list[dict]]:
    from stancemap.config import StanceConfig
    from stancemap.nlp.default_models import ShippedModels, expected_calibration_error
    from stancemap.nlp.labelled import by_hash, item_queries

    threshold = StanceConfig().min_confidence
    current, previous = ShippedModels(), previous_models(args.previous_rev)
    multilingual = current.model_for("stance", "zh")
    rows, sweep = [], []
    for name, (lang, train, test, per_article) in held_out_sets(args).items():
        queries = item_queries(test, "stance")
        groups = units(test, per_article)
        truth = [TO_STANCE[test[g[0]].label] for g in groups]
        models = {"shipped default": (current, None)}
        if previous is not None:
            models = {f"previous default ({args.previous_rev})": (previous, None), **models}
        models[f"e5 multilingual ({multilingual})"] = (current, multilingual)
        lexical = lexicon(queries)
        majority = Counter(TO_STANCE[i.label] for i in train).most_common(1)[0][0]
        methods: dict[str, tuple] = {"lexicon": ([lexical[g[0]] for g in groups], None, truth)}
        for method, (source, head) in models.items():
            keep = list(range(len(groups)))
            if head and name in E5_SAMPLE:  # e5 encodes ~10/s: the training script's fixed sample
                chosen = set(map(id, by_hash(test, E5_SAMPLE[name])))
                keep = [k for k, g in enumerate(groups) if id(test[g[0]]) in chosen]
            probabilities, classes = model_probabilities(source, queries, embed, head)
            pooled = np.array([probabilities[groups[k]].mean(axis=0) for k in keep])
            labels = [TO_STANCE[classes[k]] for k in pooled.argmax(axis=1)]
            methods[method] = (labels, (pooled, classes), [truth[k] for k in keep])
            if method == "shipped default":
                for cut in SWEEP:
                    found, abstained = decided(pooled, classes, cut)
                    sweep.append({"set": name, "lang": lang, "threshold": cut, "abstained": abstained / len(groups),
                                  "macro_f1": score(truth, found)[0]})
        if not per_article and not args.skip_trained:
            methods["majority class"] = ([majority] * len(test), None, truth)
            methods["tfidf (trained on set)"] = (trained("tfidf", train, test, args.seed), None, truth)
            if not args.skip_transformer:
                sample = train[:args.transformer_items or None]
                methods[f"transformer (trained on {len(sample)})"] = (
                    trained("transformer", sample, test, args.seed), None, truth)
        for method, (predicted, probabilities, expected) in methods.items():
            found = row(name, lang, method, expected, predicted, len(train))
            if probabilities is not None:
                pooled, classes = probabilities
                labels, abstained = decided(pooled, classes, threshold)
                found.update(ece=expected_calibration_error(pooled, expected, [TO_STANCE[c] for c in classes]),
                             abstained=abstained / len(expected), abstained_f1=score(expected, labels)[0])
            rows.append(found)
    return rows, sweep


def row(name, lang, method, truth, predicted, trained_on) -> dict:
    coded = sum(p is not None for p in predicted)
    macro, accuracy = score(truth, [p or "neutral" for p in predicted])
    return {"set": name, "lang": lang, "method": method, "items": len(truth),
            "coded": coded / len(truth), "macro_f1": macro, "accuracy": accuracy,
            "train": trained_on}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-items", type=int, default=0,
                        help="held-out items per public set, a fixed sample (0 = all)")
    parser.add_argument("--persent-items", type=int, default=600,
                        help="PerSenT fixed_test paragraphs scored, a fixed sample (0 = all 5,874; "
                             "long paragraphs encode slowly)")
    parser.add_argument("--previous-rev", default=PREVIOUS_REV,
                        help="git revision whose nlp/models are the 'previous default' row")
    parser.add_argument("--transformer-items", type=int, default=300,
                        help="training items of the transformer row (0 = all; 4,096 PerSenT take ~20 min)")
    parser.add_argument("--skip-transformer", action="store_true")
    parser.add_argument("--skip-trained", action="store_true", help="no majority/TF-IDF/transformer rows")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from stancemap.nlp.default_models import ShippedModels
    from stancemap.nlp.encoder import E5Encoder, SentenceEncoder, make_encoder
    from stancemap.nlp.labelled import CachedEmbeddings

    embed = CachedEmbeddings(ROOT / ".cache" / "default-models",
                             {"minilm": SentenceEncoder(seed=args.seed), "e5": E5Encoder(),
                              "minilm-onnx": make_encoder("minilm-onnx"),
                              "minilm-onnx-int8": make_encoder("minilm-onnx-int8"),
                              "minilm-static": make_encoder("minilm-static")})
    started = time.perf_counter()
    print(f"{'set':<17} {'lang':<4} {'method':<38} {'items':>5} {'coded':>6} {'macro-F1':>9} "
          f"{'accuracy':>9} {'ECE':>6} {'abst.':>6} {'F1 abst.':>8}", flush=True)
    rows, sweep = benchmark_rows(args, embed)
    for r in rows:
        extra = (f" {r['ece']:>6.3f} {r['abstained']:>6.0%} {r['abstained_f1']:>8.3f}" if "ece" in r else "")
        print(f"{r['set']:<17} {r['lang']:<4} {r['method']:<38} {r['items']:>5} {r['coded']:>6.0%} "
              f"{r['macro_f1']:>9.3f} {r['accuracy']:>9.3f}{extra}", flush=True)
    print("\nshipped default: abstention rate / macro-F1 by stance.min_confidence")
    print(f"{'set':<17} " + " ".join(f"{t:>13}" for t in SWEEP))
    for name in dict.fromkeys(s["set"] for s in sweep):
        cells = [s for s in sweep if s["set"] == name]
        print(f"{name:<17} " + " ".join(f"{c['abstained']:>5.0%} / {c['macro_f1']:.3f}" for c in cells))
    print("\nout-of-fold cross-validation on the training parts (scripts/train_default_models.py)")
    models = ShippedModels()
    for task, routes in models.manifest["tasks"].items():
        for lang, name in routes.items():
            cv = models.spec(name).get("cross_validation", {})
            print(f"{task:<9} {lang:<2} {name:<20} {cv.get('items', 0):>6} items  macro-F1 "
                  f"{cv.get('macro_f1', float('nan')):.3f}  accuracy {cv.get('accuracy', float('nan')):.3f}  "
                  f"T {models.spec(name).get('temperature', '-')}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
