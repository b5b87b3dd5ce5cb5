"""`stancemap topics`: fit the LDA topic model and show topics and their prevalence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from stancemap.cli._common import (active_codebook, codebook_option, config_option, console,
                                   db_option, json_option, project_config, project_option,
                                   quiet_option, topic_progress, user_errors)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stancemap.nlp.pipeline import TopicReport

EPILOG = """\
[bold]Examples[/bold]

  stancemap topics --project study
  stancemap topics --project study --num-topics 8 --force
  stancemap export --project study --level topics --by country --out prevalence.csv

Without --num-topics the number of topics is chosen by coherence (topics.coherence) over
topics.candidates. The same seed gives the same topics; an unchanged corpus reuses the model.
"""


def print_topics(report: TopicReport) -> None:
    if report.skipped:
        console.print(f"[yellow]No topic model:[/yellow] {report.skipped}")
        return
    if len(report.selection) > 1:
        choice = Table(title="Number of topics by coherence")
        choice.add_column("topics", justify="right")
        choice.add_column("coherence", justify="right")
        for row in report.selection:
            mark = " ←" if row["num_topics"] == report.num_topics else ""
            choice.add_row(str(row["num_topics"]), f"{row['coherence']}{mark}")
        console.print(choice)
    table = Table(title=f"Topics (model {report.model_id}{', reused' if report.reused else ''})")
    table.add_column("id")
    table.add_column("label")
    table.add_column("top terms", overflow="fold")
    for topic in report.topics:
        table.add_row(topic["id"], topic["label"], ", ".join(t for t, _ in topic["terms"][:8]))
    console.print(table)


def topics_command(
    project: Path = project_option(),
    num_topics: Optional[int] = typer.Option(None, "--num-topics", "-k", min=2,
                                             help="Fix the number of topics."),
    force: bool = typer.Option(False, "--force", help="Refit even if nothing changed."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    as_json: bool = json_option("Print JSON on stdout."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Fit the topic model (gensim LDA) and store each passage's topic shares."""
    from stancemap.nlp.pipeline import fit_topics

    with user_errors():
        settings = project_config(project, config, db)
        if num_topics:
            settings.topics.num_topics = num_topics
        book = active_codebook(settings, codebook, project, db)
        report = fit_topics(project, settings, book, force=force, db_url=db,
                            on_candidate=topic_progress(as_json or quiet))
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print_topics(report)
