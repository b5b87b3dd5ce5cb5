"""`stancemap ingest`: read a folder of documents into a project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from typing import TYPE_CHECKING

from stancemap.cli._choices import choose_inputs, remember_inputs
from stancemap.cli._common import (apply_engine, config_option, console, db_option, engine_option,
                                   json_option, progress_bar, project_config, quiet_option,
                                   scheduler_option, user_errors, wait_option, warn, writing)

if TYPE_CHECKING:
    from stancemap.corpus.ingest import IngestReport

EPILOG = """\
[bold]Examples[/bold]

  stancemap ingest interviews/ --project study
  stancemap ingest corpus/ --project study --pattern "{country}/{kind}/*"
  stancemap ingest ungdc/ --project un --pattern "{country}_{session}_{year}.txt"
  stancemap ingest survey/ --project study --manifest meta.csv --text-columns q7,q8 --json
  stancemap ingest scans/ --project study --engine dask   # read (and OCR) files on Dask workers

README*, LICENSE* at the folder root and hidden files are not inputs (ingest.exclude; with
--pattern also root *.md files it does not match); a .stancemapignore file in FOLDER adds
globs, one a line. Excluded files are listed in the summary and in --json.
[bold]Exit codes[/bold]: 0 every file ingested (or was a duplicate); 3 some files were skipped,
unsupported or failed (the rest is stored; see the summary or --json); 2 usage error
(missing folder, bad manifest, bad pattern, bad config); 1 any other error.
"""

_STYLE = {"ingested": "green", "duplicate": "cyan", "near_duplicate": "cyan",
          "unsupported": "yellow", "skipped": "yellow", "failed": "red"}


def ingest_command(
    folder: Path = typer.Argument(..., help="Folder of documents, read recursively."),
    project: Path = typer.Option(..., "--project", "-p", help="Project folder (created if new)."),
    manifest: Optional[Path] = typer.Option(
        None, "--manifest", "-m", help="CSV with a 'path' column; other columns become metadata."),
    pattern: Optional[str] = typer.Option(
        None, "--pattern", help="Metadata from paths, e.g. '{country}/{kind}/*'."),
    text_columns: Optional[str] = typer.Option(
        None, "--text-columns", help="Comma-separated open-ended columns of CSV/XLSX surveys "
        "(default: detected)."),
    config: Optional[Path] = config_option(),
    as_json: bool = json_option("Print a machine-readable summary on stdout."),
    quiet: bool = quiet_option("No progress bar or summary table."),
    db: Optional[str] = db_option(),
    engine: Optional[str] = engine_option(),
    scheduler: Optional[str] = scheduler_option(),
    wait: float = wait_option(),
) -> None:
    """Read every file below FOLDER into the project: documents, passages, metadata, languages."""
    with user_errors(), writing(project, "ingest", db, wait, folder):
        settings = project_config(project, config, db)
        apply_engine(settings, engine, scheduler)
        manifest, pattern, text_columns = choose_inputs(project, db, manifest, pattern,
                                                        text_columns, warn)
        report = run_ingest(folder, project, manifest, pattern, text_columns, settings, quiet, db)
        remember_inputs(project, db, manifest, pattern, text_columns, config)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif not quiet:
        print_summary(report)
    raise typer.Exit(report.exit_code)


def split_list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def run_ingest(folder, project, manifest, pattern, text_columns, settings, quiet,
               db_url=None, resolve_country=None) -> IngestReport:
    """ingest() with a progress bar; shared by `ingest` and `run` (which knows the codebook,
    whose local country names then count as countries too)."""
    from stancemap.corpus.ingest import ingest

    with progress_bar("ingest", quiet) as progress:
        task = progress.add_task("files", total=None)
        return ingest(
            folder, project, manifest=manifest, pattern=pattern,
            text_columns=split_list(text_columns), config=settings, db_url=db_url,
            on_start=lambda total: progress.update(task, total=total),
            on_file=lambda result: progress.update(task, advance=1, description=result.path[-40:]),
            resolve_country=resolve_country,
        )


def print_summary(report: IngestReport) -> None:
    from stancemap.corpus.ingest import STATUSES, duplicate_label

    problems = [f for f in report.files if f.status not in ("ingested", "duplicate")
                or (f.reason and f.status == "duplicate" and not f.unchanged)]
    if problems:
        table = Table(title="Files that need a look", show_lines=False)
        table.add_column("file", overflow="fold")
        table.add_column("status")
        table.add_column("reason", overflow="fold")
        for result in problems[:50]:
            style = _STYLE[result.status]
            table.add_row(result.path, f"[{style}]{result.status}[/{style}]", result.reason or "")
        console.print(table)
        if len(problems) > 50:
            console.print(f"… and {len(problems) - 50} more (use --json for all)")
    for result in report.files:  # repeated records, by id: none is lost, each is named
        if result.duplicates:
            named = ", ".join(map(duplicate_label, result.duplicates))
            console.print(f"{result.path}: {len(result.duplicates)} record(s) repeat the text of "
                          f"another record and refer to its passages: {named}", soft_wrap=True,
                          highlight=False)
    counts = report.counts
    summary = Table(title=f"Ingest summary — run {report.run_id}")
    summary.add_column("status")
    summary.add_column("files", justify="right")
    for status in STATUSES:
        if counts[status]:
            summary.add_row(f"[{_STYLE[status]}]{status}[/{_STYLE[status]}]", str(counts[status]))
    summary.add_row("[dim]of which unchanged[/dim]", str(counts["unchanged"]))
    summary.add_row("[bold]files[/bold]", str(counts["files"]))
    summary.add_row("[bold]new passages[/bold]", str(counts["passages"]))
    if counts["excluded"]:
        summary.add_row("[dim]excluded (not inputs)[/dim]", str(counts["excluded"]))
    console.print(summary)
    if report.excluded:
        shown = ", ".join(f"{e['path']} ({e['rule']})" for e in report.excluded[:10])
        more = f" … and {len(report.excluded) - 10} more (--json lists all)" if len(report.excluded) > 10 else ""
        console.print(f"[dim]excluded by ingest.exclude / .stancemapignore:[/dim] {shown}{more}")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(f"{counts['files']} files in {report.seconds:.1f} s → project {report.project}")
