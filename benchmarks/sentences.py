"""Sentences from spaCy's sentence recogniser (`senter`, what the English analyser uses) against
its dependency parser (what it used before entity stage 1.1): what changes, and what it saves.

    python benchmarks/sentences.py [--rounds 2]

Nothing in the coder reads a parse but the sentence boundaries (stance and sentiment windows,
quotes), so the parser can give way to the model's own `senter` when the codes stay. On the
UNGDC speeches, the example corpus (`examples/corpus`) and `tests/data` (their passages as
`ingest` makes them) and the project's stance set (`tests/data/stance_labelled.csv`, one passage
per item): sentence ends each finds and shares, passages whose sentences, mentions, target or
sector hits differ; the codes of the default configuration with either (every passage of the
example corpus, tests/data and the stance set; of UNGDC, the passages whose analyses differ),
and agreement with the stance set's gold. Speed: bare `nlp.pipe` over the UNGDC passages with
the parser and with the senter, taking turns for --rounds passes (best pass each)."""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
import warnings
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {"UNGDC": ROOT.parent / "shared" / "corpus-demo" / "ungdc",
           "example corpus": ROOT / "examples" / "corpus", "tests/data": ROOT / "tests" / "data"}
STANCE_SET = ROOT / "tests" / "data" / "stance_labelled.csv"


def ingested(corpus: Path) -> list:
    from stancemap.config import Config
    from stancemap.corpus.ingest import ingest
    from stancemap.corpus.store import Store
    from stancemap.nlp.pipeline import _batches

    with tempfile.TemporaryDirectory() as tmp:
        ingest(corpus, Path(tmp) / "project", config=Config())
        store = Store(Path(tmp) / "project", create=False)
        passages = [p for _, batch in _batches(store, "benchmark", True, 256) for p in batch]
        store.dispose()
    return [p for p in passages if p.lang == "en"]


def coders():
    """The default coder, and the same with the parser giving the sentences."""
    from stancemap.annotations.codebook import load_codebook
    from stancemap.config import Config
    from stancemap.nlp.analysis import SPACY_MODEL, EnglishAnalyser
    from stancemap.nlp.coder import Coder

    class ParserAnalyser(EnglishAnalyser):
        @staticmethod
        def _load():
            return __import__(SPACY_MODEL).load()

    senter, parser = Coder(load_codebook(), Config()), Coder(load_codebook(), Config())
    parser.analyser._english = ParserAnalyser(parser.codebook, parser.config.coding.spacy_batch_size)
    return parser, senter


def codes(coder, passages) -> dict[tuple, dict]:
    found = {}
    for start in range(0, len(passages), 256):
        for code in coder.code_batch(passages[start:start + 256]).codes:
            found[(code["passage_id"], code["dimension"], code["target"])] = code
    return found


def main() -> int:
    parser_ = argparse.ArgumentParser(description=__doc__,
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
    parser_.add_argument("--rounds", type=int, default=2)
    args = parser_.parse_args()
    warnings.filterwarnings("ignore")
    from stancemap.nlp.base import PassageInput

    sets = {name: ingested(path) for name, path in CORPORA.items()}
    gold = list(csv.DictReader(STANCE_SET.open(encoding="utf-8")))
    sets["stance set"] = [PassageInput(r["id"], "d", 0, r["text"], "en", {}, {}, "other", None)
                          for r in gold]
    parser, senter = coders()
    print("| passages | English passages | sentences, parser | sentences, senter | sentence ends "
          "shared | passages with other sentences | … other mentions | … other target hits "
          "| … other sector hits |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    differing = {}
    for name, passages in sets.items():
        texts = [p.text for p in passages]
        a, b = parser.analyser.english.analyse(texts), senter.analyser.english.analyse(texts)
        ends_a = [{e for _, e in x.sentences} for x in a]
        ends_b = [{e for _, e in x.sentences} for x in b]
        differ = {k: sum(asdict(x)[k] != asdict(y)[k] for x, y in zip(a, b))
                  for k in ("sentences", "mentions", "targets", "sectors")}
        differing[name] = [p for p, x, y in zip(passages, a, b) if asdict(x) != asdict(y)]
        print(f"| {name} | {len(passages)} | {sum(map(len, ends_a))} | {sum(map(len, ends_b))} | "
              f"{sum(len(x & y) for x, y in zip(ends_a, ends_b))} | {differ['sentences']} | "
              f"{differ['mentions']} | {differ['targets']} | {differ['sectors']} |")
    print("\n| passages coded | dimension | codes, parser | codes, senter | value differs "
          "| mean abs. score difference |")
    print("|---|---|---:|---:|---:|---:|")
    coded = {}
    for name, passages in sets.items():
        chosen = differing[name] if name == "UNGDC" else passages
        label = f"{name} ({len(chosen)} whose analyses differ)" if name == "UNGDC" else name
        coded[name] = found = (codes(parser, chosen), codes(senter, chosen))
        for dimension in ("stance", "sentiment", "sector", "country"):
            a = {k: c for k, c in found[0].items() if k[1] == dimension}
            b = {k: c for k, c in found[1].items() if k[1] == dimension}
            both = a.keys() & b.keys()
            changed = sum(a[k]["value"] != b[k]["value"] for k in both) + len(a.keys() ^ b.keys())
            scores = [abs((a[k]["score"] or 0) - (b[k]["score"] or 0)) for k in both]
            print(f"| {label} | {dimension} | {len(a)} | {len(b)} | {changed} | "
                  f"{sum(scores) / max(1, len(scores)):.4f} |")
    agree = [sum(found.get((r["id"], "stance", r["target"]), {}).get("value", "none") == r["stance"]
                 for r in gold) for found in coded["stance set"]]
    print(f"\nstance set: {agree[0]} (parser) and {agree[1]} (senter) of {len(gold)} stance codes "
          "agree with the gold")
    texts = [p.text for p in sets["UNGDC"]]
    pipes = {"parser": parser.analyser.english.nlp, "senter": senter.analyser.english.nlp}
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.rounds):
        for name, nlp in pipes.items():
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in nlp.pipe(texts, batch_size=64):
                pass
            found = (time.perf_counter() - wall, time.process_time() - cpu)
            best[name] = min(best.get(name, found), found)
    print(f"\nspaCy with the codebook's ruler over {len(texts)} UNGDC passages, best of {args.rounds}: "
          + "; ".join(f"{name} {wall:.1f} s wall, {cpu:.1f} s CPU" for name, (wall, cpu) in best.items())
          + f"; senter / parser CPU {best['senter'][1] / best['parser'][1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
