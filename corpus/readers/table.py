"""Survey exports (CSV/XLSX): every non-empty open-ended answer becomes a passage; the other
columns of its row become that passage's metadata."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable
from pathlib import Path

from stancemap.corpus.byline import BYLINE_FIELDS
from stancemap.corpus.document import RawDocument, Segment, TextBuilder
from stancemap.corpus.encoding import decode
from stancemap.corpus.limits import limited_rows
from stancemap.errors import Errors, FileProblem

_ID_NAMES = re.compile(r"^(respondent|resp|participant|interviewee|case)?[ _-]*(id|no|number|#)$"
                       r"|^(respondent|participant|id)$", re.I)
MIN_MEAN_CHARS = 25
MIN_MEAN_WORDS = 4
SAMPLE_ROWS = 5000  # rows that decide which columns are open-ended


def _is_open_ended(values: list[str]) -> bool:
    """Long, varied free text, not codes or numbers."""
    filled = [v for v in values if v]
    if len(filled) < 1:
        return False
    mean_chars = sum(map(len, filled)) / len(filled)
    mean_words = sum(len(v.split()) for v in filled) / len(filled)
    distinct = len(set(filled)) / len(filled)
    cjk = sum(1 for v in filled for c in v if "\u4e00" <= c <= "\u9fff") / max(1, sum(map(len, filled)))
    long_enough = mean_chars >= MIN_MEAN_CHARS and (mean_words >= MIN_MEAN_WORDS or cjk > 0.3)
    return long_enough and (distinct >= 0.5 or len(filled) < 4)


def _pick_id_column(header: list[str], text_cols: set[int]) -> int | None:
    for index, name in enumerate(header):
        if index not in text_cols and _ID_NAMES.match(name.strip()):
            return index
    return None


def rows_to_documents(header: list[str], rows: Iterable[list[str]], options: dict) -> list[RawDocument]:
    """`rows` are streamed: counted against ingest.max_rows and the file's deadline as they come;
    the open-ended columns are told from the first SAMPLE_ROWS non-empty rows."""
    header = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    width = len(header)
    cleaned = ([(c or "").strip() for c in (r + [""] * width)[:width]]
               for r in limited_rows(rows, options))
    rows = (r for r in cleaned if any(r))
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    rows = itertools.chain(sample, rows)
    wanted = options.get("text_columns") or []
    if wanted:
        missing = [c for c in wanted if c not in header]
        if missing:
            raise FileProblem("skipped", Errors.R_TABLE_MISSING_COLUMNS.format(
                missing=", ".join(missing), columns=", ".join(header)))
        text_cols = {header.index(c) for c in wanted}
    else:
        text_cols = {i for i in range(width) if _is_open_ended([r[i] for r in sample])
                     and header[i].casefold() not in BYLINE_FIELDS}  # who wrote it: metadata
    if not text_cols:
        raise FileProblem("skipped", Errors.R_TABLE_NO_TEXT.format(columns=", ".join(header)))
    id_col = _pick_id_column(header, text_cols)
    builder = TextBuilder()
    segments = []
    number = 0
    for number, row in enumerate(rows, start=1):
        respondent = row[id_col] if id_col is not None else str(number)
        meta = {header[i]: row[i] for i in range(width)
                if i not in text_cols and i != id_col and row[i]}
        meta["respondent_id"] = respondent
        meta["row"] = number
        for index in sorted(text_cols):
            span = builder.add(row[index])
            if span:
                segments.append(Segment(span[0], span[1], question=header[index],
                                        speaker=respondent, meta=dict(meta),
                                        role="respondent"))
    text = builder.text()
    if not text:
        raise FileProblem("skipped", Errors.R_BLANK)
    meta = {"text_columns": [header[i] for i in sorted(text_cols)], "respondents": number}
    if id_col is not None:  # the column whose values each passage keeps as respondent_id
        meta["id_column"] = header[id_col]
    return [RawDocument(text=text, segments=segments, kind="survey", meta=meta)]


def read_csv(path: Path, options: dict) -> list[RawDocument]:
    raw, encoding = decode(path.read_bytes())
    try:  # only the delimiter is sniffed: the Sniffer's quoting guesses misread "" inside quotes
        delimiter = csv.Sniffer().sniff(raw[:20000], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    rows = csv.reader(io.StringIO(raw, newline=""), csv.excel, delimiter=delimiter)
    del raw  # the reader holds its own copy of the text
    try:
        header = next(rows, None)
        if header is None:
            raise FileProblem("skipped", Errors.R_BLANK)
        documents = rows_to_documents(header, rows, options)
    except csv.Error as err:
        raise FileProblem("failed", Errors.R_READ.format(reason=f"bad CSV: {err}")) from err
    for document in documents:
        document.encoding = encoding
    return documents


def read_xlsx(path: Path, options: dict) -> list[RawDocument]:
    """Every sheet with an open-ended column is a survey document; the sheet's name is in the
    document's and each answer's metadata. Sheets without one are listed, not read."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:
        raise FileProblem("failed", Errors.R_XLSX_BROKEN.format(
            reason=f"{type(err).__name__}: {err}")) from err
    documents, passed = [], []
    try:
        for sheet in book.worksheets:
            rows = (["" if v is None else str(v) for v in row]
                    for row in sheet.iter_rows(values_only=True))
            rows = (r for r in rows if any(c.strip() for c in r))
            header = next(rows, None)
            if header is None:
                passed.append((sheet.title, Errors.R_BLANK))
                continue
            try:
                found = rows_to_documents(header, rows, options)
            except FileProblem as problem:
                passed.append((sheet.title, problem.reason))
                continue
            for document in found:
                document.meta["sheet"] = sheet.title
                document.source_part = f"sheet {sheet.title}"
                for segment in document.segments:
                    segment.meta["sheet"] = sheet.title
            documents += found
    finally:
        book.close()
    if not documents:
        if len(passed) == 1:
            raise FileProblem("skipped", passed[0][1])
        raise FileProblem("skipped", Errors.E271.format(
            sheets="; ".join(f"{name}: {reason}" for name, reason in passed)))
    for document in documents:
        document.warnings += [Errors.E272.format(sheet=name, reason=reason) for name, reason in passed]
    return documents
