"""Review files in the formats coders already use: CSV, XLSX (drop-downs, locked model
columns), Label Studio (tasks with the model's predictions, and a labelling config), doccano
(JSONL). Reading detects the format from the content."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.review import (Decision, Item, allowed_values, is_multi, parse_values,
                                          review_dimensions)
from stancemap.corpus.encoding import decode
from stancemap.corpus.zipsafety import zip_problem
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
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(_row(i, codebook) for i in items)
        return [path]
    if fmt == "xlsx":
        _write_xlsx(items, path, codebook)
        return [path]
    if fmt == "labelstudio":
        return _write_labelstudio(items, path, codebook)
    if fmt == "doccano":
        with path.open("w", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps({"text": item.text, "label": item.model_values, "meta": {
                    "item_id": item.item_id, "passage_id": item.passage_id,
                    "dimension": item.dimension, "target": item.target, "text_sha": item.text_sha,
                    "model_score": item.model_score, "model_source": item.model_source}},
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
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    coder_col = COLUMNS.index("coder_value") + 1
    note_col = COLUMNS.index("coder_note") + 1
    lists = book.create_sheet("allowed_values")
    validations = {}
    for column, dimension in enumerate(review_dimensions(codebook), start=1):
        values = allowed_values(dimension, codebook)
        lists.cell(1, column, dimension)
        for row, value in enumerate(values, start=2):
            lists.cell(row, column, value)
        letter = lists.cell(1, column).column_letter
        # multi-valued dimensions accept "KAZ; CHN": the list is a guide, not a rule
        validations[dimension] = DataValidation(
            type="list", formula1=f"=allowed_values!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True, showErrorMessage=not is_multi(dimension, codebook), errorStyle="stop")
        sheet.add_data_validation(validations[dimension])
    unlocked = Protection(locked=False)
    editable = PatternFill("solid", fgColor="FFF2CC")
    for item in items:
        sheet.append([_row(item, codebook)[c] for c in COLUMNS])
        row = sheet.max_row
        for column in (coder_col, note_col):
            sheet.cell(row, column).protection = unlocked
            sheet.cell(row, column).fill = editable
        validations[item.dimension].add(sheet.cell(row, coder_col))
    sheet.protection.sheet = True  # the model's columns are locked; coder columns are not
    sheet.protection.formatColumns = False
    sheet.freeze_panes = "B2"
    lists.sheet_state = "hidden"
    book.save(path)


def _write_labelstudio(items: list[Item], path: Path, codebook: Codebook) -> list[Path]:
    tasks = []
    for number, item in enumerate(items, start=1):
        task = {"id": number, "data": {
            "text": item.text, "item_id": item.item_id, "passage_id": item.passage_id,
            "dimension": item.dimension, "target": item.target, "text_sha": item.text_sha,
            "question": f"{item.dimension}{' toward ' + item.target if item.target else ''}"}}
        if item.model_values:
            task["predictions"] = [{"model_version": item.model_source or "model",
                                    "score": item.model_score, "result": [{
                                        "from_name": item.dimension, "to_name": "text",
                                        "type": "choices", "value": {"choices": item.model_values}}]}]
        tasks.append(task)
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    dims = sorted({i.dimension for i in items})
    blocks = []
    for dimension in dims:
        choices = "".join(f'<Choice value={quoteattr(v)}/>' for v in allowed_values(dimension, codebook))
        kind = "multiple" if is_multi(dimension, codebook) else "single"
        blocks.append(f'  <Choices name="{dimension}" toName="text" choice="{kind}" '
                      f'showInline="true">{choices}</Choices>')
    config = ("<View>\n  <Header value=\"$question\"/>\n  <Text name=\"text\" value=\"$text\"/>\n"
              + "\n".join(blocks) + "\n</View>\n")
    config_path = path.with_name(path.stem + ".label_config.xml")
    config_path.write_text(config, encoding="utf-8")
    return [path, config_path]


# reading -----------------------------------------------------------------------------------
def _safe_zip(path: Path) -> None:
    problem = zip_problem(path, MAX_UNPACKED)
    if problem:
        raise ReviewError(Errors.E056.format(path=path, reason=problem))


def _decision(where, record: dict, values, annotator) -> Decision:
    item_id = str(record.get("item_id") or "")
    parts = item_id.split("|")
    if len(parts) != 3:
        raise ValueError(f"{where}: no stancemap item_id (this file was not made by "
                         f"`stancemap review export`)")
    passage_id, dimension, target = parts
    return Decision(where, passage_id, dimension, target, parse_values(values, dimension),
                    record.get("text_sha") or None, record.get("coder_note") or None, annotator)


def _from_rows(rows: list[dict], annotator: str, first_row: int = 2) -> list[Decision]:
    missing = {"item_id", "coder_value"} - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"no column(s) {', '.join(sorted(missing))}")
    return [_decision(f"row {n}", row, row.get("coder_value"), annotator)
            for n, row in enumerate(rows, start=first_row)]


def read_review(path: Path, annotator: str, codebook: Codebook) -> list[Decision]:
    """Decisions in any supported format; a file of another shape is refused by name."""
    data = path.read_bytes()
    try:
        if data.startswith(b"PK\x03\x04"):
            _safe_zip(path)
            with zipfile.ZipFile(path) as archive:
                is_qdpx = "project.qde" in archive.namelist()
            if is_qdpx:
                from stancemap.annotations.qdpx import read_qdpx

                return read_qdpx(path, annotator, codebook)
            return _read_xlsx(path, annotator)
        text, _ = decode(data)
        stripped = text.lstrip()
        if stripped.startswith("["):
            return _read_labelstudio(json.loads(stripped), annotator)
        if stripped.startswith("{"):
            return _read_doccano(text, annotator)
        rows = list(csv.DictReader(io.StringIO(text)))
        return _from_rows(rows, annotator)
    except ReviewError:
        raise
    except (ValueError, KeyError, TypeError, FileProblem, csv.Error) as err:
        raise ReviewError(Errors.E053.format(path=path, reason=err)) from err


def _read_xlsx(path: Path, annotator: str) -> list[Decision]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book["review"] if "review" in book.sheetnames else book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        raise ValueError("the sheet is empty")
    header = [str(h) if h is not None else "" for h in rows[0]]
    records = [{h: ("" if v is None else v) for h, v in zip(header, row)} for row in rows[1:]]
    return _from_rows(records, annotator)


def _read_labelstudio(tasks, annotator: str) -> list[Decision]:
    if not isinstance(tasks, list):
        raise ValueError("a Label Studio export is a JSON list of tasks")
    decisions = []
    for task in tasks:
        if not isinstance(task, dict) or "data" not in task:
            raise ValueError("not a Label Studio task list (tasks need a 'data' object)")
        where = f"task {task.get('id')}"
        data = task["data"]
        annotations = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
        coders = {a.get("completed_by") for a in annotations}
        for annotation in annotations:
            name = annotator if len(coders) <= 1 else f"{annotator}-{annotation.get('completed_by')}"
            dimension = str(data.get("item_id", "||")).split("|")[1] if "item_id" in data else None
            results = [r for r in annotation.get("result", []) if r.get("from_name") == dimension]
            if "item_id" not in data:
                kinds = sorted({r.get("type", "?") for r in annotation.get("result", [])})
                raise ValueError(f"{where}: no stancemap item_id in its data (a task of "
                                 f"{', '.join(kinds) or 'no'} results, not made by `stancemap review export`)")
            if not results:
                continue
            choices = results[0].get("value", {}).get("choices")
            if choices is None:
                raise ValueError(f"{where}: result of type {results[0].get('type')!r}, not choices")
            decisions.append(_decision(where, data, choices, name))
    return decisions


def _read_doccano(text: str, annotator: str) -> list[Decision]:
    decisions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        meta = record.get("meta") or {}
        labels = record.get("label", record.get("labels"))
        if labels is None:
            raise ValueError(f"line {number}: no 'label' list")
        decisions.append(_decision(f"line {number}", meta, labels, annotator))
    return decisions
