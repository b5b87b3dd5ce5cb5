"""PDF text per page with pdfplumber, keeping where each page starts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stancemap.corpus.document import RawDocument, TextBuilder
from stancemap.corpus.limits import uninterrupted
from stancemap.corpus.readers.layout import gutters, join_lines
from stancemap.errors import Errors, FileProblem

_CID = re.compile(r"\(cid:\d+\)")
_REPLACED = re.compile("[\ufffd\ue000-\uf8ff]")


def garbage_share(text: str) -> float:
    """Share of characters that are (cid:NN) codes, replacement or private-use characters."""
    if not text:
        return 0.0
    cid = sum(len(m) for m in _CID.findall(text))
    rest = _CID.sub("", text)
    if rest.replace("\n", "").replace("\t", "").isprintable():  # the usual case, in C
        bad = len(_REPLACED.findall(rest))
    else:
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
    """gutters() of a pdfplumber page, from its words."""
    return gutters(page.extract_words(), page.bbox)


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


def table_page_text(page) -> str:
    """A page laid out as a table: the tables pdfplumber finds (ruled cells) as rows of
    ' | '-joined cells, the text around them as lines; without ruled tables, one line per row."""
    try:
        tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    except (ValueError, KeyError, ZeroDivisionError):
        tables = []
    if not tables:
        return _lines_text(page)
    x0, top, x1, bottom = page.bbox
    blocks, position = [], top
    for table in tables:
        if table.bbox[1] > position:
            blocks.append(_lines_text(page.within_bbox((x0, position, x1, table.bbox[1]))))
        rows = table.extract()
        blocks.append("\n".join(" | ".join(" ".join((cell or "").split()) for cell in row)
                                for row in rows if any(row)))
        position = max(position, table.bbox[3])
    if position < bottom:
        blocks.append(_lines_text(page.within_bbox((x0, position, x1, bottom))))
    return "\n\n".join(b for b in blocks if b)


def _lines_text(page) -> str:
    return join_lines(page.extract_text_lines(return_chars=False, strip=True))


class _Plumber:
    """pdfplumber opened on first need (a page with a table, or a file PDFium cannot open);
    its failure is remembered so it is reported, not retried page after page."""

    def __init__(self, path: Path):
        self.path = path
        self.pdf = None
        self.error: str | None = None

    def open(self):
        if self.pdf is None and self.error is None:
            import pdfplumber

            try:
                self.pdf = pdfplumber.open(self.path, password="")
            except Exception as err:  # pdfminer raises many unrelated types for broken files
                problem = _problem(err)
                if problem.reason == Errors.R_ENCRYPTED:
                    raise problem from err
                self.error = _reason(err)
        return self.pdf

    def table_text(self, index: int) -> str | None:
        pdf = self.open()
        if pdf is None:
            return None
        try:
            return table_page_text(pdf.pages[index])
        except Exception as err:  # noqa: BLE001 - one bad page falls back to PDFium's text
            self.error = _reason(err)
            return None

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _reason(err: Exception) -> str:
    inner = [e for e in (err.__cause__, err.__context__, *err.args) if isinstance(e, Exception)]
    cause = inner[0] if inner else err
    return f"{type(cause).__name__}: {cause}".rstrip(": ")[:200]


@dataclass
class _Page:
    text: str
    reader: str
    ocr: bool = False
    confidence: float | None = None
    replaced_layer: bool = False  # a scanner's OCR layer was there and Tesseract's text replaced it
    languages: str = ""


class _Ocr:
    """Tesseract for pages without a usable text layer, set up on first need."""

    def __init__(self, options: dict):
        self.options = options
        self.mode = options.get("ocr", "auto")
        self.min_confidence = options.get("ocr_min_confidence", 60.0)
        self.languages: str | None = None
        self.problem: str | None = None if self.mode != "off" else Errors.E266

    def usable(self) -> bool:
        if self.problem is None and self.languages is None:
            from stancemap.corpus.readers.ocr import ocr_languages

            try:
                self.languages = ocr_languages(self.options)
            except FileProblem as problem:
                self.problem = problem.reason
        return self.languages is not None

    def page(self, pdfium_page) -> _Page:
        from stancemap.corpus.readers.ocr import OCR_DPI, ocr_image

        image = pdfium_page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
        found = ocr_image(image, self.languages, self.options.get("ocr_timeout_s", 0))
        return _Page(found.text, "tesseract", True, found.confidence, languages=found.languages)


def _pdfium_pages(doc, path: Path, options: dict, plumber: _Plumber, ocr: _Ocr) -> list[_Page]:
    from stancemap.corpus.readers.pdfium_pages import page_text as pdfium_text
    from stancemap.corpus.readers.pdfium_pages import scanned_with_layer

    garbage_limit = options.get("garbage_share", 0.3)
    pages = []
    for index in range(len(doc)):
        with uninterrupted():  # a page half made is never registered with the document, which
            page = doc[index]  # then closes without it: its finaliser fails later
        try:
            found = _Page("", "pdfium")
            if ocr.mode != "force":
                fast = pdfium_text(page)
                found = _Page(fast.text, "pdfium")
                if fast.layout == "table":
                    text = plumber.table_text(index)
                    found = _Page(text, "pdfplumber") if text is not None else \
                        _Page(pdfium_text(page, tables=False).text, "pdfium")
            unusable = not found.text.strip() or garbage_share(found.text) > garbage_limit
            layer = not unusable and ocr.mode == "auto" and scanned_with_layer(page)
            if (ocr.mode == "force" or unusable or layer) and ocr.mode != "off" and ocr.usable():
                scanned = ocr.page(page)
                if layer:  # a scanner's own OCR layer: Tesseract's text wins when it is sure
                    if scanned.text.strip() and (scanned.confidence or 0) >= ocr.min_confidence:
                        found = scanned
                        found.replaced_layer = True
                elif scanned.text.strip() or not found.text.strip():
                    found = scanned
            pages.append(found)
        finally:
            with uninterrupted():
                page.close()
    return pages


def _plumber_pages(plumber: _Plumber) -> list[_Page] | None:
    pdf = plumber.open()
    if pdf is None:
        return None
    try:
        return [_Page(page_text(page), "pdfplumber") for page in pdf.pages]
    except Exception as err:  # noqa: BLE001
        plumber.error = _reason(err)
        return None


def read_pdf(path: Path, options: dict) -> list[RawDocument]:
    """PDFium reads every page (fast); a page laid out as a table goes to pdfplumber, a page
    with no usable text layer to Tesseract (ingest.ocr). Where PDFium cannot open the file,
    pdfplumber tries; the reason of a failed file names every reader tried."""
    import pypdfium2

    garbage_limit = options.get("garbage_share", 0.3)
    plumber, ocr = _Plumber(path), _Ocr(options)
    tried: dict[str, str] = {}
    info: dict = {}
    try:
        try:
            with uninterrupted():
                doc = pypdfium2.PdfDocument(str(path), password="")
        except pypdfium2.PdfiumError as err:
            if "password" in str(err).lower():
                raise FileProblem("failed", Errors.R_ENCRYPTED) from err
            doc, tried["PDFium"] = None, str(err).replace("Failed to load document ", "")
        pages = None
        if doc is not None:
            try:
                if len(doc):
                    pages = _pdfium_pages(doc, path, options, plumber, ocr)
                    info = _pdfium_metadata(doc)
                else:
                    tried["PDFium"] = "it has no pages"
            except FileProblem:
                raise
            except Exception as err:  # noqa: BLE001 - a page PDFium trips over: pdfplumber tries
                tried["PDFium"] = _reason(err)
                pages = None
            finally:
                with uninterrupted():
                    doc.close()
        if pages is None or not any(p.text.strip() for p in pages):
            # PDFium could not read it, or found no text anywhere: pdfplumber tries too
            second = _plumber_pages(plumber)
            if second is None:
                tried["pdfplumber"] = plumber.error or "unknown error"
            elif not second:
                tried["pdfplumber"] = "it has no pages"
            elif not any(p.text.strip() for p in second):
                tried["pdfplumber"] = "no text either"
            else:
                pages, info = second, _plumber_metadata(plumber)
        if pages is None:
            if all(reason == "it has no pages" for reason in tried.values()):
                raise FileProblem("failed", Errors.R_PDF_BROKEN.format(reason="it has no pages")
                                  + f" (tried {' and '.join(tried)})")
            raise FileProblem("failed", Errors.E265.format(
                reasons="; ".join(f"{name}: {reason}" for name, reason in tried.items())))
    finally:
        plumber.close()
    return [_assemble(pages, info, tried, ocr, garbage_limit, options)]


def _assemble(pages: list[_Page], info: dict, tried: dict[str, str], ocr: _Ocr,
              garbage_limit: float, options: dict) -> RawDocument:
    from stancemap.corpus.readers.ocr import low_confidence_warnings

    builder = TextBuilder()
    offsets: list[int] = []
    empty_pages: list[int] = []
    page_info = []
    for number, page in enumerate(pages, start=1):
        offsets.append(builder.length + (2 if builder.length else 0))
        if builder.add(page.text) is None:
            empty_pages.append(number)
            offsets[-1] = builder.length
        entry = {"page": number, "reader": page.reader, "ocr": page.ocr}
        if page.ocr:
            entry["confidence"] = page.confidence
            entry["languages"] = page.languages
        if page.replaced_layer:
            entry["replaced_layer"] = True
        page_info.append(entry)
    text = builder.text()
    if not text:
        readers = sorted({p.reader for p in pages} | {name.lower() for name in tried})
        hint = Errors.E267 if ocr.languages else ocr.problem or Errors.E267
        raise FileProblem("failed", Errors.E268.format(
            pages=len(pages), readers=", ".join(readers), hint=hint,
            notes="".join(f"; {name}: {reason}" for name, reason in tried.items())))
    share = garbage_share(text)
    if share > garbage_limit:
        raise FileProblem("failed", Errors.R_PDF_GARBAGE.format(share=share)
                          + (f" ({ocr.problem})" if ocr.problem else ""))
    warnings = [Errors.E269.format(reader=name, reason=reason,
                                   used=", ".join(sorted({p.reader for p in pages})))
                for name, reason in tried.items()]
    if empty_pages:
        listed = ", ".join(map(str, empty_pages[:20])) + (" …" if len(empty_pages) > 20 else "")
        warnings.append(f"{len(empty_pages)} page(s) have no text layer (image-only?): {listed}")
    if share > 0.02:
        warnings.append(f"{share:.0%} of characters are (cid:NN) codes or unprintable")
    scanned = [p for p in pages if p.ocr]
    if scanned and ocr.mode != "force" and ocr.problem is None:
        warnings.append(f"{len(scanned)} page(s) without a usable text layer were OCR'd")
    warnings += low_confidence_warnings(page_info, options)
    used = {p.reader for p in pages}
    library = "+".join(sorted({"pdfium": "pypdfium2", "pdfplumber": "pdfplumber",
                               "tesseract": "pytesseract"}[r] for r in used))
    return RawDocument(text=text, pages=offsets, title=_meta_text(info.get("Title")),
                       date=_pdf_date(info.get("CreationDate")), warnings=warnings,
                       page_info=page_info, library=library,
                       meta={**({"ocr_languages": ocr.languages} if scanned else {}),
                             **({"author": author} if (author := _meta_text(info.get("Author"))) else {})})


def _pdfium_metadata(doc) -> dict:
    try:
        return doc.get_metadata_dict(skip_empty=True)
    except Exception:  # noqa: BLE001 - metadata is a nicety
        return {}


def _plumber_metadata(plumber: _Plumber) -> dict:
    return (plumber.pdf.metadata or {}) if plumber.pdf is not None else {}
