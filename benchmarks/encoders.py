"""Held-out macro-F1 of the English heads on each MiniLM variant's embeddings, against fp32.

    python benchmarks/encoders.py [--variants minilm minilm-int8 ...] [--en-items 1500]
                                  [--test-items 1000] [--seed 0]

For every variant, the shipped English heads (en-minilm-stance, en-minilm-sentiment) are
re-fitted as scripts/train_default_models.py fits them — the same parts, C, seed and training
items (a seeded sample of PerSenT `dev` plus the project's stance set's fixed 80 %, each of its
items weighing `own_item_weight`) — on that variant's embeddings, and scored on a seeded sample
of PerSenT `fixed_test` and the stance set's other 20 %. The "shipped" columns score the heads
as they ship (fitted on fp32) on the variant's embeddings without re-fitting: how far a variant
moves the codes of models already in use. Also: the cosine of each variant's embedding to fp32's
on the held-out texts. Embeddings are cached in .cache/default-models (shared with the
training script, keyed by the encoder's version). Adoption rule (issue 27): a variant may
replace fp32 when it loses no more than 0.01 macro-F1 on any row."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT.parent / "shared" / "testdata" / "labelled"
OWN = ROOT / "tests" / "data" / "stance_labelled.csv"
HEADS = ("en-minilm-stance", "en-minilm-sentiment")


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", nargs="+",
                        default=["minilm", "minilm-int8", "minilm-onnx", "minilm-onnx-int8"],
                        help="encoder names (stancemap.nlp.encoder.ENCODERS); the first is the reference")
    parser.add_argument("--en-items", type=int, default=1500, help="PerSenT dev paragraphs (0 = all 4,096)")
    parser.add_argument("--test-items", type=int, default=1000, help="PerSenT fixed_test paragraphs (0 = all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "default-models")
    args = parser.parse_args()

    import numpy as np

    from stancemap.nlp.default_models import EmbeddingHead, ShippedModels, head_features
    from stancemap.nlp.encoder import make_encoder
    from stancemap.nlp.labelled import (CachedEmbeddings, item_queries, located, public_splits,
                                        split_by_group, stance_csv)

    base, test = public_splits(LABELLED, args.seed, args.en_items, 0, args.test_items)["en"]
    own_train, own_test = split_by_group(located(stance_csv(OWN)))
    sets = {"PerSenT fixed_test": test, "stance set 20 %": own_test}
    shipped = ShippedModels()
    embed = CachedEmbeddings(args.cache, {v: make_encoder(v, args.seed) for v in args.variants})
    rows, reference = [], args.variants[0]
    for name in HEADS:
        spec = shipped.spec(name)
        weight = float(spec.get("own_item_weight", 0))
        train = base + (own_train if weight else [])
        weights = [1.0] * len(base) + [weight] * (len(train) - len(base))
        for variant in args.variants:
            def features(items, variant=variant):
                return head_features(item_queries(items, spec["task"]), spec["parts"],
                                     lambda texts: embed(variant, texts))
            head = EmbeddingHead(C=spec["C"], seed=args.seed).fit(
                features(train), [i.label for i in train], sample_weight=weights)
            for label, items in sets.items():
                truth = [i.label for i in items]
                found = features(items)
                as_shipped = [spec["classes"][k] for k in
                              shipped.probabilities(name, item_queries(items, spec["task"]),
                                                    lambda _, texts: embed(variant, texts)).argmax(1)]
                rows.append((name, label, len(items), variant, macro_f1(truth, head.predict(found)),
                             macro_f1(truth, as_shipped)))
    print(f"\ntraining: {len(base)} PerSenT dev paragraphs + {len(own_train)} stance-set items; "
          f"seed {args.seed}\n")
    print("| head | held-out set | items | encoder | re-fitted macro-F1 | delta vs fp32 "
          "| shipped head macro-F1 | delta vs fp32 |")
    print("|---|---|---:|---|---:|---:|---:|---:|")
    first = {(n, s): (refit, ship) for n, s, _, v, refit, ship in rows if v == reference}
    for name, label, count, variant, refit, ship in rows:
        ref_refit, ref_ship = first[(name, label)]
        print(f"| {name} | {label} | {count} | {variant} | {refit:.4f} | {refit - ref_refit:+.4f} "
              f"| {ship:.4f} | {ship - ref_ship:+.4f} |")
    texts = [q.text for q in item_queries(test, "sentiment")]
    fp32 = embed(reference, texts)
    for variant in args.variants[1:]:
        cosine = (fp32 * embed(variant, texts)).sum(axis=1)
        print(f"\ncosine {variant} to {reference} on {len(texts)} held-out passages: mean "
              f"{cosine.mean():.4f}, 5th percentile {np.percentile(cosine, 5):.4f}, min {cosine.min():.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
