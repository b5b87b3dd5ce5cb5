"""Which reader a file needs, decided by its first bytes; the extension only separates
kinds of plain text (CSV, JSONL, HTML, prose)."""

from __future__ import annotations

import mmap
import zipfile
from pathlib import Path

from stancemap.corpus.readers.mail import looks_like_email
from stancemap.corpus.readers.markdown import MARKDOWN_EXT

from stancemap.corpus.zipsafety import inflate_problem
from stancemap.errors import Errors, FileProblem

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: old Office, .msg, encrypted OOXML
# stream names in the compound file's directory (UTF-16LE), most telling first
_CFB_STREAMS = (
    ("EncryptedPackage", "failed", Errors.R_ENCRYPTED_OFFICE),
    ("__substg1.0_", "unsupported", Errors.R_OUTLOOK_MSG),
    ("WordDocument", "unsupported", Errors.R_UNSUPPORTED.format(
        what="legacy Word document (.doc); save it as DOCX")),
    ("Workbook", "unsupported", Errors.R_UNSUPPORTED.format(
        what="legacy Excel workbook (.xls); save it as XLSX")),
    ("PowerPoint Document", "unsupported", Errors.R_UNSUPPORTED.format(
        what="legacy PowerPoint file (.ppt); save its text as DOCX")),
)
_UNSUPPORTED_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "legacy Microsoft Office binary (.doc/.xls); save it as DOCX or XLSX"),
    (b"{\\rtf", "RTF; save it as DOCX"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip archive; unpack it first"),
    (b"7z\xbc\xaf", "7-Zip archive; unpack it first"),
    (b"Rar!", "RAR archive; unpack it first"),
)
# scans read by OCR (corpus.readers.ocr)
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_TABLE_EXT = {".csv", ".tsv", ".tab"}
_JSONL_EXT = {".jsonl", ".ndjson", ".json"}
_HTML_EXT = {".html", ".htm", ".xhtml"}


def _zip_kind(path: Path) -> str:
    # every entry inflated once as a capped stream: headers that lie about sizes are caught
    # here, before python-docx or openpyxl inflate an entry whole
    problem = inflate_problem(path)
    if problem:
        raise FileProblem("failed", Errors.R_READ.format(reason=f"ZIP container refused: {problem}"))
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names:
                mime = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mime == "application/epub+zip":
                    raise FileProblem("unsupported", Errors.R_EPUB)
                raise FileProblem("unsupported", Errors.R_UNSUPPORTED.format(
                    what=f"OpenDocument ({mime}); save it as DOCX or XLSX"))
    except zipfile.BadZipFile as err:
        raise FileProblem("failed", Errors.R_READ.format(reason=f"broken ZIP container: {err}"))
    raise FileProblem("unsupported", Errors.R_UNSUPPORTED.format(
        what="ZIP archive (not DOCX or XLSX); unpack it first"))


def _cfb_kind(path: Path) -> FileProblem:
    """What an OLE compound file holds, from the stream names in its directory."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for name, status, reason in _CFB_STREAMS:
            if data.find(name.encode("utf-16-le")) >= 0:
                return FileProblem(status, reason)
    return FileProblem("unsupported", Errors.R_UNSUPPORTED.format(
        what="OLE compound file (old Microsoft Office format); save it as DOCX or XLSX"))


def sniff(path: Path, head: bytes) -> str:
    """Return one of pdf, docx, xlsx, html, table, jsonl, image, email, markdown, text."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(_CFB):
        raise _cfb_kind(path)
    for magic, what in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise FileProblem("unsupported", Errors.R_UNSUPPORTED.format(what=what))
    ext = path.suffix.lower()
    if ext in {".xlsx", ".xlsm", ".docx", ".pdf"}:
        raise FileProblem("failed", Errors.R_READ.format(
            reason=f"the name says {ext} but the content is not one"))
    if ext == ".eml" or (ext == "" and looks_like_email(head)):
        return "email"
    if ext in _TABLE_EXT:
        return "table"
    if ext in _JSONL_EXT:
        return "jsonl"
    if ext in _HTML_EXT:
        return "html"
    if ext in MARKDOWN_EXT:
        return "markdown"
    probe = head[:2048].lower().replace(b"\x00", b"")
    if probe.lstrip().startswith((b"<!doctype html", b"<html")) or b"<body" in probe:
        return "html"
    return "text"
