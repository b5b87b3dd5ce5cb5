"""Writing a table as CSV, Parquet, Stata or Excel, always with a data dictionary and the
run manifest beside it, so that a file found on its own still says what it holds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.io.stata import StataParser

from stancemap.errors import Errors, UsageError

FORMATS = ("csv", "parquet", "dta", "xlsx")
STATA_NAME = 32
STATA_LABEL = 80
STATA_RESERVED = frozenset(StataParser().RESERVED_WORDS)


def format_for(path: Path, given: str | None) -> str:
    fmt = (given or path.suffix.lstrip(".")).lower()
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


def write_table(table: pd.DataFrame, path: Path, fmt: str, dictionary: list[dict[str, Any]],
                manifest: dict[str, Any]) -> list[Path]:
    """Write `table` and its sidecars; returns every path written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    labels = {d["column"]: d["meaning"] for d in dictionary}
    if fmt == "csv":
        table.to_csv(path, index=False)
    elif fmt == "parquet":
        table.to_parquet(path, index=False)
    elif fmt == "xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            table.to_excel(writer, sheet_name="data", index=False)
            pd.DataFrame(dictionary).to_excel(writer, sheet_name="dictionary", index=False)
    elif fmt == "dta":
        names = _stata_names(list(table.columns))
        frame = table.rename(columns=names)
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype).startswith("string"):
                frame[column] = frame[column].map(lambda v: "" if v is None or (isinstance(v, float)
                                                                               and v != v) else str(v))
        long_text = [c for c in frame.columns if frame[c].dtype == object
                     and frame[c].map(len).max() > 2045] if len(frame) else []
        frame.to_stata(path, write_index=False, version=118, convert_strl=long_text,
                       variable_labels={names[c]: labels.get(c, c)[:STATA_LABEL] for c in table.columns})
        for entry in dictionary:
            entry["stata_name"] = names.get(entry["column"], entry["column"])
    written = [path]
    dictionary_path = path.with_name(path.name + ".dictionary.csv")
    pd.DataFrame(dictionary).to_csv(dictionary_path, index=False)
    manifest_path = path.with_name(path.name + ".manifest.json")
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str), "utf-8")
    return written + [dictionary_path, manifest_path]
