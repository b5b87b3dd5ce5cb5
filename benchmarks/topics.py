"""LDA against the multilingual embedding topic method: coherence on held-out passages per
language, topic diversity, coverage per language, fit time and peak memory, and whether Article 1
of the UDHR in six languages lands in one topic.

    python benchmarks/topics.py [--topics 10] [--seed 0] [--scale 100000]

Passages: the UN General Debate speeches in ../shared/corpus-demo/ungdc (English paragraphs of 80
characters or more), Russian news on international relations (a seeded sample of 600 paragraphs
of 80 characters or more from the RuSentRel articles and of 150 RuSentNE sentences,
../shared/testdata/labelled), and Article 1 of the
UDHR in en/ru/zh/kk/ky/uz (tests/data/udhr_article1.tsv; ../shared has no other Chinese text).
A seeded 20 % of each language is held out; both methods are fitted on the rest with the same
number of topics. c_npmi (gensim, window 10) is computed on the held-out passages of each language,
as words and two-word phrases in text order (topic_terms.terms, the same for both methods),
with the 10 top terms each topic has in that language (the embedding method's c-TF-IDF terms per
language; for LDA the topic's most probable terms of that language); terms absent from the held-out
passages are skipped. Diversity: distinct terms among all topics' top 25 in the language, over
25 x topics. Time and memory are for the fit alone (encoding is timed apart; vectors are cached in
.cache/topics-bench); memory is the tracemalloc peak (Python and NumPy allocations).

--scale N also fits the embedding method on N passages made by repeating the real ones (vectors
with small seeded noise), to show time and memory at that size; encoding time at that size is
extrapolated from the measured encoding rate."""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
UNGDC = SHARED / "corpus-demo" / "ungdc"
RUSENTREL = SHARED / "testdata" / "labelled" / "rusentrel" / "train"
RUSENTNE = SHARED / "testdata" / "labelled" / "rusentne" / "train_data.csv"
UDHR = ROOT / "tests" / "data" / "udhr_article1.tsv"


def load_passages(seed: int) -> list[tuple[str, str, str]]:
    from stancemap.corpus.segment import segment

    rng = random.Random(seed)
    passages = []
    for path in sorted(UNGDC.glob("*_*_*.txt")):
        raw = path.read_text("utf-8")
        passages += [(f"{path.stem}-{i}", raw[s.start:s.end], "en")
                     for i, s in enumerate(segment(raw, 3000)[0]) if s.end - s.start >= 80]
    russian = []
    for path in sorted(RUSENTREL.glob("art*.txt")):
        if path.name.count(".") > 1:  # art1.opin.txt, art1.author.txt
            continue
        lines = [line.replace("{Author, Unknown}", "").strip()
                 for line in path.read_text("utf-8").splitlines()]
        russian += [(f"{path.stem}-{i}", line, "ru") for i, line in enumerate(lines) if len(line) >= 80]
    with RUSENTNE.open(encoding="utf-8") as handle:
        sentences = sorted({row["sentence"] for row in csv.DictReader(handle, delimiter="\t")})
    russian = rng.sample(russian, min(600, len(russian)))
    russian += [(f"rusentne-{i}", s, "ru") for i, s in enumerate(rng.sample(sentences, 150))]
    passages += russian
    with UDHR.open(encoding="utf-8") as handle:
        passages += [(f"udhr-{r['lang']}", r["text"], r["lang"])
                     for r in csv.DictReader(handle, delimiter="\t")]
    return passages


def split(passages, seed: int):
    rng = random.Random(seed)
    train, held = [], []
    for p in passages:
        (held if not p[0].startswith("udhr") and rng.random() < 0.2 else train).append(p)
    return train, held


def measured(fit):
    """The fit's result, its seconds, and its peak traced MiB (from a second, traced run:
    tracing slows Python code down)."""
    started = time.perf_counter()
    result = fit()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    fit()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak / 2 ** 20


def lda_terms_by_lang(modeler, train, size: int = 25) -> dict[str, list[list[str]]]:
    """Each LDA topic's most probable terms that occur in the language's training passages
    (a phrase "a_b" counts for the language of its words)."""
    from stancemap.nlp.topic_terms import words

    vocab: dict[str, set[str]] = {}
    for _, text, lang in train:
        vocab.setdefault(lang, set()).update(w for w in words(text, lang) if w)
    ranked = [[t for t, _ in modeler.model_.show_topic(k, topn=2000)]
              for k in range(modeler.model_.num_topics)]
    return {lang: [[t.replace("_", " ") for t in topic if all(part in known for part in t.split("_"))][:size]
                   for topic in ranked] for lang, known in vocab.items()}


def coherence(topics: list[list[str]], held_texts: list[list[str]]) -> float | None:
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    dictionary = Dictionary(held_texts)
    kept = [[t for t in topic if t in dictionary.token2id][:10] for topic in topics]
    kept = [t for t in kept if len(t) >= 2]
    if not kept:
        return None
    return CoherenceModel(topics=kept, texts=held_texts, dictionary=dictionary, coherence="c_npmi",
                          processes=1).get_coherence()


def diversity(topics: list[list[str]], size: int = 25) -> float | None:
    topics = [t[:size] for t in topics if t]
    if not topics:
        return None
    return len({w for t in topics for w in t}) / (size * len(topics))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topics", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=int, default=0)
    args = parser.parse_args()
    from stancemap.config import TopicConfig
    from stancemap.nlp.embedding_topics import MINIBATCH_FROM, fit_embedding_topics
    from stancemap.nlp.encoder import E5Encoder
    from stancemap.nlp.topic_terms import terms
    from stancemap.nlp.topics import TopicModeler
    from stancemap.nlp.vectors import VectorCache, text_key

    passages = load_passages(args.seed)
    train, held = split(passages, args.seed)
    langs = sorted({p[2] for p in passages})
    counts = ", ".join(f"{lang} {sum(p[2] == lang for p in passages)}" for lang in langs)
    print(f"passages: {len(passages)} ({counts}); held out {len(held)}; topics {args.topics}; "
          f"seed {args.seed}")
    encoder = E5Encoder()
    cache = VectorCache(ROOT / ".cache" / "topics-bench", encoder.version)
    todo = sum(1 for p in train if text_key(p[1]) not in cache.known)
    started = time.perf_counter()
    vectors = cache.encode([p[1] for p in train], encoder)
    encode_seconds = time.perf_counter() - started
    rate = todo / encode_seconds if todo else None
    print(f"encoding: {todo} new passages in {encode_seconds:.1f} s"
          + (f" ({rate:.1f} passages/s)" if rate else " (all cached)"))

    config = TopicConfig(num_topics=args.topics, seed_words=False)
    rows = []
    modeler = TopicModeler(config, args.seed, None)
    lda, lda_s, lda_mb = measured(lambda: modeler.fit(train, "0" * 64))
    emb, emb_s, emb_mb = measured(lambda: fit_embedding_topics(
        train, vectors, config, args.seed, "0" * 64, {}, {}))
    held_texts = {lang: [terms(text, lang) for _, text, l in held if l == lang] for lang in langs}
    emb_terms = {lang: [[w for w, _ in t["terms_by_lang"].get(lang, [])] for t in emb.topics]
                 for lang in langs}
    for name, result, seconds, mb, by_lang in (("lda", lda, lda_s, lda_mb, lda_terms_by_lang(modeler, train)),
                                               ("embedding", emb, emb_s, emb_mb, emb_terms)):
        for lang in langs:
            members = [p[0] for p in train if p[2] == lang]
            covered = sum(1 for pid in members if pid in result.shares)
            topics_in = [t for t in by_lang.get(lang, []) if t]
            c = coherence(topics_in, held_texts[lang]) if held_texts[lang] else None
            rows.append((name, lang, len(members), covered, len(topics_in), c, diversity(topics_in)))
        print(f"{name}: fit {seconds:.1f} s, peak {mb:.0f} MiB")
    print()
    print("| method | lang | train passages | with a topic | topics with terms | c_npmi (held out) "
          "| diversity |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, lang, n, covered, k, c, d in rows:
        print(f"| {name} | {lang} | {n} | {covered} | {k} | {'—' if c is None else f'{c:.3f}'} | "
              f"{'—' if d is None else f'{d:.2f}'} |")
    udhr = [p[0] for p in train if p[0].startswith("udhr")]
    for name, result in (("lda", lda), ("embedding", emb)):
        main = {pid: max(row, key=lambda s: s[1])[0] for pid, row in result.shares.items()}
        found = {pid.split("-")[1]: main.get(pid) for pid in udhr}
        print(f"UDHR article 1, {name}: topic per language {found} -> "
              f"{len({v for v in found.values() if v is not None})} distinct topic(s), "
              f"{sum(v is None for v in found.values())} without a topic")
    print()
    for topic in emb.topics:
        print(f"{topic['id']} {topic['label']} ({topic['passages']} passages: {topic['languages']})")
    if args.scale:
        rng = np.random.default_rng(args.seed)
        reps = -(-args.scale // len(train))
        big = [(f"{pid}#{r}", text, lang) for r in range(reps) for pid, text, lang in train][:args.scale]
        big_vectors = np.tile(vectors, (reps, 1))[:args.scale]
        big_vectors = big_vectors + rng.normal(0, 0.01, big_vectors.shape).astype(np.float32)
        result, seconds, mb = measured(lambda: fit_embedding_topics(
            big, big_vectors, config, args.seed, "0" * 64, {}, {}))
        print(f"\nscale: embedding fit on {len(big):,} passages ({args.topics} topics; MiniBatchKMeans "
              f"from {MINIBATCH_FROM:,}): {seconds:.1f} s, peak {mb:.0f} MiB "
              f"(the vectors themselves: {big_vectors.nbytes / 2 ** 20:.0f} MiB)")
        if rate:
            print(f"encoding {len(big):,} passages at the measured rate: {len(big) / rate / 3600:.1f} h")


if __name__ == "__main__":
    sys.exit(main())
