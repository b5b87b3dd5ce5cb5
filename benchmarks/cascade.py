"""The English cascades: macro-F1 and the share the MiniLM member codes at each threshold.

    python benchmarks/cascade.py [--cascade en-sentiment | en-stance] [--corpus ../shared/corpus-demo/ungdc]

A shipped cascade (nlp/models/manifest.json) codes a query with its first member whose calibrated
top probability reaches that member's threshold τ, else with its last, MiniLM, member (the only
step that runs the transformer): en-sentiment = TF-IDF + VADER → static MiniLM → MiniLM,
en-stance = static MiniLM → MiniLM. For each member but the last and every τ the training script
swept (the other members' thresholds at their shipped values), the table gives: the out-of-fold
macro-F1 and share MiniLM codes on the MiniLM member's training items (stored by
scripts/train_default_models.py, which chose each τ from them: the lowest within its tolerance of
the MiniLM member alone); the same on the held-out sets the training script scores (PerSenT
fixed_test, a fixed 600; NewsMTSC's held-out 20 % for stance; the project's stance set, 20 % by
item: 57 items, one item ≈ 0.02 macro-F1); and, for sentiment, on the English passages of the UN
General Debate speeches the pipeline benchmark codes (no labels there: the share of windows and
of passages MiniLM encodes, how often the cascade's label equals the MiniLM member's alone, the
labels' counts and the mean score, P(positive) − P(negative), as the stage's `score`; windows as the sentiment stage cuts them, sentences cut by the pipeline's
regex fallback rather than spaCy). Stance's share of target clauses encoded on the UN speeches is
counted by `benchmarks/pipeline.py --part coding`. τ = 1.0 for every member: MiniLM alone."""

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


def held_out(task: str) -> dict[str, list]:
    """The held-out items the training script scores the English `task` on."""
    from stancemap.nlp.labelled import by_hash, labelled_sets, located, persent, split_by_group, stance_csv

    found = {"PerSenT (600)": by_hash(persent(LABELLED / "persent", "fixed_test"), 600)}
    if task == "stance":
        found["NewsMTSC (20 %)"] = labelled_sets(LABELLED)["newsmtsc"][2]
    found["stance set (57)"] = split_by_group(located(stance_csv(OWN)))[1]
    return found


def combine(found: list[np.ndarray], thresholds: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """The cascade's probabilities from every member's (`found`, in order) and the index of the
    member that coded each row: the first sure of it at its threshold, else the last."""
    chosen, coded_by = found[-1].copy(), np.full(len(found[-1]), len(found) - 1)
    for j in reversed(range(len(found) - 1)):
        sure = found[j].max(axis=1) >= thresholds[j]
        chosen[sure], coded_by[sure] = found[j][sure], j
    return chosen, coded_by


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
    from stancemap.nlp.encoder import make_encoder
    from stancemap.nlp.labelled import CachedEmbeddings, item_queries

    models = ShippedModels()
    spec = models.spec(args.cascade)
    members, shipped, task, last = spec["members"], spec["thresholds"], spec["task"], len(spec["members"]) - 1
    encoders = {m["encoder"]: make_encoder(m["encoder"]) for m in map(models.spec, members) if m.get("encoder")}
    cached = CachedEmbeddings(ROOT / ".cache" / "default-models", encoders)

    def every_member(queries, embed) -> list[np.ndarray]:
        """Calibrated probabilities of every member on every query (to combine at each τ)."""
        return [models.probabilities(m, queries, embed) for m in members]

    sets = {name: (every_member(item_queries(items, task), cached), [i.label for i in items])
            for name, items in held_out(task).items()}
    corpus = None
    if task == "sentiment":
        queries, owner = corpus_queries(args.corpus, SentimentConfig().window_chars)
        corpus = every_member(queries, lambda name, texts: encoders[name].encode(texts))
        full_labels = corpus[-1].argmax(axis=1)
        positive, negative = spec["classes"].index("positive"), spec["classes"].index("negative")
    print(f"{args.cascade}: {' → '.join(members)}; shipped τ {shipped} (out-of-fold tolerance "
          f"{spec['tolerance']}); {args.corpus.name + f': {owner.max() + 1} English passages, {len(queries)} windows' if corpus else ''}\n")
    header = ["member", "τ", "out-of-fold MiniLM codes", "out-of-fold macro-F1"]
    for name in sets:
        header += [f"{name} MiniLM codes", f"{name} macro-F1"]
    if corpus:
        header += [f"{args.corpus.name} windows encoded", f"{args.corpus.name} passages encoded",
                   f"{args.corpus.name} same label as MiniLM alone",
                   f"{args.corpus.name} windows {' / '.join(spec['classes'])}",
                   f"{args.corpus.name} mean score"]
    print("| " + " | ".join(header) + " |\n|" + "---|---:|" + "---:|" * (len(header) - 2))
    alone = {"threshold": 1.0, "encoded": 1.0, "macro_f1": models.spec(members[-1])["cross_validation"]["macro_f1"]}
    rows = [(j, r) for j, m in enumerate(members[:-1]) for r in spec["sweeps"][m]] + [(None, alone)]
    for j, row in rows:
        thresholds = [1.0] * last if j is None else [*shipped[:j], row["threshold"], *shipped[j + 1:]]
        mark = " (shipped)" if j is not None and row["threshold"] == shipped[j] else ""
        cells = [members[j] if j is not None else f"{members[-1]} alone", f"{row['threshold']:.2f}{mark}",
                 f"{row['encoded']:.0%}", f"{row['macro_f1']:.4f}"]
        for found, truth in sets.values():
            chosen, coded_by = combine(found, thresholds)
            predicted = [spec["classes"][k] for k in chosen.argmax(axis=1)]
            cells += [f"{(coded_by == last).mean():.0%}",
                      f"{f1_score(truth, predicted, labels=sorted(set(truth)), average='macro', zero_division=0):.4f}"]
        if corpus:
            chosen, coded_by = combine(corpus, thresholds)
            encoded = coded_by == last
            labels = chosen.argmax(axis=1)
            cells += [f"{encoded.mean():.0%}", f"{len(set(owner[encoded])) / (owner.max() + 1):.0%}",
                      f"{(labels == full_labels).mean():.0%}",
                      " / ".join(str(n) for n in np.bincount(labels, minlength=len(spec["classes"]))),
                      f"{(chosen[:, positive] - chosen[:, negative]).mean():+.3f}"]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
