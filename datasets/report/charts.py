"""Vega-Lite specs (built with Altair) for the report and for `stancemap plot`. Each chart draws
the rows it is given and nothing else; the mark that stands for a cell is named "cells", so the
browser counts one mark per row and a click on it opens that row's passages (`_cell`)."""

from __future__ import annotations

import copy
from typing import Any

import altair as alt

WIDTH = 560
NETWORK_HEIGHT = 420
DIVERGING = alt.Scale(scheme="redblue", domain=[-1, 1])
CELLS = "cells"


def _data(rows: list[dict]) -> alt.Data:
    return alt.Data(values=rows)


def _spec(chart, title: str) -> dict[str, Any]:
    spec = chart.properties(title=title).to_dict()
    spec.pop("$schema", None)  # a URL, and nothing is fetched: the libraries are inlined
    spec.setdefault("config", {}).update({"view": {"stroke": None}, "font": "sans-serif"})
    return spec


def _tooltip(fields: list[tuple[str, str, str]]) -> list:
    """(field, kind, title): kind Q is a share or score (3 decimals), C a count, N/O as Vega-Lite."""
    formats = {"Q": ".3f", "C": ","}
    return [alt.Tooltip(f"{name}:{'Q' if kind in formats else kind}", title=title, format=formats[kind])
            if kind in formats else alt.Tooltip(f"{name}:{kind}", title=title) for name, kind, title in fields]


def bars(rows, x: str, y: str, title: str, *, x_title: str, y_title: str, tooltip) -> dict:
    chart = (alt.Chart(_data(rows)).mark_bar(cursor="pointer")
             .encode(x=alt.X(f"{x}:N", title=x_title, sort=None, axis=alt.Axis(labelAngle=-40, labelLimit=120)),
                     y=alt.Y(f"{y}:Q", title=y_title),
                     tooltip=_tooltip(tooltip))
             .properties(name=CELLS, width=max(160, min(WIDTH, 40 * len(rows))), height=180))
    return _spec(chart, title)


def heat(rows, x: str, y: str, colour: str, text: str, title: str, *, x_title: str, y_title: str,
         colour_title: str, tooltip, diverging: bool = False) -> dict:
    base = alt.Chart(_data(rows)).encode(x=alt.X(f"{x}:N", title=x_title, sort=None,
                                                 axis=alt.Axis(labelAngle=-40, labelLimit=140)),
                                         y=alt.Y(f"{y}:N", title=y_title, sort=None))
    scale = DIVERGING if diverging else alt.Scale(scheme="blues", domainMin=0)
    cells = base.mark_rect(cursor="pointer", stroke="white").encode(
        color=alt.Color(f"{colour}:Q", title=colour_title, scale=scale),
        tooltip=_tooltip(tooltip)).properties(name=CELLS)
    labels = base.mark_text(fontSize=10, cursor="pointer").encode(text=alt.Text(f"{text}:N"))
    xs = len({r[x] for r in rows}) or 1
    ys = len({r[y] for r in rows}) or 1
    chart = alt.layer(cells, labels).properties(width=min(WIDTH, max(120, 70 * xs)), height=max(60, 26 * ys))
    return _spec(chart, title)


def intervals(rows, x: str, y: str, low: str, high: str, colour: str, title: str, *, x_title: str,
              y_title: str, colour_title: str, tooltip, domain: list[float] | None = None,
              colours: list[str] | None = None) -> dict:
    """Points with interval bars, dodged within a shaded band per x value (a year) that is
    labelled beneath it, so no point sits between two years; `colours` fixes which colour each
    group gets (the same in every chart of a report)."""
    band = alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0, ticks=False),
                 scale=alt.Scale(paddingInner=0.25, paddingOuter=0.1))
    colour_scale = alt.Scale(domain=colours) if colours else alt.Undefined
    base = alt.Chart().encode(
        x=band, xOffset=alt.XOffset(f"{colour}:N", scale=alt.Scale(paddingOuter=0.3)),
        color=alt.Color(f"{colour}:N", title=colour_title, scale=colour_scale))
    scale = alt.Scale(domain=domain) if domain else alt.Undefined
    bands = (alt.Chart().mark_rect(color="#f1f3f5").encode(x=band)
             .transform_aggregate(rows="count()", groupby=[x]))
    rules = base.mark_rule(strokeWidth=1.5).encode(y=alt.Y(f"{low}:Q", title=y_title, scale=scale),
                                                   y2=f"{high}:Q")
    points = base.mark_point(filled=True, size=60, cursor="pointer").encode(
        y=alt.Y(f"{y}:Q", title=y_title, scale=scale), tooltip=_tooltip(tooltip)).properties(name=CELLS)
    layers = [bands, rules, points]
    if domain and domain[0] < 0 < domain[1]:
        layers.insert(1, alt.Chart(_data([{"zero": 0}])).mark_rule(color="#999", strokeDash=[3, 3])
                      .encode(y="zero:Q"))
    chart = alt.layer(*layers, data=_data(rows)).properties(width=WIDTH, height=220)
    return _spec(chart, title)


def choropleth(features: list[dict], background: list[dict], field: str, title: str, *,
               colour_title: str, tooltip, diverging: bool = False) -> dict:
    land = (alt.Chart(alt.Data(values=background)).mark_geoshape(fill="#eeeeee", stroke="white",
                                                                   strokeWidth=0.5))
    scale = DIVERGING if diverging else alt.Scale(scheme="blues", domainMin=0)
    cells = (alt.Chart(alt.Data(values=features)).mark_geoshape(stroke="white", strokeWidth=0.8,
                                                                cursor="pointer")
             .encode(color=alt.Color(f"properties.{field}:Q", title=colour_title, scale=scale),
                     tooltip=_tooltip([(f"properties.{n}", k, t) for n, k, t in tooltip]))
             .properties(name=CELLS))
    chart = alt.layer(land, cells).project(type="mercator").properties(width=WIDTH, height=320)
    return _spec(chart, title)


def network(nodes: list[dict], edges: list[dict], title: str) -> dict:
    # the layout's own extent, as network.apart places the labels on it
    axis = dict(axis=None, scale=alt.Scale(zero=False, nice=False))
    lines = (alt.Chart(alt.Data(values=edges)).mark_rule(color="#999")
             .encode(x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis), x2="x2:Q", y2="y2:Q",
                     strokeWidth=alt.StrokeWidth("weight:Q", scale=alt.Scale(range=[0.5, 4]), legend=None),
                     opacity=alt.value(0.5)))
    points = (alt.Chart(alt.Data(values=nodes)).mark_circle(cursor="pointer", stroke="white")
              .encode(x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis),
                      size=alt.Size("passages:Q", title="passages", scale=alt.Scale(range=[30, 600])),
                      color=alt.Color("type:N", title="entity type"),
                      tooltip=_tooltip([("name", "N", "entity"), ("type", "N", "type"),
                                        ("passages", "C", "passages")]))
              .properties(name=CELLS))
    labels = (alt.Chart(alt.Data(values=[n for n in nodes if n.get("show_label")])).mark_text(dy=-10, fontSize=10)
              .encode(x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis), text="name:N"))
    chart = alt.layer(lines, points, labels).properties(width=WIDTH, height=NETWORK_HEIGHT)
    return _spec(chart, title)


def stacked(specs: list[dict]) -> dict:
    """Several charts in one figure, one below another (for `stancemap plot`)."""
    if len(specs) == 1:
        return specs[0]
    parts = []
    for number, spec in enumerate(specs):  # unit names must differ within one view
        spec = copy.deepcopy({k: v for k, v in spec.items() if k != "config"})
        for unit in spec.get("layer", [spec]):
            if unit.get("name") == CELLS:
                unit["name"] = f"{CELLS}_{number}"
        parts.append(spec)
    channels = ("x", "y", "color", "size", "xOffset", "strokeWidth")
    return {"vconcat": parts, "config": specs[0].get("config", {}),
            "resolve": {"scale": {c: "independent" for c in channels},
                        "legend": {"color": "independent", "size": "independent"}}}
