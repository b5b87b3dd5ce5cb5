"""`stancemap train` and `stancemap evaluate`: classifiers from the coders' labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from stancemap.cli._common import (active_codebook, codebook_option, config_option, console,
                                   db_option, project_config, project_option, user_errors)

TRAIN_EPILOG = """\
[bold]Examples[/bold]

  stancemap train --project study --task stance
  stancemap train --project study --task sector --json

Trains TF-IDF + logistic regression (balanced class weights) on every human-coded item
(adjudicated > coders' majority), evaluates it by k-fold cross-validation against the default
method on the same items, and saves it with its version, training-set hash, metrics and seed in
PROJECT/models/ (skops format, no pickle). Too few examples of a class: the message says how
many more are needed. Exit codes: 0 trained; 2 too few examples or usage error.
"""
EVALUATE_EPILOG = """\
[bold]Example[/bold]

  stancemap evaluate --project study --task stance --folds 10 --json

Cross-validated precision, recall and F1 per class, macro-F1 and the confusion matrix of the
trained classifier and of the default (untrained) method on the same human-coded items.
"""


def print_scores(scores: dict) -> None:
    table = Table(title=f"{scores['examples']} human-coded items, {scores['folds']}-fold cross-validation")
    table.add_column("class")
    for method in ("trained", "default"):
        for measure in ("precision", "recall", "F1"):
            table.add_column(f"{method} {measure}", justify="right")
    table.add_column("support", justify="right")
    labels = sorted(set(scores["trained"]["per_class"]) | set(scores["default"]["per_class"]))
    for label in labels:
        cells = []
        for method in ("trained", "default"):
            found = scores[method]["per_class"].get(label, {})
            cells += [str(found.get(k, "")) for k in ("precision", "recall", "f1")]
        support = scores["trained"]["per_class"].get(label, {}).get("support", "")
        table.add_row(label, *cells, str(support))
    console.print(table)
    console.print(f"macro-F1: trained {scores['trained']['macro_f1']}, "
                  f"default {scores['default']['macro_f1']}")


def train_command(
    project: Path = project_option(),
    task: str = typer.Option(..., "--task", help="stance | sentiment | sector"),
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Train a classifier on the coders' labels and save it, with its metrics, in the project."""
    from stancemap.nlp.training import train

    with user_errors():
        settings = project_config(project, config)
        book = active_codebook(settings, codebook)
        report = train(project, task, book, seed=settings.seed, folds=folds, db_url=db)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
        return
    print_scores(report.metrics)
    console.print(f"saved {report.version} ({report.examples} examples) in {report.path}")


def evaluate_command(
    project: Path = project_option(),
    task: str = typer.Option(..., "--task", help="stance | sentiment | sector"),
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Cross-validate the classifier against the default method on the human-coded items."""
    from stancemap.nlp.training import cross_validate, project_examples

    with user_errors():
        settings = project_config(project, config)
        book = active_codebook(settings, codebook)
        scores = cross_validate(project_examples(project, task, book, db), task, book,
                                settings.seed, folds)
    if as_json:
        typer.echo(json.dumps(scores, indent=2))
    else:
        print_scores(scores)
