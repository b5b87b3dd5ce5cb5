"""PDF text per page with pdfplumber, keeping where each page starts."""

from __future__ import annotations

import re
from pathlib import Path

from stancemap.corpus.document import RawDocument, TextBuilder
from stancemap.errors import Errors, FileProblem

_CID = re.compile(r"\(cid:\d+\)")


def garbage_share(text: str) -> float:
    """Share of characters that are (cid:NN) codes, replacement or private-use characters."""
    if not text:
        return 0.0
    cid = sum(len(m) for m in _CID.findall(text))
    rest = _CID.sub("", text)
    bad = sum(1 for c in rest if c == "\ufffd" or "\ue000" <= c <= "\uf8ff"
              or (not c.isprintable() and c not in "\n\t "))
    return (cid + bad) / len(text)


def _pdf_date(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    match = re.match(r"D?:?(\d{4})(\d{2})?(\d{2})?", str(value or ""))
    if not match:
        return None
    year, month, day = match.groups()
    return "-".join(part for part in (year, month, day) if part)


def _meta_text(value) -> str | None:
    if isinstance(value, bytes):
        for encoding in ("utf-16", "latin-1"):
            try:
                value = value.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    value = str(value or "").strip()
    return value or None


def _problem(err: Exception) -> FileProblem:
    """pdfplumber wraps pdfminer's errors; look inside for the encryption ones."""
    inner = [err, *err.args, err.__cause__, err.__context__]
    names = " ".join(type(e).__name__ for e in inner if isinstance(e, Exception))
    if "Password" in names or "Encrypt" in names:
        return FileProblem("failed", Errors.R_ENCRYPTED)
    cause = next((e for e in inner[1:] if isinstance(e, Exception)), err)
    return FileProblem("failed", Errors.R_PDF_BROKEN.format(
        reason=f"{type(cause).__name__}: {cause}".rstrip(": ")))


def column_layout(page) -> tuple[list[float], float]:
    """x positions of the gutters between text columns — vertical strips of the page body that
    (almost) no word crosses, with enough text on both sides — and the y where the body starts
    (above it, running heads span the page). No cuts for one-column pages."""
    x0, top, x1, bottom = page.bbox
    band = (top + 0.08 * (bottom - top), bottom - 0.08 * (bottom - top))  # skip running heads
    all_words = page.extract_words()
    words = [w for w in all_words if w["top"] >= band[0] and w["bottom"] <= band[1]]
    if len(words) < 40:
        return [], top
    left, right = min(w["x0"] for w in words), max(w["x1"] for w in words)
    width = int(right - left) + 1
    coverage = [0] * (width + 1)
    for word in words:
        for x in range(int(word["x0"] - left), min(width, int(word["x1"] - left) + 1)):
            coverage[x] += 1
    lines = len({round(w["top"]) for w in words})
    tolerance = max(2, int(0.02 * lines))
    cuts, run_start = [], None
    for x, count in enumerate(coverage):
        if count <= tolerance:
            run_start = x if run_start is None else run_start
            continue
        if run_start is not None and x - run_start >= 5 and 0.1 * width < run_start and x < 0.9 * width:
            cuts.append(left + (run_start + x) / 2)
        run_start = None
    bounds = [left] + cuts + [right]
    for a, b in zip(bounds, bounds[1:]):  # every column must hold a real share of the words
        if sum(1 for w in words if a <= (w["x0"] + w["x1"]) / 2 < b) < 0.1 * len(words):
            return [], top
    heads = [w["bottom"] for w in all_words if w["top"] < top + 0.15 * (bottom - top)
             and any(w["x0"] < cut < w["x1"] for cut in cuts)]
    return cuts, (max(heads) + 0.5 if heads else top)


def page_text(page) -> str:
    """Text column by column, so that multi-column layouts are not read across."""
    try:
        cuts, body_top = column_layout(page)
    except (ValueError, KeyError, ZeroDivisionError):
        cuts = []
    if not cuts:
        return _lines_text(page)
    x0, top, x1, bottom = page.bbox
    edges = [x0] + cuts + [x1]
    blocks = [_lines_text(page.within_bbox((x0, top, x1, body_top)))] if body_top > top else []
    blocks += [_lines_text(page.within_bbox((a, body_top, b, bottom))) for a, b in zip(edges, edges[1:])]
    return "\n\n".join(b for b in blocks if b)


def _lines_text(page) -> str:
    """The page's lines, with a blank line where the layout shows a paragraph break: a
    vertical gap taller than most, or a short line that ends a sentence."""
    lines = page.extract_text_lines(return_chars=False, strip=True)
    if not lines:
        return ""
    heights = sorted(line["bottom"] - line["top"] for line in lines)
    height = heights[len(heights) // 2] or 1.0
    gaps = sorted(b["top"] - a["bottom"] for a, b in zip(lines, lines[1:]) if b["top"] > a["bottom"])
    usual_gap = gaps[len(gaps) // 2] if gaps else 0.0
    right = max(line["x1"] for line in lines)
    left = min(line["x0"] for line in lines)
    out = [lines[0]["text"]]
    for previous, line in zip(lines, lines[1:]):
        gap = line["top"] - previous["bottom"]
        short = previous["x1"] < left + 0.75 * (right - left)
        ends_sentence = previous["text"].rstrip().endswith((".", "!", "?", ":", "。", "！", "？"))
        new_paragraph = gap > usual_gap + 0.6 * height or (short and ends_sentence)
        out.append(("\n\n" if new_paragraph else "\n") + line["text"])
    return "".join(out)


def read_pdf(path: Path, options: dict) -> list[RawDocument]:
    import pdfplumber

    garbage_limit = options.get("garbage_share", 0.3)
    try:
        pdf = pdfplumber.open(path, password="")
    except Exception as err:  # pdfminer raises many unrelated types for broken files
        raise _problem(err) from err
    with pdf:
        builder = TextBuilder()
        pages: list[int] = []
        empty_pages: list[int] = []
        try:
            for number, page in enumerate(pdf.pages, start=1):
                pages.append(builder.length + (2 if builder.length else 0))
                if builder.add(page_text(page)) is None:
                    empty_pages.append(number)
                    pages[-1] = builder.length
        except Exception as err:
            raise _problem(err) from err
        info = pdf.metadata or {}
    text = builder.text()
    if not pages:
        raise FileProblem("failed", Errors.R_PDF_BROKEN.format(reason="it has no pages"))
    if not text:
        raise FileProblem("failed", Errors.R_PDF_IMAGE_ONLY.format(pages=len(pages)))
    share = garbage_share(text)
    if share > garbage_limit:
        raise FileProblem("failed", Errors.R_PDF_GARBAGE.format(share=share))
    warnings = []
    if empty_pages:
        listed = ", ".join(map(str, empty_pages[:20])) + (" …" if len(empty_pages) > 20 else "")
        warnings.append(f"{len(empty_pages)} page(s) have no text layer (image-only?): {listed}")
    if share > 0.02:
        warnings.append(f"{share:.0%} of characters are (cid:NN) codes or unprintable")
    return [RawDocument(text=text, pages=pages, title=_meta_text(info.get("Title")),
                        date=_pdf_date(info.get("CreationDate")), warnings=warnings)]
