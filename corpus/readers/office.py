"""DOCX with python-docx: body paragraphs and tables in document order, headers and footers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from stancemap.corpus.document import RawDocument, TextBuilder
from stancemap.corpus.readers.text import first_line_title
from stancemap.errors import Errors, FileProblem


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:  # merged cells repeat the same object
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            value = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
            if value:
                cells.append(value)
        if cells:
            rows.append(" | ".join(cells))
    return rows


def _blocks(container) -> list[str]:
    """Paragraph texts and table rows of a body, header or footer, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks = []
    for child in container.iter_inner_content():
        if isinstance(child, Paragraph):
            blocks.append(child.text)
        elif isinstance(child, Table):
            blocks.extend(_table_rows(child))
    return blocks


def _without_dtd(path: Path) -> io.BytesIO | None:
    """Word never writes a DTD. A part that declares one (made by another program, or hostile)
    gets its internal entities expanded — never external ones, never from the network, within
    libxml2's expansion limits — and is written again without it: python-docx does not expand
    entities, and would keep only the text before the first reference."""
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        flagged = {info.filename for info in archive.infolist() if info.filename.endswith(".xml")
                   and b"<!DOCTYPE" in archive.open(info).read(4096)}
        if not flagged:
            return None
        parser = etree.XMLParser(resolve_entities="internal", no_network=True, load_dtd=False)
        copy = io.BytesIO()
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
            for info in archive.infolist():
                data = archive.read(info)
                if info.filename in flagged:
                    data = etree.tostring(etree.fromstring(data, parser), xml_declaration=True,
                                          encoding="UTF-8", standalone=True)
                out.writestr(info, data)
    copy.seek(0)
    return copy


def read_docx(path: Path, options: dict) -> list[RawDocument]:
    import docx

    try:
        document = docx.Document(_without_dtd(path) or str(path))
    except Exception as err:
        raise FileProblem("failed", Errors.R_DOCX_BROKEN.format(
            reason=f"{type(err).__name__}: {err}")) from err
    header_blocks, footer_blocks = [], []
    for section in document.sections:
        parts = ((section.header, header_blocks), (section.first_page_header, header_blocks),
                 (section.even_page_header, header_blocks), (section.footer, footer_blocks),
                 (section.first_page_footer, footer_blocks),
                 (section.even_page_footer, footer_blocks))
        for part, target in parts:
            if part is None or part.is_linked_to_previous:
                continue
            for block in _blocks(part):
                if block.strip() and block not in target:
                    target.append(block)
    builder = TextBuilder()
    for block in header_blocks + _blocks(document) + footer_blocks:
        builder.add(block)
    text = builder.text()
    if not text:
        raise FileProblem("skipped", Errors.R_BLANK)
    props = document.core_properties
    created = props.created.date().isoformat() if props.created else None
    return [RawDocument(text=text, title=(props.title or "").strip() or first_line_title(text),
                        date=created,
                        meta={k: v for k, v in (("author", props.author),) if v})]
