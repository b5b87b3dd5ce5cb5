"""`stancemap train` and `stancemap evaluate`: classifiers from the coders' labels."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from stancemap.cli._common import (codebook_option, config_option, console, db_option, json_option,
                                   progress_bar, project_option, project_settings, quiet_option,
                                   user_errors)

TRAIN_EPILOG = """\
[bold]Examples[/bold]

  stancemap train --project study --task stance
  stancemap train --project study --task stance --model transformer
  stancemap train --project study --task sector --json

Training labels are the human codes (adjudicated > coders' majority; a rejected model value with
no replacement teaches "none"). --model tfidf: TF-IDF + logistic regression with balanced class
weights, scored by k-fold cross-validation, then fitted on every item (seconds). --model
transformer: the bundled all-MiniLM-L6-v2 encoder fine-tuned with a classification head on the CPU
(stance reads target and passage as a pair), fitted on four fifths and scored on the held-out
fifth (--folds K: k-fold scores, then a fit on all items, K+1 times as long). Both report the
default method on the same items. Models are saved in PROJECT/models/TASK-MODEL-N with the
training-set hash, metrics, seed and library versions (skops or safetensors; no pickle); `run`
and `code` use the newest. Exit codes: 0 trained; 2 too few examples or usage error.
"""
EVALUATE_EPILOG = """\
[bold]Example[/bold]

  stancemap evaluate --project study --task stance --folds 10 --json
  stancemap evaluate --project study --task stance --model transformer --folds 3

Cross-validated precision, recall and F1 per class, macro-F1 and the confusion matrix of the
classifier and of the default (untrained) method on the same human-coded items. The scores are
also added to the newest saved model of that kind (its meta.json, under "evaluations").
"""


def print_scores(scores: dict) -> None:
    table = Table(title=f"{scores['model']}: {scores['examples']} human-coded items, "
                        f"{scores['validation']} validation")
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
    for lang, found in sorted(scores.get("by_language", {}).items()):
        console.print(f"  {lang}: {found['examples']} items, macro-F1 trained {found['trained']}, "
                      f"default {found['default']}")
    for method in ("trained", "default"):
        print_confusion(scores[method], f"{method}: confusion matrix")
    for note in scores.get("notes", []):
        console.print(f"[yellow]note:[/yellow] {note}")


def print_confusion(found: dict, title: str) -> None:
    """Single-label tasks only (a multi-label sector task has one matrix per sector)."""
    matrix, labels = found.get("confusion_matrix"), found.get("labels", [])
    if not matrix:
        return
    table = Table(title=title)
    table.add_column("human \\ predicted")
    for label in labels:
        table.add_column(label, justify="right")
    for label, row in zip(labels, matrix):
        table.add_row(label, *map(str, row))
    console.print(table)


@contextmanager
def training_progress(quiet: bool):
    """One bar per fit (each fold, the final model), advanced per optimisation step."""
    if quiet:
        yield None
        return
    with progress_bar("train", False) as bar:
        tasks: dict[str, int] = {}

        def update(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done)

        yield update


def model_option():
    return typer.Option("tfidf", "--model", "-m", help="tfidf | transformer")


def train_command(
    project: Path = project_option(),
    task: str = typer.Option(..., "--task", help="stance | sentiment | sector"),
    model: str = model_option(),
    folds: Optional[int] = typer.Option(
        None, "--folds", min=2, help="Cross-validation folds (tfidf default 5; transformer: hold-out)."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    as_json: bool = json_option("Print JSON."),
    quiet: bool = quiet_option("No progress bars."),
) -> None:
    """Train a classifier on the coders' labels and save it, with its metrics, in the project."""
    from stancemap.nlp.training import train

    if folds is None and model != "transformer":
        folds = 5
    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        with training_progress(quiet or as_json) as progress:
            report = train(project, task, book, model=model, seed=settings.seed, folds=folds,
                           db_url=db, progress=progress)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
        return
    print_scores(report.metrics)
    console.print(f"saved {report.version} ({report.examples} examples, {report.seconds} s) "
                  f"in {report.path}")


def evaluate_command(
    project: Path = project_option(),
    task: str = typer.Option(..., "--task", help="stance | sentiment | sector"),
    model: str = model_option(),
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    as_json: bool = json_option("Print JSON."),
    quiet: bool = quiet_option("No progress bars."),
) -> None:
    """Cross-validate the classifier against the default method on the human-coded items."""
    from stancemap.nlp.training import evaluate

    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        with training_progress(quiet or as_json) as progress:
            scores = evaluate(project, task, book, model=model, seed=settings.seed, folds=folds,
                              db_url=db, progress=progress)
    if as_json:
        typer.echo(json.dumps(scores, indent=2))
        return
    print_scores(scores)
    if "stored_with" in scores:
        console.print(f"scores added to {scores['stored_with']}")
