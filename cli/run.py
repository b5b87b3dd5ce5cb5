"""`stancemap run`: the whole batch — ingest, code, topics, default exports — in one command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import (active_codebook, apply_engine, codebook_option, config_option,
                                   console, db_option, encode_progress, engine_option, project_config,
                                   scheduler_option, topic_progress, user_errors, wait_option, warn,
                                   writing)
from stancemap.cli._choices import choose_inputs, load_choices, remember_inputs
from stancemap.cli.code import print_code_summary, run_coding
from stancemap.cli.ingest import print_summary, run_ingest
from stancemap.cli.topics import print_topics

EPILOG = """\
[bold]Examples[/bold]

  stancemap run interviews/ --project study
  stancemap run ungdc/ --project un --pattern "{country}_{session}_{year}.txt"
  stancemap run corpus/ --project study --manifest meta.csv --codebook mine.yaml --no-topics
  stancemap run corpus/ --project study --scheduler tcp://head:8786

Writes PROJECT/exports/passages.csv, codes.csv and panel_source_country_year.csv (the speakers'
countries by year; each with a data dictionary and the run manifest). Re-running skips unchanged files and documents.
[bold]Exit codes[/bold]: 0 all files ingested; 3 some files skipped or failed (the rest is
coded); 2 usage error; 1 other error.
"""


def run_command(
    folder: Path = typer.Argument(..., help="Folder of documents, read recursively."),
    project: Path = typer.Option(..., "--project", "-p", help="Project folder (created if new)."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", "-m", help="Metadata CSV."),
    pattern: Optional[str] = typer.Option(None, "--pattern", help="Metadata from paths."),
    text_columns: Optional[str] = typer.Option(None, "--text-columns", help="Survey text columns."),
    codebook: Optional[Path] = codebook_option(),
    topics: bool = typer.Option(True, "--topics/--no-topics", help="Fit the topic model."),
    config: Optional[Path] = config_option(),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or tables."),
    db: Optional[str] = db_option(),
    engine: Optional[str] = engine_option(),
    scheduler: Optional[str] = scheduler_option(),
    model_version: Optional[list[str]] = typer.Option(
        None, "--model-version", help="Pin a trained model: a version (stance-tfidf-2) or another project's model folder "
             "(../pilot/models/stance-transformer-3). Repeatable."),
    wait: float = wait_option(),
) -> None:
    """Ingest FOLDER, code every passage, fit topics and write the default exports."""
    from stancemap.datasets.export import export_project
    from stancemap.nlp.pipeline import fit_topics

    show = not (quiet or as_json)
    with user_errors(), writing(project, "run", db, wait, folder):
        settings = project_config(project, config, db)
        apply_engine(settings, engine, scheduler)
        if model_version:
            settings.coding.model_versions = list(model_version)
        new_project = load_choices(project, db) is None
        book = active_codebook(settings, codebook, None if new_project else project, db)
        manifest, pattern, text_columns = choose_inputs(project, db, manifest, pattern,
                                                        text_columns, warn)
        ingested = run_ingest(folder, project, manifest, pattern, text_columns, settings, quiet, db)
        remember_inputs(project, db, manifest, pattern, text_columns, config)
        if new_project:  # remember the codebook the project starts with
            book = active_codebook(settings, codebook, project, db)
        if show:
            print_summary(ingested)
        coded = run_coding(project, settings, book, False, quiet, db)
        if show:
            print_code_summary(coded)
        topic_report = None
        if topics and settings.topics.enabled:
            topic_report = fit_topics(project, settings, book, db_url=db,
                                      on_candidate=topic_progress(not show),
                                      on_encode=encode_progress(not show))
            if show:
                print_topics(topic_report)
        exports = project / "exports"
        written = []
        for level, name, by in (("passages", "passages.csv", None), ("codes", "codes.csv", None),
                                ("panel", "panel_source_country_year.csv", ["source_country", "year"])):
            written += export_project(project, level, exports / name, by=by, config=settings,
                                      codebook=book, db_url=db)
    if as_json:
        typer.echo(json.dumps({"ingest": ingested.to_json(), "code": coded.to_json(),
                               "topics": topic_report.to_json() if topic_report else None,
                               "exports": [str(p) for p in written]}, indent=2, ensure_ascii=False))
    elif not quiet:
        console.print(f"exports in {exports}/")
    raise typer.Exit(ingested.exit_code)
