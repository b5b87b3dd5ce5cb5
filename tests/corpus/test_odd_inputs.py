"""Ingestion never stops for one entry and never ignores one: named pipes, devices, broken
links, links out of the folder, linked folders, undecodable names, e-mail, encrypted Office
files, EPUB and a DOCX carrying entity references — written here, ingested by the real CLI."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from conftest import ROOT
from stancemap.config import Config, IngestConfig
from stancemap.corpus.ingest import ingest

SENTENCE = "China and Kazakhstan opened the new railway near Khorgos, officials said."


def make_docx(path: Path, text: str) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    document.save(path)


def with_entity(path: Path, word: str) -> None:
    """The same DOCX with `word` replaced by an entity reference declared in an internal DTD."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    body = re.sub(r"^<\?xml[^>]*\?>\s*", "", parts["word/document.xml"].decode("utf-8"))
    parts["word/document.xml"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                  f'<!DOCTYPE w:document [<!ENTITY place "{word}">]>'
                                  + body.replace(word, "&place;")).encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def make_email(path: Path) -> None:
    message = EmailMessage()
    message["From"] = "Aigerim <aigerim@example.kz>"
    message["To"] = "team@example.org"
    message["Subject"] = "Interview notes: Khorgos"
    message["Date"] = "Tue, 14 May 2024 10:00:00 +0500"
    message.set_content(SENTENCE + "\n\nThe customs officer was worried about the debt.\n")
    message.add_alternative(f"<html><body><p>{SENTENCE}</p></body></html>", subtype="html")
    message.add_attachment(os.urandom(30_000), maintype="application", subtype="octet-stream",
                           filename="scan.bin")
    path.write_bytes(bytes(message))


def make_encrypted_xlsx(path: Path, tmp: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    book = openpyxl.Workbook()
    book.active["A1"] = SENTENCE
    plain = tmp / "plain.xlsx"
    book.save(plain)
    with plain.open("rb") as source, path.open("wb") as out:
        ooxml.OOXMLFile(source).encrypt("secret", out)
    plain.unlink()


def make_epub(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")  # stored, first
        book.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" '
                      'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                      '<rootfile full-path="OEBPS/content.opf" media-type="application/'
                      'oebps-package+xml"/></rootfiles></container>')
        book.writestr("OEBPS/chapter1.xhtml", f"<html><body><p>{SENTENCE}</p></body></html>")


@pytest.fixture
def odd_folder(tmp_path):
    folder, outside = tmp_path / "in", tmp_path / "outside"
    (folder / "sub").mkdir(parents=True)
    outside.mkdir()
    (folder / "plain.txt").write_text(SENTENCE, encoding="utf-8")
    (folder / "sub" / "inner.txt").write_text("Uzbekistan and China discussed solar power.",
                                              encoding="utf-8")
    (outside / "secret.txt").write_text("Not part of the corpus.", encoding="utf-8")
    raw = os.fsencode(folder) + b"/caf\xe9 notes.txt"  # Latin-1 bytes: not valid UTF-8
    with open(raw, "wb") as handle:
        handle.write(b"Kyrgyzstan and China agreed on a new road.")
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    os.symlink("missing.txt", folder / "dangling.txt")
    os.symlink(outside, folder / "outside_folder")
    os.symlink(outside / "secret.txt", folder / "outside_file.txt")
    os.symlink("sub", folder / "sub_again")
    os.symlink("plain.txt", folder / "plain_link.txt")
    os.symlink("..", folder / "sub" / "loop")
    try:
        os.mknod(folder / "null_device", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pass  # not root: the character device case is left out
    make_email(folder / "notes.eml")
    make_encrypted_xlsx(folder / "budget.xlsx", tmp_path)
    make_epub(folder / "book.epub")
    make_docx(folder / "entity.docx", "The Kazakhstan and China railway deal was signed today.")
    with_entity(folder / "entity.docx", "Kazakhstan")
    return folder


def test_every_odd_entry_gets_a_status_and_a_reason(odd_folder, tmp_path):
    done = subprocess.run([sys.executable, "-m", "stancemap", "ingest", str(odd_folder),
                           "--project", str(tmp_path / "p"), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3, done.stderr  # some entries were not read
    files = {f["path"]: f for f in json.loads(done.stdout)["files"]}

    def status(name):
        return files[name]["status"], files[name]["reason"] or ""

    assert status("plain.txt")[0] == "ingested" and status("sub/inner.txt")[0] == "ingested"
    name = "caf\\xe9 notes.txt"
    assert status(name) == ("ingested", f"the file name is not valid UTF-8; recorded as {name}")
    assert status("pipe.txt")[0] == "skipped" and "named pipe" in status("pipe.txt")[1]
    assert "outside the ingested folder" in status("zero.txt")[1]
    assert "broken symbolic link" in status("dangling.txt")[1]
    assert "outside the ingested folder" in status("outside_folder")[1]
    assert "outside the ingested folder" in status("outside_file.txt")[1]
    assert "read already" in status("sub_again")[1] and "read already" in status("sub/loop")[1]
    assert "read already" in status("plain_link.txt")[1]
    if "null_device" in files:
        assert "character device" in status("null_device")[1]
    assert status("notes.eml")[0] == "ingested"
    assert status("budget.xlsx") == ("failed", status("budget.xlsx")[1])
    assert "encrypted Office document" in status("budget.xlsx")[1]
    assert status("book.epub")[0] == "unsupported" and "EPUB" in status("book.epub")[1]
    assert status("entity.docx")[0] == "ingested"
    assert not any("secret" in path for path in files)  # nothing outside was read

    from stancemap.corpus.store import Store

    store = Store(tmp_path / "p", create=False)
    try:
        docs = {d["source_path"]: d for d in store.iter_documents()}  # titles may be empty
    finally:
        store.dispose()
    mail = next(d for d in docs.values() if d["title"] == "Interview notes: Khorgos")
    assert mail["meta"]["from"] == "Aigerim <aigerim@example.kz>" and mail["date"] == "2024-05-14"
    assert mail["meta"]["attachments"] == [{"name": "scan.bin", "type": "application/octet-stream",
                                           "bytes": 30_000}]
    assert mail["text"].startswith(SENTENCE) and "debt" in mail["text"]  # text/plain, not MIME
    entity = next(d for d in docs.values() if d["source_path"].endswith("entity.docx"))
    assert entity["text"] == "The Kazakhstan and China railway deal was signed today."


def test_long_pdf_gets_time_per_page(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(200):  # long enough that reading it surely outlasts the strict limit
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Page {number}. " + SENTENCE * 8)
    folder = tmp_path / "in"
    folder.mkdir()
    pdf.output(str(folder / "long.pdf"))
    strict = Config(ingest=IngestConfig(timeout_s=0.001, timeout_per_page_s=0))
    (result,) = ingest(folder, tmp_path / "a", config=strict).files
    assert result.status == "skipped" and "longer than 0.001 s" in result.reason
    scaled = Config(ingest=IngestConfig(timeout_s=0.001, timeout_per_page_s=1.0))
    (result,) = ingest(folder, tmp_path / "b", config=scaled).files
    assert result.status == "ingested", result.reason
