"""The English sentiment cascade: macro-F1 and the share of passages encoded at each threshold.

    python benchmarks/cascade.py [--cascade en-sentiment] [--corpus ../shared/corpus-demo/ungdc]

The shipped cascade (nlp/models/manifest.json) codes a passage with its cheap member (TF-IDF +
VADER, no encoder) when that member's calibrated top probability reaches the threshold τ, else
with its MiniLM member (the only step that encodes). For every τ the training script swept, the
table gives: the out-of-fold macro-F1 and share encoded on the MiniLM member's training items
(stored by scripts/train_default_models.py, which chose τ from them: the lowest within its
tolerance of the MiniLM member alone); the same on the held-out sets the training script scores
for English sentiment (PerSenT fixed_test, a fixed 600; the project's stance set, 20 % by item:
57 items, one item ≈ 0.02 macro-F1); and on the English passages of the UN General Debate
speeches the pipeline benchmark codes (no labels there: the share of windows and of passages
encoded, how often the cascade's label equals the MiniLM member's alone, and the labels' counts).
Windows as the sentiment stage cuts them (`sentiment.window_chars`), sentences cut by the
pipeline's regex fallback rather than spaCy. τ = 1.0 never uses the cheap member: the MiniLM member alone."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LABELLED = ROOT.parent / "shared" / "testdata" / "labelled"
OWN = ROOT / "tests" / "data" / "stance_labelled.csv"
UNGDC = ROOT.parent / "shared" / "corpus-demo" / "ungdc"


def held_out() -> dict[str, list]:
    """The held-out items the training script scores English sentiment on."""
    from stancemap.nlp.labelled import by_hash, located, persent, split_by_group, stance_csv

    return {"PerSenT (600)": by_hash(persent(LABELLED / "persent", "fixed_test"), 600),
            "stance set (57)": split_by_group(located(stance_csv(OWN)))[1]}


def corpus_queries(corpus: Path, window_chars: int):
    """(queries, passage of each query) for the corpus's English passages, in stage windows."""
    from stancemap.config import Config
    from stancemap.corpus.ingest import ingest
    from stancemap.nlp.analysis import _regex_sentences
    from stancemap.nlp.default_stage import passage_windows, window_query

    with tempfile.TemporaryDirectory() as tmp:
        ingest(corpus, Path(tmp) / "project", config=Config())
        with sqlite3.connect(Path(tmp) / "project" / "stancemap.db") as conn:
            texts = [r[0] for r in conn.execute(
                "SELECT p.text FROM passages p JOIN documents d USING (doc_id) "
                "WHERE d.retired_at IS NULL AND p.lang = 'en' ORDER BY p.passage_id")]
    queries, owner = [], []
    for index, text in enumerate(texts):
        sentences = _regex_sentences(text)
        for window in passage_windows(len(text), sentences, window_chars):
            queries.append(window_query("en", "", text, [], sentences, window))
            owner.append(index)
    return queries, np.array(owner)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cascade", default="en-sentiment", help="the cascade's name in the manifest")
    parser.add_argument("--corpus", type=Path, default=UNGDC)
    args = parser.parse_args()

    from sklearn.metrics import f1_score

    from stancemap.config import SentimentConfig
    from stancemap.nlp.default_models import ShippedModels
    from stancemap.nlp.encoder import SentenceEncoder
    from stancemap.nlp.labelled import CachedEmbeddings, item_queries

    models = ShippedModels()
    spec = models.spec(args.cascade)
    cheap, full = spec["members"]
    encoder = SentenceEncoder()
    cached = CachedEmbeddings(ROOT / ".cache" / "default-models", {spec["encoder"]: encoder})

    def members(queries, embed):
        """Calibrated probabilities of both members on every query (to combine at each τ)."""
        return models.probabilities(cheap, queries, embed), models.probabilities(full, queries, embed)

    sets = {name: (members(item_queries(items, "sentiment"), cached), [i.label for i in items])
            for name, items in held_out().items()}
    queries, owner = corpus_queries(args.corpus, SentimentConfig().window_chars)
    corpus = members(queries, lambda _, texts: encoder.encode(texts))
    print(f"{args.cascade}: {cheap} (calibrated) codes when its top probability ≥ τ, else {full}; "
          f"shipped τ = {spec['threshold']} (out-of-fold tolerance {spec['tolerance']}); "
          f"{args.corpus.name}: {owner.max() + 1} English passages, {len(queries)} windows\n")
    header = ["τ", "out-of-fold encoded", "out-of-fold macro-F1"]
    for name in sets:
        header += [f"{name} encoded", f"{name} macro-F1"]
    header += [f"{args.corpus.name} windows encoded", f"{args.corpus.name} passages encoded",
               f"{args.corpus.name} same label as {full}",
               f"{args.corpus.name} windows {' / '.join(spec['classes'])}"]
    print("| " + " | ".join(header) + " |\n|" + "---:|" * len(header))
    full_labels = corpus[1].argmax(axis=1)
    alone = {"threshold": 1.0, "encoded": 1.0, "macro_f1": models.spec(full)["cross_validation"]["macro_f1"]}
    for row in spec["sweep"] + [alone]:
        tau = row["threshold"]
        cells = [f"{tau:.2f}" + (" (shipped)" if tau == spec["threshold"] else ""),
                 f"{row['encoded']:.0%}", f"{row['macro_f1']:.4f}"]
        for (light, heavy), truth in sets.values():
            deferred = light.max(axis=1) < tau
            chosen = np.where(deferred[:, None], heavy, light).argmax(axis=1)
            predicted = [spec["classes"][k] for k in chosen]
            cells += [f"{deferred.mean():.0%}", f"{f1_score(truth, predicted, labels=sorted(set(truth)), average='macro', zero_division=0):.4f}"]
        light, heavy = corpus
        deferred = light.max(axis=1) < tau
        chosen = np.where(deferred[:, None], heavy, light).argmax(axis=1)
        cells += [f"{deferred.mean():.0%}", f"{len(set(owner[deferred])) / (owner.max() + 1):.0%}",
                  f"{(chosen == full_labels).mean():.0%}",
                  " / ".join(str(n) for n in np.bincount(chosen, minlength=len(spec["classes"])))]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
