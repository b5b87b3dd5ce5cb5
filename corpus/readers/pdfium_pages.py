"""Fast page text with PDFium (pypdfium2): the text runs PDFium reports per line, grouped into
lines and columns with the same geometry rules as the pdfplumber reader, so both cut
paragraphs alike. A page whose runs look like a table is left to pdfplumber."""

from __future__ import annotations

from dataclasses import dataclass

from stancemap.corpus.limits import uninterrupted
from stancemap.corpus.readers.layout import gutters, join_lines

# a line split into this many runs, with wide gaps between them, is a table row
TABLE_RUNS = 3
TABLE_SHARE = 0.4
TABLE_MIN_ROWS = 4
TABLE_CELL_CHARS = 24  # median characters of a cell; a text column's lines are longer
# runs are line pieces, not words: fewer of them make a column
MIN_RUNS = 16


@dataclass
class PdfiumPage:
    text: str
    layout: str  # "flow", "columns", "table" (left to pdfplumber), "rotated", "empty"


def _clean(text: str) -> str:
    return text.replace("\ufffe", "-").replace("\x02", "-").replace("\r", "").replace("\n", " ")


def _runs(textpage, height: float) -> list[dict]:
    """Text runs with their boxes. PDFium's own line breaks cut the page text; a line's
    rectangles are merged where they are close (one flow of words), and only a line with wide
    gaps — table cells, or two columns PDFium read as one line — is split, by each
    character's box."""
    text = textpage.get_text_range()
    if len(text) != textpage.count_chars():  # characters beyond the BMP: offsets differ
        return _bounded_runs(textpage, height, textpage.count_rects())
    runs, position = [], 0
    for line in text.split("\r\n"):
        if line.strip():
            count = textpage.count_rects(position, len(line))
            groups = _merged([textpage.get_rect(i) for i in range(count)])
            if len(groups) == 1:
                runs.append(_run(groups[0], _clean(line), height))
            elif groups:
                runs += _split_line(textpage, line, position, groups, height)
        position += len(line) + 2
    return runs


def _run(box, text: str, height: float) -> dict:
    left, bottom, right, top = box
    return {"x0": left, "x1": right, "top": height - top, "bottom": height - bottom, "text": text}


def _merged(rects: list[tuple]) -> list[list[float]]:
    """Rectangles left to right, merged unless a gap wider than the line is tall parts them."""
    groups: list[list[float]] = []
    for left, bottom, right, top in sorted(rects):
        if groups and left - groups[-1][2] <= max(top - bottom, groups[-1][3] - groups[-1][1]):
            group = groups[-1]
            group[:] = [group[0], min(group[1], bottom), max(group[2], right), max(group[3], top)]
        else:
            groups.append([left, bottom, right, top])
    return groups


def _split_line(textpage, line: str, position: int, groups: list[list[float]],
                height: float) -> list[dict]:
    """Each character to the group its box lies in (spaces follow the character before)."""
    pieces = [[] for _ in groups]
    current = 0
    for offset, char in enumerate(line):
        if not char.isspace():
            left, _, right, _ = textpage.get_charbox(position + offset)
            middle = (left + right) / 2
            current = min(range(len(groups)), key=lambda g: 0 if groups[g][0] <= middle <= groups[g][2]
                          else min(abs(middle - groups[g][0]), abs(middle - groups[g][2])))
        pieces[current].append(char)
    return [_run(box, _clean("".join(chars)), height)
            for box, chars in zip(groups, pieces) if "".join(chars).strip()]


def _bounded_runs(textpage, height: float, count: int) -> list[dict]:
    """Runs of the `count` rectangles PDFium counted last, each with its text (slow: each
    get_text_bounded call scans the page)."""
    runs = []
    for number in range(count):
        box = textpage.get_rect(number)
        piece = _clean(textpage.get_text_bounded(*box))
        if piece.strip():
            runs.append(_run(box, piece, height))
    return runs


def _lines(runs: list[dict]) -> list[list[dict]]:
    """Runs grouped into lines: a run whose vertical middle falls inside the current line's
    extent belongs to it. Lines top to bottom, runs left to right."""
    lines: list[list[dict]] = []
    for run in sorted(runs, key=lambda r: (r["top"], r["x0"])):
        middle = (run["top"] + run["bottom"]) / 2
        if lines:
            line = lines[-1]
            top, bottom = min(r["top"] for r in line), max(r["bottom"] for r in line)
            if top <= middle <= bottom:
                line.append(run)
                continue
        lines.append([run])
    return [sorted(line, key=lambda r: r["x0"]) for line in lines]


def _line(runs: list[dict]) -> dict:
    """One line's text: runs joined, with a space where the layout leaves a gap (a run
    boundary alone — a change of font — is no word break)."""
    height = max(r["bottom"] for r in runs) - min(r["top"] for r in runs)
    text = runs[0]["text"]
    for previous, run in zip(runs, runs[1:]):
        gap = run["x0"] - previous["x1"]
        if gap > 0.2 * height and not text.endswith(" ") and not run["text"].startswith(" "):
            text += " "
        text += run["text"]
    return {"text": " ".join(text.split()), "x0": runs[0]["x0"], "x1": max(r["x1"] for r in runs),
            "top": min(r["top"] for r in runs), "bottom": max(r["bottom"] for r in runs)}


def _is_table(lines: list[list[dict]]) -> bool:
    """Rows cut into several short runs by wide gaps (wider than the line is tall). Lines of
    text columns are long runs; table cells are short ones."""
    rows, cells = 0, []
    for runs in lines:
        height = max(r["bottom"] for r in runs) - min(r["top"] for r in runs)
        gaps = sum(1 for a, b in zip(runs, runs[1:]) if b["x0"] - a["x1"] > 1.5 * max(height, 1))
        if gaps + 1 >= TABLE_RUNS:
            rows += 1
            cells += [len(r["text"].strip()) for r in runs]
    if rows < TABLE_MIN_ROWS or rows < TABLE_SHARE * len(lines):
        return False
    return sorted(cells)[len(cells) // 2] <= TABLE_CELL_CHARS


def page_text(page, tables: bool = True) -> PdfiumPage:
    """One pypdfium2 page's text, column by column, paragraphs separated by blank lines;
    with `tables`, a page that looks like a table is only flagged (its text left to pdfplumber)."""
    with uninterrupted():
        textpage = page.get_textpage()
    try:
        if page.get_rotation() % 360:  # runs are in unrotated space: keep PDFium's own order
            text = textpage.get_text_range().replace("\ufffe", "-").replace("\r\n", "\n")
            return PdfiumPage(text, "rotated" if text.strip() else "empty")
        width, height = page.get_size()
        runs = _runs(textpage, height)
    finally:
        with uninterrupted():
            textpage.close()
    if not runs:
        return PdfiumPage("", "empty")
    if tables and _is_table(_lines(runs)):
        return PdfiumPage("", "table")
    cuts, body_top = gutters(runs, (0.0, 0.0, width, height), min_boxes=MIN_RUNS)
    edges = [float("-inf")] + cuts + [float("inf")]
    head = [r for r in runs if r["bottom"] <= body_top] if cuts else []
    body = [r for r in runs if r["bottom"] > body_top] if head else runs
    blocks = [head] + [[r for r in body if a <= (r["x0"] + r["x1"]) / 2 < b]
                       for a, b in zip(edges, edges[1:])]
    texts = [join_lines([_line(line) for line in _lines(block)]) for block in blocks if block]
    return PdfiumPage("\n\n".join(t for t in texts if t), "columns" if cuts else "flow")


def scanned_with_layer(page) -> bool:
    """A scan that already carries an OCR layer: one image covers most of the page and most
    of the text is invisible (render mode 3) — the layer a scanner's OCR wrote, often garbage."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    area = max(width * height, 1.0)
    covered, texts, invisible = 0.0, 0, 0
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for index in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            texts += 1
            invisible += pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
            if texts - invisible > 50 and covered < 0.7:  # a born-digital page: stop looking
                return False
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE and pdfium_c.FPDFPageObj_GetBounds(
                obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)):
            covered = max(covered, (right.value - left.value) * (top.value - bottom.value) / area)
    return covered >= 0.7 and texts > 0 and invisible >= 0.8 * texts
