"""Review files in the formats coders already use: CSV, XLSX (drop-downs, locked model
columns), Label Studio (tasks with the model's predictions, and a labelling config), doccano
(JSONL). Reading detects the format from the content."""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import quoteattr

from defusedxml import DefusedXmlException

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.review import Item, Reading, allowed_values, is_multi, review_dimensions
from stancemap.corpus.atomic import replacing
from stancemap.corpus.encoding import decode
from stancemap.corpus.spreadsheet import neutralise, restore, set_text_cell
from stancemap.corpus.zipsafety import ZipLimit, inflate_problem, xml_refusal
from stancemap.errors import Errors, FileProblem, ReviewError

FORMATS = ("csv", "xlsx", "labelstudio", "doccano", "qdpx")
COLUMNS = ["item_id", "passage_id", "dimension", "target", "allowed_values", "model_value",
           "model_score", "model_source", "other_coders", "coder_value", "coder_note", "text_sha",
           "title", "text"]
MAX_UNPACKED = 200 * 2**20  # a review XLSX larger than this when unpacked is refused


def _row(item: Item, codebook: Codebook) -> dict:
    return {"item_id": item.item_id, "passage_id": item.passage_id, "dimension": item.dimension,
            "target": item.target, "allowed_values": "; ".join(allowed_values(item.dimension, codebook)),
            "model_value": item.model_value, "model_score": item.model_score,
            "model_source": item.model_source,
            "other_coders": "; ".join(f"{c}={v}" for c, v in sorted(item.coder_values.items())),
            "coder_value": "", "coder_note": "", "text_sha": item.text_sha, "title": item.title,
            "text": item.text}


def write_review(items: list[Item], path: Path, fmt: str, codebook: Codebook,
                 documents: dict[str, tuple[str, str | None]] | None = None) -> list[Path]:
    """`documents` (doc_id -> text, title) is needed for qdpx, whose sources are whole documents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "qdpx":
        from stancemap.annotations.qdpx import write_qdpx

        documents = documents or {}
        return write_qdpx(items, path, codebook, {k: v[0] for k, v in documents.items()},
                          {k: v[1] for k, v in documents.items()})
    if fmt == "csv":
        with replacing(path) as (part,), part.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows({k: neutralise(v) for k, v in _row(i, codebook).items()} for i in items)
        return [path]
    if fmt == "xlsx":
        _write_xlsx(items, path, codebook)
        return [path]
    if fmt == "labelstudio":
        return _write_labelstudio(items, path, codebook)
    if fmt == "doccano":
        adjudication = any(item.coder_values for item in items)
        with replacing(path) as (part,), part.open("w", encoding="utf-8") as handle:
            for item in items:
                # doccano keeps fields other than text and label as the item's metadata and
                # writes them back beside the label on export. Its importer reads a batch of
                # lines into one pandas table, where a null (or a key another line lacks)
                # becomes NaN, which its database refuses as JSON: every line has every key,
                # and a value the item lacks is ""
                meta = {"item_id": item.item_id, "passage_id": item.passage_id,
                        "dimension": item.dimension, "target": item.target,
                        "text_sha": item.text_sha, "model_values": item.model_values,
                        "model_score": item.model_score, "model_source": item.model_source}
                if adjudication:  # what each coder said
                    meta["other_coders"] = _row(item, codebook)["other_coders"]
                handle.write(json.dumps({
                    "text": item.text, "label": item.model_values,
                    **{k: "" if v is None else v for k, v in meta.items()}},
                    ensure_ascii=False) + "\n")
        return [path]
    raise ReviewError(Errors.E040.format(fmt=fmt, path=path, formats=", ".join(FORMATS)))


def _write_xlsx(items: list[Item], path: Path, codebook: Codebook) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "review"
    for column, name in enumerate(COLUMNS, start=1):
        sheet.cell(1, column, name).font = Font(bold=True)
    coder_col = COLUMNS.index("coder_value") + 1
    note_col = COLUMNS.index("coder_note") + 1
    lists = book.create_sheet("allowed_values")
    validations = {}
    for column, dimension in enumerate(review_dimensions(codebook), start=1):
        values = allowed_values(dimension, codebook)
        set_text_cell(lists.cell(1, column), dimension)
        for row, value in enumerate(values, start=2):
            set_text_cell(lists.cell(row, column), value)
        letter = lists.cell(1, column).column_letter
        # multi-valued dimensions accept "KAZ; CHN": the list is a guide, not a rule
        validations[dimension] = DataValidation(
            type="list", formula1=f"=allowed_values!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True, showErrorMessage=not is_multi(dimension, codebook), errorStyle="stop")
        sheet.add_data_validation(validations[dimension])
    unlocked = Protection(locked=False)
    editable = PatternFill("solid", fgColor="FFF2CC")
    for row, item in enumerate(items, start=2):
        values = _row(item, codebook)
        for column, name in enumerate(COLUMNS, start=1):
            set_text_cell(sheet.cell(row, column), values[name])  # text, never a formula
        for column in (coder_col, note_col):
            sheet.cell(row, column).protection = unlocked
            sheet.cell(row, column).fill = editable
        validations[item.dimension].add(sheet.cell(row, coder_col))
    sheet.protection.sheet = True  # the model's columns are locked; coder columns are not
    sheet.protection.formatColumns = False
    sheet.freeze_panes = "B2"
    lists.sheet_state = "hidden"
    with replacing(path) as (part,):
        book.save(part)


def _write_labelstudio(items: list[Item], path: Path, codebook: Codebook) -> list[Path]:
    tasks = []
    for number, item in enumerate(items, start=1):
        task = {"id": number, "data": {
            "text": item.text, "item_id": item.item_id, "passage_id": item.passage_id,
            "dimension": item.dimension, "target": item.target, "text_sha": item.text_sha,
            "question": f"{item.dimension}{' toward ' + item.target if item.target else ''}"}}
        if item.coder_values:  # an adjudication file: what each coder said
            task["data"]["other_coders"] = _row(item, codebook)["other_coders"]
        if item.model_values:
            task["predictions"] = [{"model_version": item.model_source or "model",
                                    "score": item.model_score, "result": [{
                                        "from_name": item.dimension, "to_name": "text",
                                        "type": "choices", "value": {"choices": item.model_values}}]}]
        tasks.append(task)
    dims = sorted({i.dimension for i in items})
    blocks = []
    for dimension in dims:
        choices = "".join(f'<Choice value={quoteattr(v)}/>' for v in allowed_values(dimension, codebook))
        kind = "multiple" if is_multi(dimension, codebook) else "single"
        blocks.append(f'  <Choices name="{dimension}" toName="text" choice="{kind}" '
                      f'showInline="true">{choices}</Choices>')
    config = ("<View>\n  <Header value=\"$question\"/>\n  <Text name=\"text\" value=\"$text\"/>\n"
              + "\n".join(blocks) + "\n</View>\n")
    config_path = path.with_name(path.stem + ".label_config.xml")  # tasks.json -> tasks.label_config.xml
    with replacing(path, config_path) as (part, config_part):
        part.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
        config_part.write_text(config, encoding="utf-8")
    return [path, config_path]


# reading -----------------------------------------------------------------------------------
def read_review(path: Path, annotator: str | None, codebook: Codebook, locate=None) -> Reading:
    """Decisions in any supported format, detected from the content, with every problem that
    stops the import listed; a file of another shape is refused by name. `annotator` names the
    coder where the file does not (CSV, XLSX, a single doccano file, Label Studio user ids).
    `locate` places a QDA program's own selections on passages (see qdpx.read_qdpx)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as err:
        raise ReviewError(Errors.E182.format(path=path, reason=err.strerror or err)) from None
    try:
        if head.startswith(b"PK\x03\x04"):
            reading = _read_zip(path, annotator, codebook, locate)
        else:
            reading = _read_text(path, head, annotator, codebook)
    except ReviewError:
        raise
    except RecursionError:
        raise ReviewError(Errors.E053.format(path=path, reason="its JSON is nested too deeply "
                                             "to be a review file")) from None
    except ZipLimit as err:
        raise ReviewError(Errors.E056.format(path=path, reason=err)) from None
    except DefusedXmlException as err:  # its str() is a repr: say what was refused and why
        raise ReviewError(Errors.E053.format(path=path, reason=xml_refusal(err))) from None
    except (ValueError, KeyError, TypeError, FileProblem, csv.Error, zipfile.BadZipFile,
            zlib.error, EOFError, UnicodeDecodeError) as err:
        raise ReviewError(Errors.E053.format(path=path, reason=err)) from err
    _check_named(reading, path)
    reading.check_repeats()
    return reading


def _check_named(reading: Reading, path: Path) -> None:
    if any(d.annotator is None for d in reading.decisions):
        raise ReviewError(Errors.E181.format(path=path, what=reading.kind))
    blank = [d.where for d in reading.decisions if not str(d.annotator).strip()]
    if blank:  # stored as "human:" nobody could be told apart from
        raise ReviewError(Errors.E401.format(path=path, count=len(blank), where=", ".join(blank[:5])))


def _read_zip(path: Path, annotator: str | None, codebook: Codebook, locate) -> Reading:
    problem = inflate_problem(path, MAX_UNPACKED)
    if problem:
        raise ReviewError(Errors.E056.format(path=path, reason=problem))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    if "project.qde" in names:
        from stancemap.annotations.qdpx import read_qdpx

        reading = read_qdpx(path, annotator, codebook, locate)
    elif any(n.lower() == "project.qde" for n in names):
        found = next(n for n in names if n.lower() == "project.qde")
        raise ValueError(f"a REFI-QDA project names its XML entry project.qde, not {found!r}")
    elif "xl/workbook.xml" in names:
        reading = _read_xlsx(path, annotator)
    elif any(n.endswith(".jsonl") for n in names):
        from stancemap.annotations.doccano import read_doccano_zip

        reading = read_doccano_zip(path, annotator, codebook)
    else:
        raise ValueError(f"a ZIP archive that is neither XLSX, REFI-QDA (.qdpx) nor a doccano "
                         f"export (entries: {', '.join(names[:5]) or 'none'})")
    return reading


def _read_text(path: Path, head: bytes, annotator: str | None, codebook: Codebook) -> Reading:
    # UTF-16 or UTF-32, with or without a BOM, shows NUL bytes: decoded whole (UTF-8 is streamed)
    text = decode(path.read_bytes())[0] if b"\x00" in head else None
    start = text.lstrip()[:1] if text is not None else \
        head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1].decode("latin-1")
    if start in ("[", "{"):
        text = text if text is not None else decode(path.read_bytes())[0]
        if text.lstrip().startswith("["):
            from stancemap.annotations.labelstudio import read_labelstudio

            return read_labelstudio(json.loads(text), annotator, codebook)
        from stancemap.annotations.doccano import read_doccano

        return read_doccano(text.splitlines(), annotator, codebook)
    return _read_csv(path, head, annotator, codebook, text)


def _csv_lines(path: Path):
    """The file's lines, decoded as a stream when it is UTF-8 (memory stays flat on a
    1,000,000-row file), else decoded whole with the encoding found."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line in handle:
                yield line
    except UnicodeDecodeError:
        text, _ = decode(path.read_bytes())
        yield from io.StringIO(text, newline="")


def _read_csv(path: Path, head: bytes, annotator: str | None, codebook: Codebook,
              text: str | None = None) -> Reading:
    """`text`: the file decoded already (UTF-16/32), else it is streamed."""
    first = text.split("\n", 1)[0] if text is not None else head.split(b"\n", 1)[0].decode("utf-8", "replace")
    delimiter = max(",\t;", key=first.count)
    lines = io.StringIO(text, newline="") if text is not None else _csv_lines(path)
    rows = csv.reader(lines, delimiter=delimiter)
    header = [restore(h).strip() for h in next(rows, [])]
    if "coder_value" not in header and "item_id" in header:
        from stancemap.annotations.labelstudio import read_labelstudio_rows

        return read_labelstudio_rows(header, rows, annotator, codebook)
    return _from_rows(header, ([restore(v) for v in row] for row in rows), annotator)


def _from_rows(header: list[str], rows, annotator: str | None, cells_by_position: bool = False
               ) -> Reading:
    """`cells_by_position`: a sheet's cells sit in their columns whatever the row's length."""
    missing = {"item_id", "coder_value"} - set(header)
    if missing:
        raise ValueError(f"no column(s) {', '.join(sorted(missing))}")
    reading = Reading(kind="a review spreadsheet")
    value_at, note_at = header.index("coder_value"), header.index("coder_note") if "coder_note" in header else None

    def ragged(row) -> bool:
        return not cells_by_position and (len(row) < len(header) or any(
            v not in ("", None) for v in row[len(header):]))
    for number, row in enumerate(rows, start=2):
        if reading.full:
            reading.problems.append(f"row {number} and after: not checked (too many problems)")
            break
        if ragged(row) and any(v not in ("", None) for v in row):
            # a CSV row short of cells, or with cells past the header: they may not be under
            # the columns they belong to
            reading.problems.append(f"row {number}: {len(row)} cells where the header has "
                                    f"{len(header)} (a ragged row); fix the row")
            continue
        value = row[value_at] if len(row) > value_at else ""
        if isinstance(value, Formula):
            reading.problems.append(f"row {number}: coder_value is a formula ({value[:60]}), "
                                    "not a label; type the label itself")
            continue
        if value in ("", None):
            continue  # an empty cell is no decision
        record = dict(zip(header, row))
        reading.decide(f"row {number}", record, str(value), annotator,
                       str(row[note_at]) if note_at is not None and len(row) > note_at and row[note_at] else None)
    return reading


def _read_xlsx(path: Path, annotator: str | None) -> Reading:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)  # formulas as formulas: never their cached value
    try:
        sheet = book["review"] if "review" in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows()
        header = next(rows, None)
        if header is None:
            raise ValueError("the sheet is empty")
        header = [str(c.value) if c.value is not None else "" for c in header]
        return _from_rows(header, ([_cell(c) for c in row] for row in rows), annotator,
                          cells_by_position=True)
    finally:
        book.close()


class Formula(str):
    """A cell holding a formula (the text is the formula): a coder's label is never computed."""


def _cell(cell):
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if getattr(cell, "data_type", None) == "f":
        return Formula(value if isinstance(value, str) else getattr(value, "text", None) or "=?")
    return value
