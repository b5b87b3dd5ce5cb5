"""Writing a table as CSV, Parquet, Stata or Excel, always with a data dictionary and the
run manifest beside it, so that a file found on its own still says what it holds.

Types come from the data dictionary, never from the values (two projects' files concatenate);
text a spreadsheet could run as a formula is neutralised (see corpus/spreadsheet.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.io.stata import StataParser

from stancemap import __version__
from stancemap.corpus.atomic import replacing
from stancemap.corpus.spreadsheet import neutralise, set_text_cell
from stancemap.errors import Errors, UsageError

FORMATS = ("csv", "parquet", "dta", "xlsx")
STATA_NAME = 32
STATA_LABEL = 80
STATA_RESERVED = frozenset(StataParser().RESERVED_WORDS)
SIDECAR_KEYS = ("column", "meaning", "type", "allowed_values", "stata_name")


def format_for(path: Path, given: str | None) -> str:
    if path.is_dir():
        raise UsageError(Errors.E412.format(path=path, formats=", ".join(f".{f}" for f in FORMATS)))
    fmt = (given or path.suffix.lstrip(".")).lower()
    if not fmt:
        raise UsageError(Errors.E413.format(path=path, formats=", ".join(f".{f}" for f in FORMATS)))
    if fmt not in FORMATS:
        raise UsageError(Errors.E040.format(fmt=fmt or "(none)", path=path, formats=", ".join(FORMATS)))
    if path.suffix and path.suffix.lower() != f".{fmt}":  # --format parquet --out data.csv
        raise UsageError(Errors.E169.format(fmt=fmt, what=fmt.upper(), path=path, suffix=path.suffix,
                                            suggestion=path.with_suffix(f".{fmt}").name))
    return fmt


def _stata_names(columns: list[str]) -> dict[str, str]:
    """Stata names: letters, digits and _, at most 32 characters, unique."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:
        name = re.sub(r"\W", "_", column)[:STATA_NAME]
        if not re.match(r"[A-Za-z_]", name) or name in STATA_RESERVED:
            name = f"v_{name}"[:STATA_NAME]
        base, n = name, 1
        while name in used:
            suffix = f"_{n}"
            name = base[:STATA_NAME - len(suffix)] + suffix
            n += 1
        used.add(name)
        names[column] = name
    return names


def stata_labels(names: dict[str, str], meanings: dict[str, str]) -> dict[str, str]:
    """Variable labels of at most 80 characters, unique: a long or repeated meaning is
    prefixed with the (unique) variable name and cut; the full text stays in the dictionary."""
    labels, seen = {}, set()
    for column, name in names.items():
        label = meanings.get(column, column)
        if len(label) > STATA_LABEL or label in seen:
            label = f"{name}: {label}"
            if len(label) > STATA_LABEL:
                label = label[:STATA_LABEL - 1] + "…"
        seen.add(label)
        labels[name] = label
    return labels


def as_dates(series: pd.Series) -> pd.Series:
    """ISO 8601 dates as timestamps; a year or a month gives the period's first day."""
    def one(value):
        if not isinstance(value, str) or not value[:4].isdigit():
            return None
        return {4: value + "-01-01", 7: value + "-01"}.get(len(value), value[:10])
    return pd.to_datetime(series.map(one), errors="coerce", format="%Y-%m-%d")


def is_text(series: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)


def _text(value) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(value)


def typed(table: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """The table with each column in its declared type (nullable where values are missing)."""
    frame = table.copy()
    for column in frame.columns:
        kind = types.get(column)
        if kind == "string":
            frame[column] = frame[column].map(_text).astype(object)
        elif kind == "integer":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
        elif kind == "float":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        elif kind == "boolean":
            frame[column] = frame[column].astype("boolean")
        elif kind == "date":
            frame[column] = as_dates(frame[column])
    return frame


def write_table(table: pd.DataFrame, path: Path, fmt: str, dictionary: list[dict[str, Any]],
                manifest: dict[str, Any]) -> list[Path]:
    """Write `table` and its sidecars; returns every path written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    dictionary_path = path.with_name(path.name + ".dictionary.csv")
    manifest_path = path.with_name(path.name + ".manifest.json")
    with replacing(path, dictionary_path, manifest_path) as (part, dictionary_part, manifest_part):
        if fmt == "csv":
            _neutralised(table).to_csv(part, index=False)
        elif fmt == "parquet":
            _write_parquet(table, part, dictionary, manifest)
        elif fmt == "xlsx":
            _write_xlsx(table, part, dictionary)
        elif fmt == "dta":
            _write_stata(table, part, dictionary, manifest)
        _neutralised(_sidecar(dictionary)).to_csv(dictionary_part, index=False)
        manifest_part.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
                                 "utf-8")
    return [path, dictionary_path, manifest_path]


def _sidecar(dictionary: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(dictionary)
    return frame[[c for c in SIDECAR_KEYS if c in frame.columns]]


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if is_text(out[column]):
            out[column] = out[column].map(neutralise).astype(object)
    return out


def _write_parquet(table: pd.DataFrame, path: Path, dictionary: list[dict[str, Any]],
                   manifest: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {"string": pa.string(), "integer": pa.int64(), "float": pa.float64(),
             "boolean": pa.bool_(), "date": pa.date32()}
    types = {d["column"]: d["type"] for d in dictionary}
    frame = typed(table, types)
    for column in frame.columns:
        if types.get(column) == "date":
            frame[column] = frame[column].dt.date.astype(object).where(frame[column].notna(), None)
    fields = [pa.field(d["column"], arrow.get(d["type"], pa.string()),
                       metadata={"description": d["meaning"], "allowed_values": d["allowed_values"]})
              for d in dictionary if d["column"] in frame.columns]
    schema = pa.schema(fields, metadata={
        "stancemap.manifest": json.dumps(manifest, ensure_ascii=False, default=str),
        "stancemap.dictionary": json.dumps(_sidecar(dictionary).to_dict("records"), ensure_ascii=False)})
    pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), path)


def _write_xlsx(table: pd.DataFrame, path: Path, dictionary: list[dict[str, Any]]) -> None:
    """Written cell by cell: text is always a text cell, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for name, frame in (("data", table), ("dictionary", _sidecar(dictionary))):
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            cells = []
            for value in row:
                if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                    cells.append(None)
                    continue
                cell = WriteOnlyCell(sheet)
                set_text_cell(cell, value.item() if hasattr(value, "item") else value)
                cells.append(cell)
            sheet.append(cells)
    book.save(path)


def _write_stata(table: pd.DataFrame, path: Path, dictionary: list[dict[str, Any]],
                 manifest: dict[str, Any]) -> None:
    """Categoricals as labelled integers, dates as %td, labels short and unique, and a dataset
    label naming the project, the codebook and stancemap's version."""
    types = {d["column"]: d["type"] for d in dictionary}
    names = _stata_names(list(table.columns))
    frame = typed(table, types)
    value_labels: dict[str, dict[int, str]] = {}
    dates = {}
    for entry in dictionary:
        column = entry["column"]
        if column not in frame.columns:
            continue
        if entry.get("categories"):
            seen = sorted({v for v in frame[column].dropna().astype(str)} - set(entry["categories"]))
            codes = {value: i for i, value in enumerate(list(entry["categories"]) + seen, start=1)}
            frame[column] = frame[column].map(lambda v: codes.get(str(v)) if _text(v) else None
                                              ).astype("float64")
            value_labels[names[column]] = {i: v for v, i in codes.items()}
        elif types.get(column) == "date":
            dates[names[column]] = "td"
        elif types.get(column) == "integer":
            frame[column] = frame[column].astype("float64")  # Stata's missing for the gaps
    frame = frame.rename(columns=names)
    for column in frame.columns:
        if is_text(frame[column]):
            frame[column] = frame[column].map(lambda v: "" if _text(v) is None else str(v)).astype(object)
    long_text = [c for c in frame.columns if frame[c].dtype == object
                 and frame[c].map(len).max() > 2045] if len(frame) else []
    codebook = manifest.get("codebook") or {}
    label = (f"stancemap {__version__}: {manifest.get('project', 'project')}, codebook "
             f"{codebook.get('name', '?')} {codebook.get('version', '')}").strip()
    frame.to_stata(path, write_index=False, version=118, convert_strl=long_text,
                   convert_dates=dates, value_labels=value_labels or None,
                   data_label=label[:STATA_LABEL],
                   variable_labels=stata_labels(names, {d["column"]: d["meaning"] for d in dictionary}))
    for entry in dictionary:
        entry["stata_name"] = names.get(entry["column"], entry["column"])
