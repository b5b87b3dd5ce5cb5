"""What every built report must satisfy, checked against the project's own exports:
offline, each panel mark holds the exported cell's value, each mark's passages are that cell's."""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import pandas as pd

from stancemap.corpus.store import Store
from stancemap.datasets.export import export_project
from stancemap.datasets.panel import panel_table
from stancemap.datasets.report.columns import SOURCE, with_source_country
from stancemap.datasets.report.figures import boundaries
from stancemap.datasets.tables import passage_table
from stancemap.errors import UsageError

# markup or CSS that would make a browser fetch something
RESOURCE = re.compile(r"""(?:\b(?:src|href|srcset|poster|action|data)\s*=\s*["']?\s*(?:https?:)?//)"""
                      r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)|(?:<link\b)|(?:<iframe\b)"""
                      r"""|(?:<script[^>]*\bsrc\s*=)""", re.IGNORECASE)


def report_data(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert found, "no report data in the page"
    data = json.loads(found.group(1))
    for cell in data["cells"]:  # stored as gaps from the previous position, as report.js reads them
        cell["p"] = list(itertools.accumulate(cell["p"]))
    return data


def resource_references(path: Path) -> list[str]:
    html = path.read_text(encoding="utf-8")
    return [html[max(0, m.start() - 40):m.end() + 40] for m in RESOURCE.finditer(html)]


def cell_rows(spec: dict) -> list[dict]:
    """The rows of a figure's mark named "cells" (map features: their properties)."""
    def walk(node, inherited):
        data = node.get("data", inherited)
        if node.get("name", "").startswith("cells"):
            values = data["values"]
            return [v.get("properties", v) if v.get("type") == "Feature" else v for v in values]
        for key in ("layer", "vconcat", "hconcat"):
            for child in node.get(key, []):
                found = walk(child, data)
                if found is not None:
                    return found
        return None
    rows = walk(spec, None)
    assert rows is not None, "figure has no mark named cells"
    return rows


def panel_for(project: Path, by: list[str], codebook, tmp: Path) -> pd.DataFrame:
    """The panel as `stancemap export --level panel --by BY` writes it; where export does not know
    a dimension yet (source_country before it lands in the table), the export's own functions."""
    out = tmp / f"panel_{'_'.join(by)}.csv"
    try:
        export_project(project, "panel", out, by=by, codebook=codebook)
        return pd.read_csv(out, keep_default_na=True)
    except UsageError:
        store = Store(project, create=False)
        try:
            table = with_source_country(passage_table(store, codebook))
        finally:
            store.dispose()
        return panel_table(table, by, codebook)


def passages_export(project: Path, codebook, tmp: Path) -> pd.DataFrame:
    out = tmp / "passages.csv"
    export_project(project, "passages", out, codebook=codebook)
    table = pd.read_csv(out, dtype=str, keep_default_na=False, na_values=[""])
    return with_source_country(table)


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    return str(a) == str(b) or (_number(a) is not None and _number(b) is not None
                                and math.isclose(_number(a), _number(b), abs_tol=1e-6))


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def check_panel_values(project: Path, data: dict, codebook, tmp: Path) -> int:
    """Every exported cell with a value appears in its chart with that value, and back. Returns
    the number of cells compared."""
    compared = 0
    mapped = {f["id"] for f in boundaries()["features"]}
    for figure in data["figures"]:
        panel = figure.get("panel")
        if not panel or panel.get("level") == "topics":
            continue
        by, value = panel["by"], panel["value"]
        exported = panel_for(project, by, codebook, tmp)
        exported = exported[exported[value].notna()]
        drawn = cell_rows(figure["spec"])
        index = {tuple(str(r[k]) for k in by): r for r in drawn}
        for row in exported.to_dict("records"):
            key = tuple(str(None if pd.isna(row[k]) else (int(row[k]) if k == "year" else row[k])) for k in by)
            if any(key[by.index(k)] == "None" for k in panel.get("omit_none", [])):
                continue  # passages without a sector or a source country, not drawn there
            if panel.get("only_mapped") and key[0] not in mapped:
                continue  # a country outside the map's boundaries
            assert key in index, f"{figure['id']}: exported cell {key} is not in the chart"
            assert _same(index[key][value], row[value]), \
                f"{figure['id']} {key}: chart {index[key][value]} != export {row[value]}"
            compared += 1
        assert len(drawn) <= len(exported), f"{figure['id']}: chart has cells the export lacks"
    return compared


def _matches(column: pd.Series, value, multi: bool) -> pd.Series:
    if value is None:
        return column.isna()
    if multi:
        return column.fillna("").str.split(";").map(lambda values: str(value) in values)
    return column.astype(str) == str(value)


def check_links(project: Path, data: dict, codebook, tmp: Path) -> int:
    """Each panel mark's passages are exactly the passages export's rows of that cell (its
    opinions: interviewer questions and transcript headers are not counted in panels)."""
    passages = passages_export(project, codebook, tmp)
    if "role" in passages:
        passages = passages[~passages["role"].isin(["question", "context"])]
    columns = {"country": ("countries", True), "about_country": ("about_country", True),
               "sector": ("sectors", True), "year": ("year", False), "kind": ("kind", False),
               "lang": ("lang", False), SOURCE: (SOURCE, False), "stakeholder": ("stakeholder", False)}
    ids, cells = data["passages"]["ids"], data["cells"]
    checked = 0
    for figure in data["figures"]:
        panel = figure.get("panel")
        if not panel or panel.get("level") == "topics":
            continue
        for row in cell_rows(figure["spec"]):
            mask = pd.Series(True, index=passages.index)
            for key in panel["by"]:
                column, multi = columns.get(key, (f"meta_{key}", False))
                mask &= _matches(passages[column], row[key], multi)
            expected = set(passages.loc[mask, "passage_id"])
            linked = {ids[i] for i in cells[row["_cell"]]["p"]}
            assert linked == expected, f"{figure['id']} {row}: linked passages differ from the cell's"
            assert len(linked) == row.get("n_passages", len(linked))
            checked += 1
    return checked


def check_report(project: Path, path: Path, codebook, tmp: Path) -> dict:
    assert resource_references(path) == []
    data = report_data(path)
    assert check_panel_values(project, data, codebook, tmp) > 0
    assert check_links(project, data, codebook, tmp) > 0
    return data
