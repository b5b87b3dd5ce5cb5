"""Do the panel's 95% intervals contain the coders' share? Model-only vs corrected
(prediction-powered, from a random validation sample) vs coders-only, on labelled sets.

    python benchmarks/validity.py [--draws 200] [--cells 8] [--rates 0.05,0.1,0.2]

Sets (../shared/testdata/labelled and tests/data): PerSenT `fixed_test` (English news
paragraphs; a document is a source), NewsMTSC `train` (English news sentences; an article is a
source), RuSentNE-2023 (Russian news sentences, each its own source; the 20 % held out as
scripts/train_default_models.py holds it out), the project's stance set (300 sentences, each
its own source). The model: the lexicon stancemap codes English with (clause VADER, the
default sentiment stage; a label from the compound score as the stance stage makes one), and
for Russian, which the lexicon does not read, TF-IDF trained on RuSentNE's other 80 %.

Cells: sources shuffled (seeded) and cut into cells of about --sizes (200, 100 and 60)
passages, up to --cells of each. In every cell, per draw, a simple random sample of the rate
x N passages is "coded" (its gold labels revealed); three indicators per cell (share
negative/against, share positive/favour, net = positive - negative). Columns: coverage of the
cell's true (coders') value by each interval, mean width, and how often the corrected figure
was refused (fewer than MIN_VALIDATED coded passages; refused draws are left out of its
coverage and width, and `human` is then compared on the same draws); `worst`: the corrected
coverage of the indicator that fared worst (the rarest class, usually)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LABELLED = ROOT.parent / "shared" / "testdata" / "labelled"
OWN = ROOT / "tests" / "data" / "stance_labelled.csv"
POLARITY = {"positive": 1, "favour": 1, "negative": -1, "against": -1, "neutral": 0}
NEWSMTSC = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}


def lexicon(texts: list[str]) -> list[str]:
    from stancemap.nlp.sentiment import vader
    from stancemap.nlp.stance import stance_label

    analyzer = vader()
    return [stance_label(analyzer.polarity_scores(t)["compound"]) for t in texts]


def newsmtsc() -> list[tuple[str, str, str]]:
    """(text, label, article) per sentence's first target."""
    found = []
    with (LABELLED / "newsmtsc" / "train.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            label = NEWSMTSC.get(record["targets"][0]["polarity"])
            if label:
                article = "_".join(record["primary_gid"].split("_")[:3])
                found.append((record["sentence_normalized"], label, article))
    return found


def labelled_sets() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """name -> (model polarity, gold polarity, source id) per item."""
    from stancemap.nlp.labelled import persent, rusentne, split_by_group, stance_csv
    from stancemap.nlp.tfidf import TfidfClassifier

    sets = {}
    items = persent(LABELLED / "persent", "fixed_test")
    sets["PerSenT"] = ([i.text for i in items], [i.label for i in items], [i.group for i in items], None)
    news = newsmtsc()
    sets["NewsMTSC"] = ([t for t, _, _ in news], [lab for _, lab, _ in news], [a for _, _, a in news], None)
    train, test = split_by_group(rusentne(LABELLED / "rusentne"))
    model = TfidfClassifier(seed=0).fit([(i.target, i.text) for i in train], [i.label for i in train])
    sets["RuSentNE"] = ([i.text for i in test], [i.label for i in test], [i.group for i in test],
                        model.predict([(i.target, i.text) for i in test]))
    own = stance_csv(OWN)
    sets["own stance set"] = ([i.text for i in own], [i.label for i in own], [i.group for i in own], None)
    out = {}
    for name, (texts, gold, groups, predicted) in sets.items():
        predicted = predicted if predicted is not None else lexicon(texts)
        _, source = np.unique(np.asarray(groups), return_inverse=True)
        out[name] = (np.array([POLARITY[p] for p in predicted]), np.array([POLARITY[g] for g in gold]),
                     source)
    return out


def cells(sources: np.ndarray, size: int, limit: int, rng) -> list[np.ndarray]:
    """Indices of up to `limit` cells of about `size` items, whole sources each."""
    order = rng.permutation(np.unique(sources))
    members = defaultdict(list)
    for index, source in enumerate(sources):
        members[source].append(index)
    found, current = [], []
    for source in order:
        current.extend(members[source])
        if len(current) >= size:
            found.append(np.array(current))
            current = []
            if len(found) == limit:
                break
    return found


INDICATORS = {"negative share": lambda v: (v < 0).astype(float),
              "positive share": lambda v: (v > 0).astype(float),
              "net": lambda v: v.astype(float)}


def interval(kind: str, values: np.ndarray, clusters: np.ndarray):
    from stancemap.datasets.correction import net_interval, share_interval

    return (net_interval if kind == "net" else share_interval)(values, clusters)


def simulate(model, gold, sources, cell, rate, draws, rng) -> dict[str, list]:
    from stancemap.datasets.correction import corrected_mean

    tally = defaultdict(list)
    n_cell = len(cell)
    coded = max(1, round(rate * n_cell))
    for kind, transform in INDICATORS.items():
        f, y, s = transform(model[cell]), transform(gold[cell]), sources[cell]
        truth = float(y.mean())
        _, lo, hi = interval(kind, f, s)
        tally["model_cover"].append(lo <= truth <= hi)
        tally["model_width"].append(hi - lo)
        for _ in range(draws):
            picked = np.zeros(n_cell, dtype=bool)
            picked[rng.choice(n_cell, coded, replace=False)] = True
            fixed = corrected_mean("net" if kind == "net" else "share", f, s, picked, y,
                                   np.full(n_cell, n_cell / coded))
            tally["refused"].append(fixed.flag is not None)
            if fixed.flag is not None:
                continue
            tally["ppi_cover"].append(fixed.lo <= truth <= fixed.hi)
            tally[f"ppi_cover {kind}"].append(fixed.lo <= truth <= fixed.hi)
            tally["ppi_width"].append(fixed.hi - fixed.lo)
            _, lo, hi = interval(kind, y[picked], s[picked])
            tally["human_cover"].append(lo <= truth <= hi)
            tally["human_width"].append(hi - lo)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--cells", type=int, default=8, help="cells of each size per set at most")
    parser.add_argument("--sizes", default="200,100,60", help="cell sizes (passages, about)")
    parser.add_argument("--rates", default="0.05,0.1,0.2")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    print(f"{'set':<15} {'cell':>9} {'rate':>5} {'model cov':>9} {'width':>6} {'corrected cov':>13} "
          f"{'width':>6} {'worst':>6} {'human cov':>9} {'width':>6} {'refused':>8}", flush=True)
    for name, (model, gold, sources) in labelled_sets().items():
        for size in (int(v) for v in args.sizes.split(",")):
            found = cells(sources, size, args.cells, rng)
            if not found:
                continue
            n = int(np.median([len(c) for c in found]))
            for rate in rates:
                tally = defaultdict(list)
                for cell in found:
                    for key, values in simulate(model, gold, sources, cell, rate, args.draws, rng).items():
                        tally[key].extend(values)

                def mean(key):
                    return f"{np.mean(tally[key]):.3f}" if tally[key] else "-"
                worst = min((np.mean(tally[f"ppi_cover {k}"]) for k in INDICATORS if tally[f"ppi_cover {k}"]),
                            default=None)
                print(f"{name:<15} {f'{len(found)}x{n}':>9} {rate:>5.0%} {mean('model_cover'):>9} "
                      f"{mean('model_width'):>6} {mean('ppi_cover'):>13} {mean('ppi_width'):>6} "
                      f"{'-' if worst is None else f'{worst:.3f}':>6} "
                      f"{mean('human_cover'):>9} {mean('human_width'):>6} "
                      f"{np.mean(tally['refused']):>8.0%}", flush=True)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
