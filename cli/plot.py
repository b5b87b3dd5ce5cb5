"""`stancemap plot`: a report figure as PNG, SVG or PDF, with the panel export's numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import (codebook_option, config_option, console, db_option, emit,
                                   json_option, line_echo, project_option, project_settings,
                                   quiet_option, user_errors)
from stancemap.cli.ingest import split_list

EPILOG = """\
[bold]Examples[/bold]

  stancemap plot --project study --what stance --out stance.pdf
  stancemap plot --project study --what stance --by source_country,year --out stance.svg
  stancemap plot --project study --what sectors --out sectors.png
  stancemap plot --project study --what topics --out topics.png
  stancemap plot --project study --what map --out map.svg

stance: net stance toward each target by --by cells with 95% intervals; sectors: net stance
by source country x sector and sector shares per year; topics: topic prevalence per year;
map: net stance by source country and passages about each country. The format follows the
--out suffix (.png, .svg, .pdf).
"""


def plot_command(
    project: Path = project_option(),
    what: str = typer.Option(..., "--what", "-w", metavar="stance|sectors|topics|map",
                             help="Which figure."),
    out: Path = typer.Option(..., "--out", "-o", metavar="FILE.png|.svg|.pdf", help="Output file."),
    by: Optional[str] = typer.Option(None, "--by", metavar="DIM,DIM",
                                     help="Cells of the stance figure (default source_country,year)."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    quiet: bool = quiet_option("No progress lines."),
    as_json: bool = json_option(),
) -> None:
    """Draw a figure of the report to a PNG, SVG or PDF file for a paper."""
    from stancemap.datasets.report.plots import plot_project

    echo = line_echo(quiet)
    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        written = plot_project(project, what, out, by=split_list(by), config=settings, codebook=book,
                               db_url=db, echo=echo)
    if as_json:
        emit({"written": [str(written)]})
    console.print(f"wrote {written}", highlight=False, soft_wrap=True)
