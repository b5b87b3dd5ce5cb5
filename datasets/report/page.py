"""The HTML page: the Vega libraries (vl-convert's bundle), the report's own script and styles and
all data inlined, so the file opens from a USB stick in a browser with no network."""

from __future__ import annotations

import functools
import json
from html import escape
from importlib import resources

from stancemap.datasets.report.figures import SECTIONS, Figure


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed as one script (defines `vegaEmbed`), from vl-convert-python
    (which bundles them anew on each call: seconds, so once per process)."""
    import vl_convert

    return vl_convert.javascript_bundle()


def _asset(name: str) -> str:
    return resources.files("stancemap.datasets.report").joinpath(f"assets/{name}").read_text("utf-8")


def _script(code: str) -> str:
    return code.replace("</script", "<\\/script")


# inside <script> no text may close the element, open a comment or end a line of script: the
# characters that could are written as JSON's own \u escapes, which JSON.parse reads back
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json(data) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_SAFE)


def _table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{escape(title)}</th>" for _, title in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if r.get(k) is None else str(r.get(k)))}</td>"
                                   for k, _ in columns) + "</tr>" for r in rows)
    return f'<table class="plain"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _figure(figure: Figure) -> str:
    note = f'<p class="note">{escape(figure.note)}</p>' if figure.note else ""
    return (f'<div class="figure" data-figure="{escape(figure.id)}"><div class="chart"></div>{note}</div>')


def render(title: str, summary: list[str], figures: list[Figure], extras: dict[str, str],
           data: dict) -> str:
    """extras: HTML (already escaped) appended to a section, by section id."""
    nav = " ".join(f'<a href="#{key}">{escape(name)}</a>' for key, name in SECTIONS.items())
    nav += ' <a href="#passages">Passages</a>'
    sections = []
    for key, name in SECTIONS.items():
        inner = "".join(_figure(f) for f in figures if f.section == key)
        extra = extras.get(key, "")
        if not inner and not extra:
            extra = '<p class="muted">Nothing to show for this project.</p>'
        sections.append(f'<section id="{key}"><h2>{escape(name)}</h2><div class="figures">{inner}</div>'
                        f"{extra}</section>")
    passages = data["passages"]
    capped = ""
    if passages["capped"]:
        capped = (f'<p class="notice">This report holds the text of {passages["embedded"]:,} of '
                  f'{passages["total"]:,} passages (--max-passages {passages["max_passages"]:,}), taken '
                  "in turn from every chart cell; each cell still lists all its passages, and the "
                  "passages export has every text.</p>")
    browser = (f'<section id="passages"><h2>Passages</h2>{capped}<div id="browser-tools">'
               '<input id="browser-search" type="search" placeholder="Keyword in context: search the '
               'passages shown" aria-label="search passages">'
               '<span id="browser-pager"></span></div><h3 id="browser-heading"></h3>'
               '<div id="browser-list"></div></section>')
    lines = "".join(f"<p>{escape(line)}</p>" for line in summary)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_asset('report.css')}</style>"
            f"<script>{_script(vega_bundle())}</script></head><body>"
            f"<header><h1>{escape(title)}</h1>{lines}<nav>{nav}</nav></header><main>{capped}"
            + "".join(sections) + browser + "</main>"
            f'<script type="application/json" id="report-data">{_json(data)}</script>'
            f"<script>{_script(_asset('report.js'))}</script></body></html>\n")


def table_html(rows: list[dict], columns: list[tuple[str, str]], heading: str = "") -> str:
    top = f"<h3>{escape(heading)}</h3>" if heading else ""
    return top + (_table(rows, columns) if rows else '<p class="muted">None yet.</p>')
