"""Training time and prediction speed of the trainable classifiers, as a user meets them:
`stancemap train` on a project holding N human-coded stance items, then the saved model loaded
and predicting every passage.

    python benchmarks/train.py [--passages 2000] [--models tfidf transformer]

The N passages cycle through the hand-written labelled set (tests/data/stance_labelled.csv,
short) and the paragraphs of the UN General Debate speeches (long; truncated to the model's 128
tokens). The speeches carry no stance labels, so their labels cycle through the three classes:
the figures measure time, not accuracy (the tests measure accuracy)."""

from __future__ import annotations

import argparse
import csv
import itertools
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNGDC = ROOT.parent / "shared" / "corpus-demo" / "ungdc"
LABELLED = ROOT / "tests" / "data" / "stance_labelled.csv"
CLASSES = ("favour", "against", "neutral")


def rows(count: int) -> list[dict]:
    with LABELLED.open(encoding="utf-8") as handle:
        labelled = [{"target": r["target"], "text": r["text"], "stance": r["stance"]}
                    for r in csv.DictReader(handle)]
    speeches = []
    for path in sorted(UNGDC.glob("[A-Z][A-Z][A-Z]_*.txt")):
        for paragraph in path.read_text("utf-8").split("\n\n"):
            if len(paragraph.split()) >= 20:
                speeches.append({"target": "china", "text": " ".join(paragraph.split()),
                                 "stance": CLASSES[len(speeches) % 3]})
    mixed = [row for pair in itertools.zip_longest(labelled, speeches) for row in pair if row]
    return [{**row, "id": f"b{n:05d}", "text": f"{row['text']} [{n}]"}  # every passage distinct
            for n, row in zip(range(count), itertools.cycle(mixed))]


def labelled_project(folder: Path, count: int) -> Path:
    """A project whose passages are the N rows, coded by the default pipeline, with the labels
    imported as one coder's decisions."""
    from stancemap.annotations.codebook import load_codebook
    from stancemap.annotations.importer import import_decisions
    from stancemap.annotations.review import Decision
    from stancemap.config import Config
    from stancemap.corpus.ingest import ingest
    from stancemap.corpus.store import Store
    from stancemap.nlp.pipeline import code_project

    source = folder / "in"
    source.mkdir()
    with (source / "labels.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["id", "target", "text", "stance"])
        writer.writeheader()
        writer.writerows(rows(count))
    project = folder / "p"
    ingest(source, project, text_columns=["text"])
    config = Config()
    config.sectors.embeddings = False
    code_project(project, config, load_codebook(None))
    store = Store(project)
    decisions = [Decision(f"row {p['meta']['row']}", p["passage_id"], "stance", p["meta"]["target"],
                          [p["meta"]["stance"]], None, None, "bench")
                 for d in store.iter_documents() for p in store.passages_of(d["doc_id"])]
    store.dispose()
    import_decisions(project, decisions, load_codebook(None), path="labels.csv")
    return project


def measure(project: Path, model: str) -> dict:
    from stancemap.annotations.codebook import load_codebook
    from stancemap.corpus.store import Store
    from stancemap.nlp.training import load_model, model_input, train, training_examples

    codebook = load_codebook(None)
    report = train(project, "stance", codebook, model=model,
                   folds=5 if model == "tfidf" else None)
    classifier, meta = load_model(project, "stance", report.version)
    store = Store(project)
    inputs = [model_input(e.target, e.text, codebook) for e in training_examples(store, codebook, "stance")]
    store.dispose()
    start = time.perf_counter()
    classifier.predict_proba(inputs)
    seconds = time.perf_counter() - start
    return {"model": model, "examples": report.examples, "validation": report.metrics["validation"],
            "epochs": meta["hyperparameters"].get("epochs", ""), "train_s": report.seconds,
            "predict_per_s": len(inputs) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=2000)
    parser.add_argument("--models", nargs="+", default=["tfidf", "transformer"])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="stancemap-bench-train-"))
    try:
        start = time.perf_counter()
        project = labelled_project(folder, args.passages)
        print(f"project with {args.passages} coded passages built in {time.perf_counter() - start:.0f} s")
        results = [measure(project, model) for model in args.models]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'model':<12} {'examples':>8} {'validation':>12} {'epochs':>6} {'train s':>9} "
          f"{'train min':>9} {'predict passages/s':>19}")
    for r in results:
        print(f"{r['model']:<12} {r['examples']:>8} {r['validation']:>12} {r['epochs']!s:>6} "
              f"{r['train_s']:>9.1f} {r['train_s'] / 60:>9.1f} {r['predict_per_s']:>19.0f}")


if __name__ == "__main__":
    main()
