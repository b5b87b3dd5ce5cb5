"""`report`: read the project once, build every section's figures from the panel functions,
write the HTML and the entity network (GEXF, GraphML) beside it."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from stancemap import __version__
from stancemap.annotations.codebook import Codebook
from stancemap.annotations.resolution import code_rows
from stancemap.config import Config
from stancemap.corpus.atomic import write_text
from stancemap.corpus.store import Store
from stancemap.datasets.panel import PANEL_DIMENSIONS
from stancemap.datasets.report import charts, figures as figs, page
from stancemap.datasets.report.cells import INDEX, Cells
from stancemap.datasets.report.columns import SOURCE, with_source_country
from stancemap.datasets.sources import missing_sources
from stancemap.datasets.report.network import cooccurrence_graph, drawn_part, entity_mentions, write_graph
from stancemap.datasets.report.passages import browser_data
from stancemap.datasets.report.review import review_figures
from stancemap.datasets.validation import load_validation, model_vs_coders
from stancemap.datasets.tables import passage_table
from stancemap.errors import Errors, StancemapError, UsageError

DEFAULT_BY = [SOURCE, "year"]
# size ≈ 1 MB (libraries) + 0.085 KB per passage of the project (its id and cell lists) + 1.9 KB
# per embedded passage (benchmarks/report.py): 10,000 keep a 100,000-passage report near 30 MB
DEFAULT_MAX_PASSAGES = 10_000
STEPS = 9


class Steps:
    """Plain progress lines with counts (readable in a log as well as on a terminal)."""

    def __init__(self, total: int, echo: Callable[[str], None] | None = None):
        self.total, self.done = total, 0
        self.echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))

    @contextmanager
    def step(self, label: str):
        self.done += 1
        self.echo(f"[{self.done}/{self.total}] {label} …")
        started = time.perf_counter()
        counts: dict[str, str] = {}
        yield counts
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        self.echo(f"[{self.done}/{self.total}] {label}: {summary + ', ' if summary else ''}"
                  f"{time.perf_counter() - started:.1f} s")


@dataclass
class ReportResult:
    path: Path
    figures: int
    cells: int
    passages: int
    embedded: int
    bytes: int
    network: list[Path] = field(default_factory=list)
    nodes: int = 0
    edges: int = 0
    sources: str | None = None  # how to give sources their country, when most passages lack one


def report_dimensions(table: pd.DataFrame) -> list[str]:
    return sorted(set(PANEL_DIMENSIONS) | {SOURCE} | {c[5:] for c in table.columns if c.startswith("meta_")})


def load_table(store: Store, codebook: Codebook, config: Config | None = None) -> pd.DataFrame:
    """The passage table the exports use (with the same settings: out-of-language codes,
    quoted voices, bylines), with the source country and each row's position."""
    config = config or Config()
    table = with_source_country(passage_table(store, codebook, config.coding.out_of_language,
                                              config.panel.quoted_voices, config.panel.bylines))
    if table.empty:
        raise UsageError(Errors.E241.format(path=store.project))
    return table.assign(**{INDEX: range(len(table))})


def check_by(table: pd.DataFrame, by: list[str]) -> None:
    known = report_dimensions(table)
    for name in by:
        if name not in known:
            raise UsageError(Errors.E240.format(name=name, known=", ".join(known)))


def build_report(project: Path, out: Path | None = None, *, by: list[str] | None = None,
                 max_passages: int = DEFAULT_MAX_PASSAGES, config: Config | None = None,
                 codebook: Codebook | None = None, db_url: str | None = None,
                 echo: Callable[[str], None] | None = None) -> ReportResult:
    from stancemap.annotations.codebook import load_codebook

    config = config or Config()
    codebook = codebook or load_codebook(Path(config.coding.codebook) if config.coding.codebook else None)
    project = Path(project)
    out = Path(out) if out else project / "exports" / "report.html"
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(Errors.E242.format(path=out))
    by = list(by or DEFAULT_BY)
    steps = Steps(STEPS, echo)
    store = Store(project, url=db_url, create=False)
    try:
        with steps.step("passage table") as counts:
            table = load_table(store, codebook, config)
            check_by(table, by)
            validation = load_validation(store, codebook, config.panel.validation_sample or None)
            counts["passages"] = f"{len(table):,}"
            sources_note = missing_sources(table, config.panel) if SOURCE in by else None
            counts["documents"] = f"{table['doc_id'].nunique():,}"
        cells = Cells(options=config.panel)
        figures: list[figs.Figure] = []
        extras: dict[str, str] = {}
        for label, make in (("overview", lambda: figs.overview(table, codebook, cells)),
                            ("perception", lambda: figs.perception(table, codebook, cells, by,
                                                                   validation))):
            with steps.step(label) as counts:
                made = make()
                figures += made
                counts["figures"] = str(len(made))
        with steps.step("sectors and topics") as counts:
            shares = code_rows(store)
            shares = shares[shares["dimension"] == "topic"]
            model = store.latest_topic_model()
            made = figs.sectors_over_time(table, codebook, cells) + \
                figs.topics(table, shares, model, codebook, cells, config.seed)
            figures += made
            counts["figures"] = str(len(made))
            extras["sectors"] = _topic_terms(made, store)
        with steps.step("map") as counts:
            made = figs.maps(table, codebook, cells, validation)
            figures += made
            counts["figures"] = str(len(made))
        with steps.step("entity network") as counts:
            found = entity_mentions(store)
            graph = cooccurrence_graph(found)
            network_files = write_graph(graph, out.with_name(out.stem + ".entities"))
            network = _network_figure(graph, found, table, cells, config.seed)
            if network:
                figures.append(network)
            extras["network"] = page.table_html(
                [{"file": p.name} for p in network_files], [("file", "written beside the report")],
                f"The whole graph ({graph.number_of_nodes():,} entities, {graph.number_of_edges():,} links)")
            counts["entities"] = f"{graph.number_of_nodes():,}"
            counts["links"] = f"{graph.number_of_edges():,}"
        with steps.step("human review") as counts:
            made, agreement_rows = review_figures(store, table, cells, project, db_url)
            figures += made
            extras["review"] = page.table_html(
                agreement_rows, [("dimension", "dimension"), ("coders", "coders"), ("items", "items"),
                                 ("percent", "% agreement"), ("fleiss", "Fleiss κ"),
                                 ("alpha", "Krippendorff α"), ("vs_model", "coder vs model (Cohen κ)")],
                "Agreement per dimension")
            counts["dimensions with coders"] = str(len(agreement_rows))
            extras["review"] += model_vs_coders_html(validation, table)
        with steps.step("passage browser") as counts:
            passages = browser_data(store, codebook, table, cells, max_passages)
            counts["passages embedded"] = f"{passages['embedded']:,} of {passages['total']:,}"
            counts["cells"] = f"{len(cells.labels):,}"
        with steps.step("writing HTML") as counts:
            title = f"stancemap report: {project.name}"
            summary = [f"{len(table):,} passages in {table['doc_id'].nunique():,} documents · perception "
                       f"cells by {' × '.join(by)} · made {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC "
                       f"by stancemap {__version__}",
                       "Every mark opens its passages below (click it); numbers are those of "
                       "`stancemap export --level panel --by ...`.", validation_line(validation),
                       *([sources_note] if sources_note else [])]
            data = {"figures": [f.to_json() for f in figures], "cells": cells.to_json(),
                    "passages": passages, "by": by}
            html = page.render(title, summary, figures, extras, data)
            try:
                out.parent.mkdir(parents=True, exist_ok=True)
                write_text(out, html)
            except OSError as err:
                raise StancemapError(Errors.E246.format(path=out, reason=err.strerror or err)) from err
            size = out.stat().st_size
            counts["MB"] = f"{size / 1e6:.1f}"
        return ReportResult(out, len(figures), len(cells.labels), len(table), passages["embedded"], size,
                            network_files, graph.number_of_nodes(), graph.number_of_edges(),
                            sources_note)
    finally:
        store.dispose()


def validation_line(validation) -> str:
    """Which numbers the report's stance charts show."""
    if validation is None:
        return ("Not validated: no random validation sample has been coded, so the stance figures are "
                "the model's (with coders' codes where they decided) and carry its errors. Draw one "
                "with `stancemap review export --validation N`.")
    values = validation.values[validation.values["validated"]]
    coded = int(values[[f"gold_{k}" for k in validation.keys]].notna().any(axis=1).sum())
    return (f"Stance figures are corrected by the validation sample '{validation.sample.name}' "
            f"({len(validation.sample.members):,} passages drawn at random, {coded:,} coded so far); "
            "see 'Model vs coders'.")


def model_vs_coders_html(validation, table: pd.DataFrame) -> str:
    """Agreement of the model with the coders on the validation sample, per language and
    dimension: kappa, macro-F1 and the confusion matrix."""
    if validation is None:
        return page.table_html([], [], "Model vs coders (validation sample)")
    rows = []
    for found in model_vs_coders(validation, table):
        confusion = "; ".join(f"coders {label}: " + ", ".join(f"{m} {n}" for m, n in zip(found["labels"], row))
                              for label, row in zip(found["labels"], found["confusion"]))
        rows.append({**found, "confusion": confusion,
                     "kappa": "—" if found["kappa"] is None else found["kappa"]})
    return page.table_html(rows, [("dimension", "dimension"), ("lang", "language"), ("items", "items"),
                                  ("kappa", "Cohen κ"), ("macro_f1", "macro-F1"),
                                  ("confusion", "confusion (coders' label: the model's labels)")],
                           "Model vs coders (validation sample)")


def _topic_terms(made: list[figs.Figure], store: Store) -> str:
    """Each topic: its label, top terms per language and its most representative passages."""
    for figure in made:
        if figure.id == "topic-share":
            topics = figure.extra["topics"]
            texts = store.passage_texts({p for t in topics for p in t["representatives"]})
            parts = ["<h3>Topics: top terms per language and the most representative passages</h3>"]
            for topic in topics:
                size = f" · {topic['passages']:,} passages" if topic.get("passages") else ""
                by_lang = topic["terms_by_lang"] or {"": topic["terms"]}
                terms = "".join(f"<li>{f'<b>{escape(lang)}</b>: ' if lang else ''}"
                                f"{escape(', '.join(words))}</li>" for lang, words in by_lang.items())
                shown = "".join(f"<li>{escape(_excerpt(texts[p]))}</li>"
                                for p in topic["representatives"] if p in texts)
                parts.append(f'<div class="topic"><h4>{escape(topic["id"])} {escape(topic["label"])}'
                             f'<span class="muted">{size}</span></h4><ul>{terms}</ul>'
                             + (f"<ol>{shown}</ol>" if shown else "") + "</div>")
            return "".join(parts)
    return ""


def _excerpt(text: str, size: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size].rsplit(" ", 1)[0] + " …"


def _network_figure(graph, found: pd.DataFrame, table: pd.DataFrame, cells: Cells,
                    seed: int) -> figs.Figure | None:
    nodes, edges = drawn_part(graph, seed)
    if not nodes:
        return None
    position = dict(zip(table["passage_id"], table[INDEX]))
    by_key = found.groupby("key")["passage_id"].unique()
    for node in nodes:
        node["_cell"] = cells.add("network", f"mentions of {node['name']} ({node['type']})",
                                  [position[p] for p in by_key[node["key"]] if p in position])
    title = "Entities mentioned in the same passages"
    note = (f"The {len(nodes)} most-mentioned organisations, projects and places "
            f"(of {graph.number_of_nodes():,}); a line joins entities in the same passage, "
            "thicker for more passages. The whole graph is in the GEXF/GraphML files.")
    return figs.Figure("network", "network", title, charts.network(nodes, edges, title), note)
