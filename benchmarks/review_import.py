"""`stancemap review import` on a 1,000,000-row review CSV: wall time and peak memory (the
child process's max RSS) for the shapes a team meets — an untouched export (every coder cell
empty), rows naming passages the project does not have, and one item repeated on every row.
Each import runs in its own process; prints a Markdown table.

    python benchmarks/review_import.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stancemap.annotations.review_files import COLUMNS

ROOT = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: int, shape: str, real: tuple[str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(rows):
            passage = real[0] if shape == "repeated" else f"{n:016x}-00001"
            value = "" if shape == "untouched" else "negative"
            row = {"item_id": f"{passage}|sentiment|", "passage_id": passage, "dimension": "sentiment",
                   "target": "", "allowed_values": "positive; negative; neutral; none",
                   "model_value": "positive", "model_score": "0.4", "model_source": "model:vader@3.3",
                   "coder_value": value, "text_sha": real[1] if shape == "repeated" else "",
                   "title": "Interview 12", "text": "A passage of an ordinary length, " * 4}
            writer.writerow([row.get(c, "") for c in COLUMNS])


def run(path: Path, project: Path) -> tuple[float, float, int, str]:
    command = [sys.executable, "-c", (
        "import resource, subprocess, sys\n"
        f"p = subprocess.run([sys.executable, '-m', 'stancemap', 'review', 'import', {str(path)!r},"
        f" '--project', {str(project)!r}, '--annotator', 'bench'], capture_output=True, text=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)\n"
        "print((p.stdout + p.stderr).strip().splitlines()[0][:90] if (p.stdout + p.stderr).strip() else '')")]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    first, message = (done.stdout.splitlines() + [""])[:2]
    rss_kb, code = first.split()
    return seconds, int(rss_kb) / 1024, int(code), message


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    from stancemap.annotations.review_project import export_review
    from stancemap.annotations.codebook import load_codebook
    from stancemap.config import Config
    from stancemap.corpus.ingest import ingest

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        (tmp / "in" / "a.txt").write_text("One paragraph.\n\nAnother paragraph.\n", encoding="utf-8")
        ingest(tmp / "in", tmp / "p", config=Config())
        export_review(tmp / "p", tmp / "one.csv", load_codebook(), dims=["sector"])
        with (tmp / "one.csv").open(encoding="utf-8") as handle:
            first = next(csv.DictReader(handle))
        real = (first["passage_id"], first["text_sha"])
        print(f"| file ({args.rows:,} rows) | size MB | seconds | peak RSS MB | exit | first line |")
        print("|---|---:|---:|---:|---:|---|")
        for shape in ("untouched", "unknown passages", "repeated"):
            path = tmp / f"{shape}.csv"
            write_csv(path, args.rows, shape, real)
            seconds, rss, code, message = run(path, tmp / "p")
            print(f"| {shape} | {path.stat().st_size / 2**20:.0f} | {seconds:.1f} | {rss:.0f} | {code} | "
                  f"{message.replace('|', '/')} |")
            path.unlink()


if __name__ == "__main__":
    main()
