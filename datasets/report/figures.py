"""The report's figures, section by section. Panel figures take their numbers from
`panel_table` (the export's function) and say so (`panel`: the --by and the column drawn), so
a test can hold each mark against the exported panel."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.datasets.correction import Z95, wilson
from stancemap.datasets.panel import topic_prevalence
from stancemap.datasets.report import charts
from stancemap.datasets.report.cells import INDEX, Cells, clean, link, panel_cells, shown
from stancemap.datasets.report.columns import ABOUT, SOURCE, about_column, sources_column

SECTIONS = {"overview": "Overview", "perception": "Perception", "sectors": "Sectors and topics",
            "map": "Map", "network": "Entity network", "review": "Human review"}
COVERAGE = ("country", "sector", "sentiment", "stance", "topic")


@dataclass
class Figure:
    id: str
    section: str
    title: str
    spec: dict[str, Any]
    note: str = ""
    # when drawn from panel_table: {"by": [...], "value": column drawn, "omit_none": dimensions whose
    # empty cells (no sector, no source country) are not drawn, "only_mapped": countries on the map}
    panel: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"id": self.id, "section": self.section, "title": self.title, "note": self.note,
                "panel": self.panel, "spec": self.spec, **self.extra}


def _pooled(table: pd.DataFrame) -> bool:
    return SOURCE not in table or table[SOURCE].isna().all()


def _drawn(rows: list[dict], column: str) -> list[dict]:
    return [r for r in rows if r.get(column) is not None]


def _net_column(rows_all: list[dict], prefix: str, validation) -> tuple[str, list[dict], int]:
    """Which net stance a chart draws: the corrected one where a validation sample corrects
    any cell, else the model-only one; its drawn rows (copies), and how many cells with a
    model-only figure the correction leaves out (too few validated passages)."""
    plain = f"{prefix}_net"
    net = f"{prefix}_net_ppi" if validation is not None else plain
    rows = [dict(r) for r in _drawn(rows_all, net)]
    if not rows and net != plain:  # no cell could be corrected
        net, rows = plain, [dict(r) for r in _drawn(rows_all, plain)]
    refused = sum(1 for r in _drawn(rows_all, plain) if r.get(net) is None)
    return net, rows, refused


def _validated(title: str, net: str) -> str:
    return title + (" (corrected by the validation sample)" if net.endswith("_ppi")
                    else " (model-only: not validated)")


def overview(table: pd.DataFrame, codebook: Codebook, cells: Cells) -> list[Figure]:
    figures = []
    for dimension, title in (("kind", "Passages by kind of document"), ("lang", "Passages by language"),
                             (SOURCE, "Passages by source country"), ("year", "Passages by year")):
        rows, positions = panel_cells(table, [dimension], codebook, cells)
        figure_id = f"corpus-{dimension}"
        link(rows, positions, [dimension], cells, figure_id)
        for row in rows:
            row[f"{dimension}_label"] = shown(row[dimension], dimension, _pooled(table))
        spec = charts.bars(rows, f"{dimension}_label", "n_passages", title, x_title=dimension.replace("_", " "),
                           y_title="passages", tooltip=[(f"{dimension}_label", "N", dimension),
                                                        ("n_passages", "C", "passages"),
                                                        ("n_documents", "C", "documents")])
        figures.append(Figure(figure_id, "overview", title, spec,
                              panel={"by": [dimension], "value": "n_passages"}))
    figures.append(coverage(table, codebook, cells))
    return figures


def coverage(table: pd.DataFrame, codebook: Codebook, cells: Cells) -> Figure:
    """Share of each language's passages with a code of each dimension; 0% cells are gaps."""
    def present(column: str) -> pd.Series:
        return table[column].notna() if column in table else pd.Series(False, index=table.index)

    stance = [f"stance_{t}" for t in codebook.stance_targets if f"stance_{t}" in table]
    masks = {"country": present(about_column(table)), "sector": present("sectors"),
             "sentiment": present("sentiment"), "topic": present("top_topic"),
             "stance": table[stance].notna().any(axis=1) if stance else present("stance")}
    rows = []
    for lang, group in table.groupby(table["lang"].fillna("?"), sort=True):
        for dimension in COVERAGE:
            coded = group[masks[dimension].loc[group.index]]
            share = len(coded) / len(group)
            row = {"lang": lang, "dimension": dimension, "n_passages": len(group), "n_coded": len(coded),
                   "share": round(share, 6), "text": f"{share:.0%}" if len(coded) else "gap"}
            row["_cell"] = cells.add("coverage", f"{lang} · with a {dimension} code", coded[INDEX].tolist())
            rows.append(row)
    gaps = sorted({f"{r['lang']}: {r['dimension']}" for r in rows if not r["n_coded"]})
    note = ("Share of each language's passages with at least one code of the dimension. "
            + (f"No code at all (gaps): {', '.join(gaps)}." if gaps else "No language lacks a dimension."))
    spec = charts.heat(rows, "dimension", "lang", "share", "text", "Coding coverage per language",
                       x_title="dimension", y_title="language", colour_title="share coded",
                       tooltip=[("lang", "N", "language"), ("dimension", "N", "dimension"),
                                ("n_coded", "C", "coded passages"), ("n_passages", "C", "passages"),
                                ("share", "Q", "share")])
    return Figure("coverage", "overview", "Coding coverage per language", spec, note)


def _stance_tooltip(prefix: str, sources: tuple[str, str], keys: list[str], net: str | None = None) -> list:
    net = net or f"{prefix}_net"
    corrected = [(f"{prefix}_net", "Q", "model-only net (not validated)"),
                 (f"{prefix}_n_validated", "C", "validated passages")] if net != f"{prefix}_net" else []
    return [*((k, "N", k.replace("_", " ")) for k in keys),
            (net, "Q", "net stance" + (" (corrected)" if corrected else "")),
            (f"{net}_lo", "Q", "95% low"), (f"{net}_hi", "Q", "95% high"), *corrected,
            (f"{prefix}_n", "C", "passages with a stance"), (sources[0], "C", sources[1]),
            (f"{prefix}_fav", "Q", "share favour"), (f"{prefix}_ag", "Q", "share against")]


def perception(table: pd.DataFrame, codebook: Codebook, cells: Cells, by: list[str],
               validation=None) -> list[Figure]:
    """Net stance per target and cell: the corrected figure where a validation sample exists
    (cells it cannot correct are counted in the note), the model-only one marked not
    validated otherwise."""
    figures = []
    rows_all, positions = panel_cells(table, by, codebook, cells, validation)
    x, colours = by[-1], by[:-1] or [by[-1]]
    for row in rows_all:
        row["_group"] = " · ".join(shown(row[k], k, _pooled(table)) for k in colours)
    sources = sources_column(pd.DataFrame(rows_all[:1]))
    for target, spec_target in codebook.stance_targets.items():
        prefix = f"st_{target}"
        net, rows, refused = _net_column(rows_all, prefix, validation)
        if not rows:
            continue
        figure_id = f"stance-{target}"
        link(rows, positions, by, cells, figure_id)
        corrected = net.endswith("_ppi")
        title = _validated(f"Net stance toward {spec_target.label} by {' × '.join(by).replace('_', ' ')}", net)
        spec = charts.intervals(rows, x, net, f"{net}_lo", f"{net}_hi", "_group",
                                title, x_title=x.replace("_", " "), y_title="net stance (favour − against)",
                                colour_title=" × ".join(colours).replace("_", " "), domain=[-1, 1],
                                colours=sorted({r["_group"] for r in rows_all}),
                                tooltip=_stance_tooltip(prefix, sources, by, net))
        note = ("Share favour minus share against among passages with a stance toward the target, "
                + ("estimated from the model's codes corrected by the coders' codes on the random "
                   "validation sample (prediction-powered); "
                   + (f"{refused} cell(s) with too few validated passages are not drawn (their "
                      "model-only figures are in the export). " if refused else "")
                   if corrected else "as the model coded them (human codes where coders decided); "
                   "no validation sample checks them, so the model's errors are not in the bars. ")
                + "Bars are 95% intervals that count sources, not passages.")
        figures.append(Figure(figure_id, "perception", title, spec, note,
                              panel={"by": by, "value": net}))
    figures += sector_stance(table, codebook, cells, validation)
    figures.append(distinct_sources(rows_all, positions, by, cells, sources, _pooled(table)))
    return figures


def _main_target(table: pd.DataFrame, codebook: Codebook) -> str | None:
    counts = {t: int(table[f"stance_{t}"].notna().sum()) for t in codebook.stance_targets
              if f"stance_{t}" in table}
    return max(counts, key=lambda t: (counts[t], t == "china"), default=None) if any(counts.values()) else None


def sector_stance(table: pd.DataFrame, codebook: Codebook, cells: Cells, validation=None) -> list[Figure]:
    """Net stance toward the main target per source country and sector: corrected by the
    validation sample where it can be (cells it cannot correct are counted in the note), else
    the model-only figure titled not validated — as the perception charts do."""
    target = _main_target(table, codebook)
    if target is None:
        return []
    prefix, by = f"st_{target}", [SOURCE, "sector"]
    rows_all, positions = panel_cells(table, by, codebook, cells, validation)
    rows_all = [r for r in rows_all if r["sector"] is not None]
    net, rows, refused = _net_column(rows_all, prefix, validation)
    if not rows:
        return []
    corrected = net.endswith("_ppi")
    for row in rows:
        half = (row[f"{net}_hi"] - row[f"{net}_lo"]) / 2
        row["text"] = f"{row[net]:+.2f} ±{half:.2f}"
        row[f"{SOURCE}_label"] = shown(row[SOURCE], SOURCE, _pooled(table))
    link(rows, positions, by, cells, "sector-stance")
    label = codebook.stance_targets[target].label
    sources = sources_column(pd.DataFrame(rows[:1]))
    title = _validated(f"Net stance toward {label} by source country × sector", net)
    spec = charts.heat(rows, "sector", f"{SOURCE}_label", net, "text", title, x_title="sector",
                       y_title="source country", colour_title="net stance", diverging=True,
                       tooltip=_stance_tooltip(prefix, sources, by, net))
    note = ("Each cell: net stance ± half the width of its 95% interval; wide intervals mean few "
            "sources. " + (f"Corrected by the coders' validation sample; {refused} cell(s) with too "
                           "few validated passages are not drawn." if corrected and refused else
                           "Corrected by the coders' validation sample." if corrected else
                           "As the model coded them: no validation sample checks these figures."))
    return [Figure("sector-stance", "perception", title, spec, note,
                   panel={"by": by, "value": net, "omit_none": by})]


def distinct_sources(rows_all, positions, by, cells: Cells, sources: tuple[str, str],
                     pooled: bool = False) -> Figure:
    column, what = sources
    rows = [dict(r) for r in rows_all]
    x, y = by[-1], (by[0] if len(by) > 1 else by[-1])
    for row in rows:
        row["text"] = str(row[column])
        row["x_label"], row["y_label"] = shown(row[x], x, pooled), shown(row[y], y, pooled)
    link(rows, positions, by, cells, "sources")
    title = f"Number of {what} per cell ({' × '.join(by)})"
    spec = charts.heat(rows, "x_label", "y_label", column, "text", title, x_title=x.replace("_", " "),
                       y_title=y.replace("_", " "), colour_title=what,
                       tooltip=[*((k, "N", k) for k in by), (column, "C", what), ("n_passages", "C", "passages")])
    return Figure("sources", "perception", title, spec,
                  f"How many {what} stand behind each perception cell (several passages of one source "
                  "are not independent).", panel={"by": by, "value": column})


def sectors_over_time(table: pd.DataFrame, codebook: Codebook, cells: Cells) -> list[Figure]:
    rows, positions = panel_cells(table, ["sector", "year"], codebook, cells)
    totals, _ = panel_cells(table, ["year"], codebook, cells)
    per_year = {r["year"]: r["n_passages"] for r in totals}
    rows = [r for r in rows if r["sector"] is not None and per_year.get(r["year"])]
    if not rows:
        return []
    for row in rows:
        n = per_year[row["year"]]
        low, high = wilson(row["n_passages"] / n, n)
        row.update({"share": round(row["n_passages"] / n, 6), "share_lo": round(low, 6),
                    "share_hi": round(high, 6), "year_passages": n})
    link(rows, positions, ["sector", "year"], cells, "sector-share")
    title = "Share of passages per sector and year"
    spec = charts.intervals(rows, "year", "share", "share_lo", "share_hi", "sector", title, x_title="year",
                            y_title="share of the year's passages", colour_title="sector",
                            tooltip=[("sector", "N", "sector"), ("year", "O", "year"),
                                     ("n_passages", "C", "passages"), ("year_passages", "C", "of"),
                                     ("share", "Q", "share"), ("share_lo", "Q", "95% low"),
                                     ("share_hi", "Q", "95% high")])
    return [Figure("sector-share", "sectors", title, spec,
                   f"Passages coded with the sector among all the year's passages (Wilson 95% interval, "
                   f"z = {Z95:.2f}); a passage may have several sectors.",
                   panel={"by": ["sector", "year"], "value": "n_passages", "omit_none": ["sector"]})]


def topics(table: pd.DataFrame, shares: pd.DataFrame, model: dict | None, codebook: Codebook,
           cells: Cells, seed: int) -> list[Figure]:
    if shares.empty or model is None:
        return []
    labels = {t["id"]: t["label"] for t in model["topics"]}
    prevalence = topic_prevalence(table, shares, ["year"], codebook, seed, options=cells.options)
    rows = [{k: clean(v) for k, v in r.items()} for r in prevalence.to_dict("records")]
    by_top = {(clean(y), t): g[INDEX].tolist() for (y, t), g in
              table.groupby([table["year"], table["top_topic"]], dropna=False)}
    for row in rows:
        row["topic_label"] = f"{row['topic']} {labels.get(row['topic'], '')}".strip()
        row["_cell"] = cells.add("topic-share", f"{row['year']} · main topic {row['topic_label']}",
                                 by_top.get((row["year"], row["topic"]), []))
    title = "Topic prevalence per year"
    spec = charts.intervals(rows, "year", "share", "share_lo", "share_hi", "topic_label", title, x_title="year",
                            y_title="mean topic share", colour_title="topic",
                            tooltip=[("topic_label", "N", "topic"), ("year", "O", "year"),
                                     ("share", "Q", "mean share"), ("share_lo", "Q", "95% low"),
                                     ("share_hi", "Q", "95% high"), ("n_passages", "C", "passages")])
    terms = [{"id": t["id"], "label": t["label"], "terms": [w for w, _ in t["terms"][:10]],
              "terms_by_lang": {lang: [w for w, _ in ranked[:8]]
                                for lang, ranked in (t.get("terms_by_lang") or {}).items()},
              "passages": t.get("passages"), "representatives": t.get("representatives") or []}
             for t in model["topics"]]
    return [Figure("topic-share", "sectors", title, spec,
                   "Mean share of each topic in the year's fitted passages, bootstrap 95% interval (as "
                   "`export --level topics --by year`); a click opens the passages whose main topic it is.",
                   panel={"by": ["year"], "value": "share", "level": "topics"},
                   extra={"topics": terms, "selection": model.get("selection") or []})]


def boundaries() -> dict:
    text = resources.files("stancemap.datasets").joinpath("data/boundaries.geojson").read_text("utf-8")
    return json.loads(text)


def maps(table: pd.DataFrame, codebook: Codebook, cells: Cells, validation=None) -> list[Figure]:
    """Net stance by source country (corrected where the validation sample can, else titled
    not validated) and passages about each country, on Natural Earth's boundaries."""
    shapes = boundaries()["features"]
    known = {f["id"] for f in shapes}
    figures = []
    target = _main_target(table, codebook)
    plans = [("map-about", [ABOUT], "n_passages", "Passages about each country", "passages", False)]
    if target:
        label = codebook.stance_targets[target].label
        plans.insert(0, ("map-stance", [SOURCE], f"st_{target}_net",
                         f"Net stance toward {label} by source country", "net stance", True))
    for figure_id, by, value, title, what, diverging in plans:
        rows, positions = panel_cells(table, by, codebook, cells, validation if diverging else None)
        if diverging:
            value, rows, _ = _net_column(rows, value.removesuffix("_net"), validation)
            title = _validated(title, value)
        rows = [r for r in _drawn(rows, value) if r[by[0]] in known]
        if not rows:
            continue
        link(rows, positions, by, cells, figure_id)
        values = {r[by[0]]: r for r in rows}
        features = [{**f, "properties": {**f["properties"], **values[f["id"]]}} for f in shapes
                    if f["id"] in values]
        tooltip = [("name", "N", "country"), (value, "Q", what), ("n_passages", "C", "passages")]
        if diverging:
            tooltip += [(f"{value}_lo", "Q", "95% low"), (f"{value}_hi", "Q", "95% high")]
        spec = charts.choropleth(features, shapes, value, title, colour_title=what, tooltip=tooltip,
                                 diverging=diverging)
        figures.append(Figure(figure_id, "map", title, spec,
                              "Boundaries: Natural Earth 1:110m (public domain), shipped with stancemap.",
                              panel={"by": by, "value": value, "omit_none": by, "only_mapped": True}))
    return figures
