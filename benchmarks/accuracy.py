"""Stance accuracy per labelled set x method, on items the method was not trained on.

    python benchmarks/accuracy.py [--test-items 0] [--en-items 0] [--ru-items 0]
                                  [--transformer-items 300] [--skip-transformer]

Sets, split as scripts/train_default_models.py splits them: PerSenT (English news paragraphs;
train on `dev`, score on all 5,874 `fixed_test` paragraphs), RuSentNE-2023 (Russian news
sentences; fixed 80/20 split by sentence, 1,369 scored), the project's stance set
(tests/data/stance_labelled.csv; fixed 80/20 split by item, 57 scored). Methods: the lexicon
(clause VADER, English only: other languages get no code, scored as neutral, and the `coded`
column says so), the shipped default models, the majority class, TF-IDF trained on the set's
training split, and the MiniLM transformer `stancemap train` fits (2 epochs, top 2 layers) on
--transformer-items of that split (0 = all; all 4,096 PerSenT paragraphs take ~20 minutes on
two cores). Embeddings are cached in .cache/default-models (shared with the training script)."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LABELLED = ROOT.parent / "shared" / "testdata" / "labelled"
OWN = ROOT / "tests" / "data" / "stance_labelled.csv"
TO_STANCE = {"positive": "favour", "negative": "against", "neutral": "neutral"}


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


def shipped(queries, embed) -> list[str]:
    from stancemap.nlp.default_models import ShippedModels

    return [TO_STANCE[label] for label, _, _ in ShippedModels().predict("stance", queries, embed)]


def trained(kind: str, train, test, seed: int) -> list[str]:
    from stancemap.nlp.finetune import TransformerClassifier
    from stancemap.nlp.tfidf import TfidfClassifier

    model = (TfidfClassifier(seed=seed) if kind == "tfidf" else
             TransformerClassifier(epochs=2, trainable_layers=2, seed=seed))
    model.fit([(i.target, i.text) for i in train], [TO_STANCE.get(i.label, i.label) for i in train])
    return model.predict([(i.target, i.text) for i in test])


def held_out_sets(args) -> dict[str, tuple[str, list, list]]:
    """name -> (language, training items, held-out items), as the training script splits them."""
    from stancemap.nlp.labelled import located, public_splits, split_by_group, stance_csv

    splits = public_splits(LABELLED, args.seed, args.en_items, args.ru_items, args.test_items)
    own_train, own_test = split_by_group(located(stance_csv(OWN)))
    return {"PerSenT": ("en", *splits["en"]), "RuSentNE-2023": ("ru", *splits["ru"]),
            "own stance set": ("en", own_train, own_test)}


def benchmark_rows(args, embed) -> list[dict]:
    from stancemap.nlp.labelled import item_queries

    rows = []
    for name, (lang, train, test) in held_out_sets(args).items():
        found = item_queries(test, "stance")
        truth = [TO_STANCE[i.label] for i in test]
        majority = Counter(TO_STANCE[i.label] for i in train).most_common(1)[0][0]
        methods = {"lexicon": lexicon(found), "shipped default": shipped(found, embed),
                   "majority class": [majority] * len(test),
                   "tfidf (trained on set)": trained("tfidf", train, test, args.seed)}
        if not args.skip_transformer:
            sample = train[:args.transformer_items or None]
            methods[f"transformer (trained on {len(sample)})"] = trained("transformer", sample, test, args.seed)
        for method, predicted in methods.items():
            rows.append(row(name, lang, method, truth, predicted, len(train)))
    return rows


def row(name, lang, method, truth, predicted, trained_on) -> dict:
    coded = sum(p is not None for p in predicted)
    macro, accuracy = score(truth, [p or "neutral" for p in predicted])
    return {"set": name, "lang": lang, "method": method, "items": len(truth),
            "coded": coded / len(truth), "macro_f1": macro, "accuracy": accuracy,
            "train": trained_on}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-items", type=int, default=0,
                        help="held-out items per public set (0 = all: 5,874 PerSenT, 1,369 RuSentNE)")
    parser.add_argument("--en-items", type=int, default=0, help="PerSenT dev paragraphs sampled (0 = all)")
    parser.add_argument("--ru-items", type=int, default=0, help="RuSentNE training rows sampled (0 = all)")
    parser.add_argument("--transformer-items", type=int, default=300,
                        help="training items of the transformer row (0 = all; 4,096 PerSenT take ~20 min)")
    parser.add_argument("--skip-transformer", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from stancemap.nlp.encoder import E5Encoder, SentenceEncoder
    from stancemap.nlp.labelled import CachedEmbeddings

    embed = CachedEmbeddings(ROOT / ".cache" / "default-models",
                             {"minilm": SentenceEncoder(seed=args.seed), "e5": E5Encoder()})
    started = time.perf_counter()
    print(f"{'set':<16} {'lang':<4} {'method':<30} {'items':>5} {'coded':>6} {'macro-F1':>9} "
          f"{'accuracy':>9}", flush=True)
    for r in benchmark_rows(args, embed):
        print(f"{r['set']:<16} {r['lang']:<4} {r['method']:<30} {r['items']:>5} {r['coded']:>6.0%} "
              f"{r['macro_f1']:>9.3f} {r['accuracy']:>9.3f}", flush=True)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
