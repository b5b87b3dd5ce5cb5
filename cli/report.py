"""`stancemap report`: one self-contained HTML file of charts, map, entity network and passages."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import (codebook_option, config_option, console, db_option, emit,
                                   json_option, line_echo, project_option, project_settings,
                                   quiet_option, user_errors, warn)
from stancemap.cli.ingest import split_list

EPILOG = """\
[bold]Examples[/bold]

  stancemap report --project study
  stancemap report --project study --out study-report.html --by source_country,year
  stancemap report --project study --by source_country,stakeholder --max-passages 5000
  stancemap report --project study --max-passages 0      (charts only, no passage text)

The file opens offline in any browser (all scripts, styles and map shapes are inside it).
Sections: overview and coding coverage per language, perception (net stance with 95%
intervals, sector heat map, distinct sources), sectors and topics over time, map, entity
network, human review. Click any bar, point, cell or country to read its passages; the
search box shows keywords in context. --by sets the perception cells (default
source_country,year; the last one is the x axis). The network is also written as
OUT.entities.gexf (Gephi) and OUT.entities.graphml. The report holds passage text and
speaker names: share it as you would the interviews (--max-passages 0 leaves them out).
"""


def report_command(
    project: Path = project_option(),
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar="FILE.html",
                                       help="Report file (default: PROJECT/exports/report.html)."),
    by: Optional[str] = typer.Option(None, "--by", metavar="DIM,DIM",
                                     help="Perception cells, e.g. source_country,year (the default)."),
    max_passages: int = typer.Option(10_000, "--max-passages", min=0, metavar="N",
                                     help="Embed the text of at most N passages (round-robin over cells)."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    quiet: bool = quiet_option("No progress lines."),
    as_json: bool = json_option(),
) -> None:
    """Write a self-contained HTML report with charts and the passages behind every number."""
    from stancemap.datasets.report.build import build_report

    echo = line_echo(quiet)
    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        result = build_report(project, out, by=split_list(by), max_passages=max_passages,
                              config=settings, codebook=book, db_url=db, echo=echo)
    if as_json:
        emit({"written": [str(result.path), *map(str, result.network)], "bytes": result.bytes,
              "figures": result.figures, "cells": result.cells, "passages": result.passages,
              "embedded_passages": result.embedded, "entities": result.nodes,
              "links": result.edges})
    capped = (f" (text of {result.embedded:,} of {result.passages:,} passages: --max-passages)"
              if result.embedded < result.passages else "")
    console.print(f"wrote {result.path} ({result.bytes / 1e6:.1f} MB, {result.figures} figures, "
                  f"{result.cells:,} linked cells, {result.passages:,} passages{capped})",
                  highlight=False, soft_wrap=True)
    for path in result.network:
        console.print(f"wrote {path} ({result.nodes:,} entities, {result.edges:,} links)",
                      highlight=False, soft_wrap=True)
    if result.sources:
        warn(result.sources)
