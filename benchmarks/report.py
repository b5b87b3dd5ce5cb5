"""Report size and speed on a large project: a coded project (default: the UNGDC demo, coded
without topics or sector embeddings) is copied inside its SQLite store until it holds about
--passages passages, then `stancemap report` is built with several --max-passages caps and,
when Debian's chromium is installed, opened headless to time the first full draw and a search.

    python benchmarks/report.py [--project CODED_DIR] [--passages 100000] [--caps 2000 20000 100000]

The copies are whole documents with new ids (same text, codes and mentions), so cells grow as
they would in a larger study of the same shape."""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNGDC = ROOT.parent / "shared" / "corpus-demo" / "ungdc"
FAST = "[sectors]\nembeddings = false\n[topics]\nenabled = false\n"
CHROMIUM = Path("/usr/bin/chromium")


def coded_demo(work: Path) -> Path:
    project = work / "ungdc"
    (work / "fast.toml").write_text(FAST, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "stancemap.cli.main", "run", str(UNGDC), "--project", str(project),
                    "--pattern", "{country}_{session}_{year}.txt", "--config", str(work / "fast.toml"), "-q"],
                   check=True)
    return project


def enlarge(project: Path, target: Path, passages: int) -> int:
    shutil.copytree(project, target)
    db = sqlite3.connect(target / "stancemap.db")
    have = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    copies = max(1, round(passages / have)) - 1
    tables = {"documents": ("doc_id",), "passages": ("passage_id", "doc_id"),
              "codes": ("passage_id", "doc_id"), "mentions": ("passage_id", "doc_id")}
    for copy in range(1, copies + 1):
        for table, keys in tables.items():
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")
                       if r[1] not in ("code_id", "mention_id")]
            chosen = [f"{c} || '~{copy}'" if c in keys else
                      (f"source_path || '#copy{copy}'" if c == "source_path" else c) for c in columns]
            db.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(chosen)} FROM {table} "
                       f"WHERE {keys[0]} NOT LIKE '%~%'")
    db.commit()
    total = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    db.close()
    return total


def open_in_chromium(path: Path) -> tuple[float, float]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = context.new_page()
        started = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_function("window.__reportReady === true", timeout=300_000)
        drawn = time.perf_counter() - started
        started = time.perf_counter()
        page.fill("#browser-search", "cooperation")
        page.wait_for_function("document.querySelectorAll('.kwic-key').length > 0", timeout=120_000)
        searched = time.perf_counter() - started - 0.2  # less the input's 200 ms debounce
        context.close()
    return drawn, searched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a coded project (default: code the UNGDC demo)")
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--caps", type=int, nargs="+", default=[2_000, 20_000, 100_000])
    args = parser.parse_args()
    from stancemap.datasets.report.build import build_report

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = args.project or coded_demo(work)
        big = work / "big"
        total = enlarge(source, big, args.passages)
        print(f"project: {total:,} passages\n")
        print("| --max-passages | embedded | build s | HTML MB | chromium draw s | search s |")
        print("|---:|---:|---:|---:|---:|---:|")
        sizes = []
        for cap in args.caps:
            out = work / f"report-{cap}.html"
            started = time.perf_counter()
            result = build_report(big, out, max_passages=cap, echo=lambda line: None)
            built = time.perf_counter() - started
            drawn, searched = open_in_chromium(out) if CHROMIUM.exists() else (float("nan"),) * 2
            sizes.append((result.embedded, result.bytes))
            print(f"| {cap:,} | {result.embedded:,} | {built:.1f} | {result.bytes / 1e6:.1f} | "
                  f"{drawn:.1f} | {searched:.2f} |", flush=True)
        if len(sizes) > 1 and sizes[-1][0] > sizes[0][0]:
            per = (sizes[-1][1] - sizes[0][1]) / (sizes[-1][0] - sizes[0][0])
            fixed = sizes[0][1] - per * sizes[0][0]
            print(f"\nsize ≈ {fixed / 1e6:.1f} MB (libraries, charts, every passage id and cell list) "
                  f"+ {per / 1e3:.2f} KB per embedded passage")


if __name__ == "__main__":
    main()
