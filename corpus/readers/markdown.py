"""Markdown read as Markdown (markdown-it-py, the CommonMark parser rich already brings): YAML
front matter becomes the document's metadata, headings become the section titles of the
passages under them instead of passages, and links, emphasis and images keep only their text.
Each paragraph, list, table or quote is a passage; a transcript saved as Markdown is left to
the transcript segmenter."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from stancemap.corpus.document import RawDocument, Segment, TextBuilder, normalise
from stancemap.corpus.encoding import decode
from stancemap.corpus.segment import is_transcript, own_line_turns
from stancemap.errors import Errors, FileProblem

MARKDOWN_EXT = {".md", ".markdown", ".mdown", ".mkd"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def _inline_text(token) -> str:
    """An inline token's text without its markup: link and image text kept, HTML left out."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline_text(child))
    return "".join(parts).strip()


def _plain(value):
    """A front-matter value as metadata: dates as ISO text, a list of names as one text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        values = [_plain(v) for v in value]
        return "; ".join(map(str, values)) if all(isinstance(v, (str, int, float)) for v in values) \
            else values
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def front_matter(text: str) -> tuple[dict, str, list[str]]:
    """(metadata, the text after the front matter, warnings)."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return {}, text, []
    try:
        data = yaml.safe_load(found.group(1) or "") or {}
    except yaml.YAMLError as err:
        return {}, text[found.end():], [Errors.E333.format(reason=str(err).splitlines()[0])]
    if not isinstance(data, dict):
        return {}, text[found.end():], [Errors.E333.format(reason="it is not a mapping of fields")]
    return {str(k): _plain(v) for k, v in data.items() if v is not None}, text[found.end():], []


_GROUPS = {"bullet_list_open": 1, "ordered_list_open": 1, "table_open": 1,
           "bullet_list_close": -1, "ordered_list_close": -1, "table_close": -1}


def _blocks(body: str) -> list[tuple[str, str]]:
    """(kind, text) of the body's blocks in order, kind "heading" or "text": a list or a table
    is one block with an item or row a line; code, HTML and rules are left out."""
    from markdown_it import MarkdownIt

    blocks: list[tuple[str, str]] = []
    lines: list[str] | None = None  # the open list or table
    row: list[str] | None = None  # the open table row's cells
    depth, heading = 0, False
    for token in MarkdownIt("commonmark").enable("table").parse(body):
        if token.type in _GROUPS:
            depth += _GROUPS[token.type]
            if lines is None:
                lines = []
            if depth == 0:
                if lines:
                    blocks.append(("text", "\n".join(lines)))
                lines = None
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None and lines is not None:
            lines.append(" | ".join(row))
            row = None
        elif token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
        elif token.type == "inline" and (text := _inline_text(token)):
            if row is not None:
                row.append(text)
            elif lines is not None:
                lines.append(text)
            else:
                blocks.append(("heading" if heading else "text", text))
    return blocks


def read_markdown(path: Path, options: dict) -> list[RawDocument]:
    raw, encoding = decode(path.read_bytes())
    meta, body, warnings = front_matter(normalise(raw))
    builder, segments, section, first = TextBuilder(), [], None, None
    for kind, block in _blocks(body):
        span = builder.add(block)
        if span is None:
            continue
        if kind == "heading":
            section = " ".join(block.split())
            first = first or (section if not segments else None)
        else:
            segments.append(Segment(span[0], span[1], meta={"section": section} if section else {}))
    text = builder.text()
    if not text:
        raise FileProblem("skipped", Errors.R_BLANK)
    if is_transcript(text) or own_line_turns(text):
        segments = []  # speaker turns, found by the segmenter
    # title, date, kind, lang and country are read from the metadata as from a manifest
    return [RawDocument(text=text, segments=segments, title=first, meta=meta, warnings=warnings,
                        encoding=encoding)]
