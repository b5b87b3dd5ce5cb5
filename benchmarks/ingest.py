"""Ingestion throughput: files/s and MB/s per format, stancemap's PDF speed against bare
pdfplumber `extract_text` over the same pages, and the peak memory of ingesting the hostile
test inputs. Prints a Markdown table.

    python benchmarks/ingest.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from stancemap.corpus.ingest import discover, ingest
from stancemap.corpus.sniff import sniff

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "corpus"
POLICY_PDF = ROOT.parent / "shared" / "testdata" / "hostile-inputs" / "pdfplumber" / "federal-register-2020-17221.pdf"
UNGDC = ROOT.parent / "shared" / "corpus-demo" / "ungdc"
HOSTILE = ROOT.parent / "shared" / "testdata" / "hostile-inputs"


def timed_ingest(files: list[Path], repeat: int) -> float:
    """Best-of-`repeat` seconds to ingest these files into a fresh project."""
    best = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "in"
            folder.mkdir()
            for path in files:
                shutil.copy(path, folder / path.name)
            start = time.perf_counter()
            ingest(folder, Path(tmp) / "project")
            best = min(best, time.perf_counter() - start)
    return best


def bare_pdfplumber(path: Path, repeat: int) -> float:
    import pdfplumber

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
        best = min(best, time.perf_counter() - start)
    return best


def row(label: str, files: list[Path], seconds: float) -> str:
    size = sum(p.stat().st_size for p in files) / 2**20
    return (f"| {label} | {len(files)} | {size:.2f} | {seconds:.2f} | "
            f"{len(files) / seconds:.1f} | {size / seconds:.2f} |")


BRIEF = EXAMPLES / "policy" / "digital_silk_road_brief.pdf"


def pdf_reader_rows(repeat: int) -> list[str]:
    """Pages/s of the two PDF readers alone and of the mixed path stancemap uses (PDFium,
    pdfplumber for table pages; OCR off), over the same files, best of `repeat`."""
    import pdfplumber
    import pypdfium2

    from stancemap.corpus.readers.pdf import page_text, read_pdf
    from stancemap.corpus.readers.pdfium_pages import page_text as pdfium_text

    def plumber(path):
        with pdfplumber.open(path) as pdf:
            return [page_text(page) for page in pdf.pages]

    def pdfium(path):
        doc = pypdfium2.PdfDocument(str(path))
        try:
            return [pdfium_text(doc[i], tables=False).text for i in range(len(doc))]
        finally:
            doc.close()

    def mixed(path):
        return read_pdf(path, {"ocr": "off"})

    def pages(path):
        doc = pypdfium2.PdfDocument(str(path))
        try:
            return len(doc)
        finally:
            doc.close()

    groups = [("policy brief, 2 pages (examples)", [BRIEF])]
    if POLICY_PDF.is_file():
        groups.append(("policy PDF, 15 pages, 3 columns (federal register)", [POLICY_PDF]))
    if HOSTILE.is_dir():
        readable = []
        for path in sorted(HOSTILE.rglob("*.pdf")):
            try:
                plumber(path), pdfium(path), mixed(path)
                readable.append(path)
            except Exception:  # noqa: BLE001 - files one reader refuses are left out of the timing
                continue
        groups.append((f"hostile set, {len(readable)} PDFs with text that both readers open", readable))
    out = []
    for label, files in groups:
        count = sum(pages(p) for p in files)
        rates = []
        for reader in (plumber, pdfium, mixed):
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                for path in files:
                    reader(path)
                best = min(best, time.perf_counter() - start)
            rates.append(count / best)
        out.append(f"| {label} | {count} | {rates[0]:.1f} | {rates[1]:.1f} | {rates[2]:.1f} | "
                   f"{rates[2] / rates[0]:.1f}x |")
    return out


def peak_memory(folder: Path) -> tuple[float, float, int]:
    """(peak RSS in MB, seconds, files) of `stancemap ingest folder` in a fresh process,
    from the kernel's accounting of the finished child (getrusage)."""
    import json
    import resource
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "stancemap", "ingest", str(folder),
                               "--project", str(Path(tmp) / "p"), "--json"],
                              capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        files = json.loads(done.stdout)["counts"]["files"] if done.stdout else 0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    return peak_kb / 1024, seconds, files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    groups: dict[str, list[Path]] = defaultdict(list)
    for path, _problem in discover(EXAMPLES, set()):
        groups[sniff(path, path.read_bytes()[:8192])].append(path)
    print("| input | files | MB | seconds | files/s | MB/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in sorted(groups):
        print(row(f"examples: {kind}", groups[kind], timed_ingest(groups[kind], args.repeat)))
    all_examples = [p for files in groups.values() for p in files]
    print(row("examples: all", all_examples, timed_ingest(all_examples, args.repeat)))
    if UNGDC.is_dir():
        speeches = sorted(UNGDC.glob("*_*_*.txt"))
        print(row("UN General Debate speeches (txt)", speeches, timed_ingest(speeches, args.repeat)))
    if POLICY_PDF.is_file():
        ours = timed_ingest([POLICY_PDF], args.repeat)
        bare = bare_pdfplumber(POLICY_PDF, args.repeat)
        print(row("policy PDF, 15 pages (stancemap)", [POLICY_PDF], ours))
        print(row("policy PDF, 15 pages (bare pdfplumber extract_text)", [POLICY_PDF], bare))
        print(f"\nPDF speed ratio, stancemap / bare pdfplumber: {bare / ours:.2f} "
              f"(stancemap also segments, detects language per passage, hashes and stores)")
    print("\n| PDF input | pages | pdfplumber pages/s | PDFium pages/s | mixed path pages/s "
          "| mixed / pdfplumber |")
    print("|---|---:|---:|---:|---:|---:|")
    for line in pdf_reader_rows(args.repeat):
        print(line)
    if HOSTILE.is_dir():
        peak, seconds, files = peak_memory(HOSTILE)
        print(f"\nPeak memory ingesting testdata/hostile-inputs ({files} files) in a fresh "
              f"process: {peak:.0f} MB in {seconds:.1f} s (limit 1536 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
