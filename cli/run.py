"""`stancemap run`: the whole batch — ingest, code, topics, default exports — in one command."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from stancemap.cli._common import (active_codebook, apply_engine, codebook_option, config_option,
                                   console, db_option, emit, encode_progress, engine_option,
                                   json_option, project_config, quiet_option, scheduler_option,
                                   topic_progress, user_errors, wait_option, warn, writing)
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
    as_json: bool = json_option("Print a JSON summary on stdout."),
    quiet: bool = quiet_option("No progress bars or tables."),
    db: Optional[str] = db_option(),
    engine: Optional[str] = engine_option(),
    scheduler: Optional[str] = scheduler_option(),
    model_version: Optional[list[str]] = typer.Option(
        None, "--model-version", help="Pin a trained model: a version (stance-tfidf-2) or another project's model folder "
             "(../pilot/models/stance-transformer-3). Repeatable."),
    wait: float = wait_option(),
) -> None:
    """Ingest FOLDER, code every passage, fit topics and write the default exports."""
    show = not (quiet or as_json)
    printers = {"ingest": print_summary, "code": print_code_summary, "topics": print_topics}
    with user_errors():
        result = run_batch(folder, project, manifest=manifest, pattern=pattern,
                           text_columns=text_columns, codebook=codebook, topics=topics,
                           config=config, db=db, engine=engine, scheduler=scheduler,
                           model_versions=model_version, wait=wait, quiet=quiet,
                           on_stage=(lambda stage, report: printers[stage](report)) if show else None)
    if as_json:
        emit(result.to_json())
    elif not quiet:
        console.print(f"exports in {result.exports}/")
    raise typer.Exit(result.ingest.exit_code)


@dataclass
class RunResult:
    """What `stancemap run` (and `stancemap.run` in a notebook) did."""
    ingest: Any
    code: Any
    topics: Any
    written: list[Path]
    exports: Path

    def to_json(self) -> dict:
        return {"ingest": self.ingest.to_json(), "code": self.code.to_json(),
                "topics": self.topics.to_json() if self.topics else None,
                "exports": [str(p) for p in self.written]}


DEFAULT_EXPORTS = (("passages", "passages.csv", None), ("codes", "codes.csv", None),
                   ("panel", "panel_source_country_year.csv", ["source_country", "year"]))


def run_batch(folder: Path, project: Path, *, manifest: Path | None = None,
              pattern: str | None = None, text_columns: str | None = None,
              codebook: Path | None = None, topics: bool = True, config: Path | None = None,
              db: str | None = None, engine: str | None = None, scheduler: str | None = None,
              model_versions: list[str] | None = None, wait: float = 0.0, quiet: bool = True,
              on_stage: Callable[[str, Any], None] | None = None) -> RunResult:
    """The whole batch — ingest, code, topics, the default exports — holding the project's
    writer lock; `on_stage(name, report)` after each stage. Options as on the command line."""
    from stancemap.datasets.export import export_project
    from stancemap.nlp.pipeline import fit_topics

    folder, project = Path(folder), Path(project)
    on_stage = on_stage or (lambda stage, report: None)
    with writing(project, "run", db, wait, folder):
        settings = project_config(project, config, db)
        apply_engine(settings, engine, scheduler)
        if model_versions:
            settings.coding.model_versions = list(model_versions)
        new_project = load_choices(project, db) is None
        book = active_codebook(settings, codebook, None if new_project else project, db)
        manifest, pattern, text_columns = choose_inputs(project, db, manifest, pattern,
                                                        text_columns, warn)
        from stancemap.annotations.countries import CountryResolver

        ingested = run_ingest(folder, project, manifest, pattern, text_columns, settings, quiet, db,
                              CountryResolver(book).resolve)
        remember_inputs(project, db, manifest, pattern, text_columns, config)
        if new_project:  # remember the codebook the project starts with
            book = active_codebook(settings, codebook, project, db)
        on_stage("ingest", ingested)
        coded = run_coding(project, settings, book, False, quiet, db)
        on_stage("code", coded)
        topic_report = None
        if topics and settings.topics.enabled:
            topic_report = fit_topics(project, settings, book, db_url=db,
                                      on_candidate=topic_progress(quiet),
                                      on_encode=encode_progress(quiet))
            on_stage("topics", topic_report)
        exports = project / "exports"
        written = []
        for level, name, by in DEFAULT_EXPORTS:
            written += export_project(project, level, exports / name, by=by, config=settings,
                                      codebook=book, db_url=db, echo=None if quiet else warn)
    return RunResult(ingested, coded, topic_report, written, exports)
