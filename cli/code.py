"""`stancemap code`: (re-)code an ingested project without re-reading its files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from stancemap.cli._common import (active_codebook, apply_engine, codebook_option, config_option,
                                   console, db_option, engine_option, json_option, progress_bar,
                                   project_config, project_option, quiet_option, scheduler_option,
                                   user_errors, wait_option, warn, writing)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stancemap.nlp.pipeline import CodeReport

EPILOG = """\
[bold]Examples[/bold]

  stancemap code --project study
  stancemap code --project study --codebook my_codebook.yaml
  stancemap code --project study --force --json
  stancemap code --project study --engine dask                # a LocalCluster here
  stancemap code --project study --scheduler tcp://head:8786  # a cluster's scheduler

Only documents whose coding is out of date (new, or coded with another codebook, stage
version or setting) are coded; --force codes everything again. Human codes are never changed.
Exit codes: 0 done; 1 project or model problem; 2 usage error.
"""


def run_coding(project: Path, settings, codebook, force: bool, quiet: bool,
               db_url: str | None = None) -> CodeReport:
    from stancemap.nlp.pipeline import code_project

    with progress_bar("code", quiet) as progress:
        task = progress.add_task("documents", total=None)
        return code_project(project, settings, codebook, force=force, db_url=db_url,
                            on_start=lambda total: progress.update(task, total=total),
                            on_batch=lambda n: progress.update(task, advance=n))


def print_code_summary(report: CodeReport) -> None:
    table = Table(title=f"Coding summary — run {report.run_id}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("documents coded", str(report.documents))
    table.add_row("documents already up to date", str(report.skipped_documents))
    table.add_row("passages", str(report.passages))
    table.add_row("tokens", str(report.tokens))
    table.add_row("mentions", str(report.mentions))
    for dimension, count in sorted(report.codes.items()):
        table.add_row(f"codes: {dimension}", str(count))
    console.print(table)
    if report.seconds and report.tokens:
        console.print(f"{report.tokens / report.seconds:,.0f} tokens/s in {report.seconds:.1f} s")
    print_stage_times(report)


SECTORS = "sectors"  # the dictionary stage; with sectors.embeddings on, the MiniLM similarity


def print_stage_times(report: CodeReport) -> None:
    """What costs the time, so a user can decide what to turn off."""
    stages = report.stages()
    spent = sum(s["seconds"] for s in stages.values())
    if not stages or not spent:
        return
    table = Table(title="Time per stage")
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    table.add_column("share", justify="right")
    table.add_column("passages/s", justify="right")
    for name, found in stages.items():
        rate = found["passages_per_s"]
        table.add_row(name, f"{found['seconds']:.1f}", f"{found['seconds'] / spent:.0%}",
                      f"{rate:,.0f}" if rate else "-")
    console.print(table)
    share = stages.get(SECTORS, {}).get("seconds", 0) / spent
    if share >= 0.4:
        console.print(f"[yellow]note:[/yellow] the sector stage (its MiniLM similarity to the sector "
                      f"descriptions) takes {share:.0%} of the coding time; set `embeddings = false` "
                      "under \\[sectors] in the project's stancemap.toml to code sectors from the "
                      "codebook's patterns only.")


def code_command(
    project: Path = project_option(),
    codebook: Optional[Path] = codebook_option(),
    force: bool = typer.Option(False, "--force", help="Re-code every document."),
    config: Optional[Path] = config_option(),
    as_json: bool = json_option("Print a JSON summary on stdout."),
    quiet: bool = quiet_option("No progress bar or summary."),
    db: Optional[str] = db_option(),
    engine: Optional[str] = engine_option(),
    scheduler: Optional[str] = scheduler_option(),
    model_version: Optional[list[str]] = typer.Option(
        None, "--model-version", help="Pin a trained model: a version (stance-tfidf-2) or another project's model folder "
             "(../pilot/models/stance-transformer-3). Repeatable."),
    wait: float = wait_option(),
) -> None:
    """Code every passage: entities, countries, sectors, sentiment and stance."""
    with user_errors(), writing(project, "code", db, wait):
        settings = project_config(project, config, db)
        apply_engine(settings, engine, scheduler)
        if model_version:
            settings.coding.model_versions = list(model_version)
        book = active_codebook(settings, codebook, project, db)
        report = run_coding(project, settings, book, force, quiet, db)
    for line in report.warnings:  # on stderr, so --json stays parseable
        warn(f"warning: {line}")
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    elif not quiet:
        print_code_summary(report)
