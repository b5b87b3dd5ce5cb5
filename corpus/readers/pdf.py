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


def page_text(page) -> str:
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
