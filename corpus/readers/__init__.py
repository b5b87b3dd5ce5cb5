"""Readers turn one file into RawDocuments; which one runs is decided by `corpus.sniff`."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from stancemap.corpus.document import RawDocument
from stancemap.corpus.readers import html, jsonl, mail, markdown, ocr, office, pdf, table, text

ReaderOptions = dict
Reader = Callable[[Path, ReaderOptions], list[RawDocument]]

READERS: dict[str, Reader] = {
    "pdf": pdf.read_pdf,
    "docx": office.read_docx,
    "xlsx": table.read_xlsx,
    "table": table.read_csv,
    "jsonl": jsonl.read_jsonl,
    "html": html.read_html,
    "text": text.read_text,
    "markdown": markdown.read_markdown,
    "image": ocr.read_image,
    "email": mail.read_email,
}

# the library each reader stands on, recorded in every document's extraction info
READER_LIBRARIES = {
    "pdf": "pypdfium2", "image": "pytesseract", "docx": "python-docx", "xlsx": "openpyxl", "table": None,
    "jsonl": None, "html": "beautifulsoup4", "text": "charset-normalizer", "email": None,
    "markdown": "markdown-it-py",
}
