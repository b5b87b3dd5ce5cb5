"""`stancemap topics`: fit the topic model (or place new passages in its topics) and show the topics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from stancemap.cli._common import (active_codebook, codebook_option, config_option, console,
                                   db_option, encode_progress, json_option, project_config,
                                   project_option, quiet_option, topic_progress, user_errors)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stancemap.nlp.pipeline import TopicReport

EPILOG = """\
[bold]Examples[/bold]

  stancemap topics --project study
  stancemap topics --project study --num-topics 8 --force
  stancemap topics --project study --assign
  stancemap export --project study --level topics --by country --out prevalence.csv

topics.method = "embedding" (the default) clusters multilingual-e5 passage embeddings, so topics
are shared across languages, each with its top terms per language; "lda" fits gensim LDA.
Without --num-topics the number of topics is chosen over topics.candidates (embedding: by
silhouette; lda: by coherence, topics.coherence). The same seed gives the same topics; an
unchanged corpus reuses the model. --assign places passages added since the fit in the existing
topics without refitting (embedding models only).
"""


def print_topics(report: TopicReport) -> None:
    if report.skipped:
        console.print(f"[yellow]No topic model:[/yellow] {report.skipped}")
        return
    if len(report.selection) > 1:
        measure = "silhouette" if "silhouette" in report.selection[0] else "coherence"
        choice = Table(title=f"Number of topics by {measure}")
        choice.add_column("topics", justify="right")
        choice.add_column(measure, justify="right")
        for row in report.selection:
            mark = " ←" if row["num_topics"] == report.num_topics else ""
            choice.add_row(str(row["num_topics"]), f"{row[measure]}{mark}")
        console.print(choice)
    table = Table(title=f"Topics (model {report.model_id}{', reused' if report.reused else ''})")
    table.add_column("id")
    table.add_column("label")
    table.add_column("passages", justify="right")
    table.add_column("top terms (per language)", overflow="fold")
    for topic in report.topics:
        by_lang = topic.get("terms_by_lang") or {"": topic["terms"]}
        terms = "\n".join(f"{lang + ': ' if lang else ''}{', '.join(t for t, _ in ranked[:6])}"
                          for lang, ranked in by_lang.items())
        table.add_row(topic["id"], topic["label"], str(topic.get("passages", "")), terms)
    console.print(table)


def topics_command(
    project: Path = project_option(),
    num_topics: Optional[int] = typer.Option(None, "--num-topics", "-k", min=2,
                                             help="Fix the number of topics."),
    force: bool = typer.Option(False, "--force", help="Refit even if nothing changed."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    assign: bool = typer.Option(False, "--assign", help="Place passages that have no topic yet in "
                                "the fitted topics, without refitting."),
    as_json: bool = json_option("Print JSON on stdout."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Fit the topic model and store each passage's topic shares (or, with --assign, place new
    passages in the fitted topics)."""
    from stancemap.nlp.pipeline import assign_topics, fit_topics

    with user_errors():
        settings = project_config(project, config, db)
        if num_topics:
            settings.topics.num_topics = num_topics
        if assign:
            report = assign_topics(project, settings, db_url=db,
                                   on_encode=encode_progress(as_json or quiet))
        else:
            book = active_codebook(settings, codebook, project, db)
            report = fit_topics(project, settings, book, force=force, db_url=db,
                                on_candidate=topic_progress(as_json or quiet),
                                on_encode=encode_progress(as_json or quiet))
    if assign and not as_json:
        console.print(f"Assigned {report.passages:,} passage(s) to the topics of model {report.model_id}.")
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print_topics(report)
