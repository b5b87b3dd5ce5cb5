"""Stance coverage per language: of the passages that name China, the share that get a stance
code toward China from the default stance stage (the analyser finds the target, the shipped
model codes it).

    python benchmarks/coverage.py [--items 300]

Passages: RuSentNE-2023 sentences whose marked entity is China (Китай, КНР, Пекин; Russian) and
PerSenT `fixed_test` paragraphs with the word "China" (English), as the issue's aim compares
them (Russian at least 80 % of the English share). No Chinese or Central Asian news naming China
is in ../shared, so those languages are not measured here (tests/nlp/test_default_models.py
checks that Chinese passages naming a target get flagged codes)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LABELLED = ROOT.parent / "shared" / "testdata" / "labelled"


def passages(items: int) -> dict[str, list[str]]:
    from stancemap.nlp.labelled import persent, rusentne

    russian = sorted({i.text for i in rusentne(LABELLED / "rusentne")
                      if re.match(r"(Кита|КНР|Пекин)", i.target)})
    english = sorted({i.text for i in persent(LABELLED / "persent", "fixed_test")
                      if re.search(r"\bChina\b", i.text)})
    return {"ru": russian[:items], "en": english[:items]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=300, help="passages per language at most")
    args = parser.parse_args()

    from stancemap.annotations.codebook import load_codebook
    from stancemap.nlp.analysis import Analyser
    from stancemap.nlp.default_stage import DefaultStance

    analyser, stage = Analyser(load_codebook(None)), DefaultStance()
    shares = {}
    print(f"{'lang':<5} {'passages':>8} {'with a China stance code':>25} {'share':>7}")
    for lang, texts in passages(args.items).items():
        analyses = analyser.analyse(texts, [lang] * len(texts))
        coded = sum(any(c.target == "china" for c in codes)
                    for codes in stage.code_passages(texts, analyses))
        shares[lang] = coded / len(texts)
        print(f"{lang:<5} {len(texts):>8} {coded:>25} {shares[lang]:>7.0%}")
    print(f"Russian share / English share: {shares['ru'] / shares['en']:.2f} (aim >= 0.80)")


if __name__ == "__main__":
    main()
