"""`stancemap review export|import|agreement|adjudicate`: the loop with human coders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from stancemap.cli._common import (codebook_option, config_option, console, db_option, emit,
                                   json_option, project_option, project_settings,
                                   pseudonym_key_option, pseudonymise_option, quiet_option,
                                   user_errors)
from stancemap.cli.ingest import split_list

app = typer.Typer(help="Hand the model's codes to human coders and take their decisions back.",
                  no_args_is_help=True)

EXPORT_EPILOG = """\
[bold]Examples[/bold]

  stancemap review export --project study --format xlsx --out review_aigerim.xlsx --sample 50
  stancemap review export --project study --dims stance --strategy uncertain --sample 100 --out ls.json
  stancemap review export --project study --format doccano --out batch1.jsonl --strategy stratified
  stancemap review export --project study --dims stance --strategy diverse --sample 50 --out next.xlsx
  stancemap review export --project study --validation 300 --strata source_country,year --out gold.xlsx

Formats: csv, xlsx (drop-down lists, model columns locked), labelstudio (tasks with the model's
predictions plus NAME.label_config.xml beside NAME.json), doccano (JSONL), qdpx (REFI-QDA for
QualCoder, NVivo, ATLAS.ti, MAXQDA). Strategies: random; stratified
(round-robin over country x sector); uncertain (a trained model's smallest margin between its two
likeliest classes first, else the weakest default scores); diverse (uncertainty plus coverage of
countries and sectors). uncertain and diverse skip passages coders have already coded: the next
batch for active learning. --sample counts passages.

--validation N (or --validation-share 0.1) draws a validation sample instead: a seeded random
sample of N passages (stratified by --strata, proportional allocation), stored in the project
with every passage's inclusion probability. The panels correct the model's shares with the
coders' codes on it (columns *_ppi). Drawing again with a larger N grows the same sample; the
file holds the sample's passages not coded yet. Active-learning picks never enter it.
"""
IMPORT_EPILOG = """\
[bold]Examples[/bold]

  stancemap review import --project study review_aigerim.xlsx --annotator aigerim
  stancemap review import --project study ls_export.json
  stancemap review import --project study qualcoder_export.qdpx
  stancemap review import --project study doccano_export.zip
  stancemap review import --project study adjudication.csv --adjudicator lead

The format is detected from the content: CSV/XLSX, Label Studio JSON, JSON-MIN or CSV, doccano
JSONL or ZIP, REFI-QDA .qdpx. Coders' names come from the file where it carries them. Unknown
labels, passages not in the project, text that changed since the export, malformed records and
an item repeated in one file are all listed, and nothing from the file is imported. Items left
out on purpose (doccano items nobody reviewed, empty labels) are counted. Importing the same
file again changes nothing. Exit codes: 0 imported; 2 problems (nothing imported).
"""


@app.command("export", epilog=EXPORT_EPILOG)
def export_command(
    project: Path = project_option(),
    out: Path = typer.Option(..., "--out", "-o", help="Review file to write."),
    fmt: Optional[str] = typer.Option(
        None, "--format", "-f", help="csv | xlsx | labelstudio | doccano | qdpx (default: from --out)."),
    dims: Optional[str] = typer.Option(None, "--dims", help="Dimensions (default stance,sentiment,sector)."),
    sample: Optional[int] = typer.Option(None, "--sample", min=1,
                                         help="Number of passages to hand out (default: all)."),
    strategy: str = typer.Option("random", "--strategy", help="random | stratified | uncertain | diverse"),
    seed: Optional[int] = typer.Option(None, "--seed", help="Sampling seed (default: the config's)."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    pseudonymise: Optional[bool] = pseudonymise_option(),
    key_out: Optional[Path] = pseudonym_key_option(),
    validation: Optional[int] = typer.Option(
        None, "--validation", min=1, metavar="N",
        help="Draw a random validation sample of N passages (see below) instead of --sample."),
    validation_share: Optional[float] = typer.Option(
        None, "--validation-share", metavar="SHARE", help="The validation sample as a share of the passages."),
    strata: Optional[str] = typer.Option(
        None, "--strata", help="Stratify the validation sample, e.g. source_country,year."),
    sample_name: str = typer.Option("validation", "--sample-name", help="The validation sample's name."),
    as_json: bool = json_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Write items for coders, with the model's codes as pre-annotations."""
    from stancemap.annotations.review_project import export_review

    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        seed = settings.seed if seed is None else seed
        choose = None
        if validation is not None or validation_share is not None:
            from stancemap.datasets.validation import validation_chooser

            choose = validation_chooser(book, size=validation, share=validation_share,
                                        strata=split_list(strata) or [], seed=seed, name=sample_name,
                                        dims=split_list(dims) or ["stance", "sentiment", "sector"],
                                        out_of_language=settings.coding.out_of_language)
        written, count = export_review(project, out, book, fmt=fmt, dims=split_list(dims),
                                       sample=sample, strategy=strategy, seed=seed, db_url=db,
                                       pseudonymise=(settings.privacy.pseudonymise
                                                     if pseudonymise is None else pseudonymise),
                                       privacy_fields=tuple(settings.privacy.fields), key_out=key_out,
                                       choose=choose)
    if as_json:
        emit({"items": count, "written": [str(p) for p in written],
              **({"validation_sample": sample_name} if choose is not None else {})})
    if choose is not None:
        console.print(f"{count} items of validation sample '{sample_name}' not coded yet")
    else:
        console.print(f"{count} items" + ("" if sample else
                                          " (every reviewable item: no --sample given)"))
    for path in written:
        console.print(f"wrote {path}")


@app.command("import", epilog=IMPORT_EPILOG)
def import_command(
    path: Path = typer.Argument(..., help="A review file coders filled in."),
    project: Path = project_option(),
    annotator: Optional[str] = typer.Option(
        None, "--annotator", metavar="NAME",
        help="Who coded the file, where it does not say (CSV, XLSX, one doccano JSONL, Label Studio "
             "user ids); .qdpx, Label Studio e-mails and doccano's per-user ZIP name their coders."),
    adjudicator: Optional[str] = typer.Option(
        None, "--adjudicator", help="Who settled disagreements: for a file `review adjudicate` wrote."),
    force: bool = typer.Option(False, "--force", help="With --adjudicator: take a file that "
                               "`review adjudicate` did not write as final codes all the same."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    as_json: bool = json_option("Print a JSON summary."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Store coders' decisions as human codes (all of the file, or nothing)."""
    from stancemap.annotations.review_project import import_review

    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        report = import_review(project, path, book, annotator=annotator, adjudicator=adjudicator,
                               db_url=db, force=force)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_import(report)


def print_import(report) -> None:
    """The summary that adds up, then what the file held but was not imported."""
    console.print(report.summary(), highlight=False)
    if report.validation_decisions:
        console.print(f"{report.validation_decisions} decision(s) on passages of a validation sample "
                      f"(the gold the panels correct with)", highlight=False)
    for reason, where in report.skipped.items():
        shown = ", ".join(where[:8]) + (" …" if len(where) > 8 else "")
        console.print(f"{len(where)} item(s) not imported, {reason}: {shown}", highlight=False)


LABELS_EPILOG = """\
[bold]Examples[/bold]

  stancemap review import-labels stance_labels.csv --project study --id-column id \\
      --label-column stance --dimension stance --target-column target --annotator gold
  stancemap review import-labels coded.xlsx --project study --id-column respondent \\
      --label-column tone --dimension sentiment --map POS=positive --map NEG=negative
  stancemap train --project study --task stance --model tfidf

Rows are matched to passages by the id kept from ingestion: a JSONL record's id field (also
of records that repeat another record's text), a survey table's id column, or any other
passage or document metadata field. Every row that matches no passage (or names a record cut
into several passages, or contradicts another row about the same passage) is listed and not
imported; the rest is checked like a review file (unknown labels or targets: nothing is
imported) and stored as the annotator's human codes: accepted where the label equals the
model's value, corrected where it differs, with the replaced model values rejected.
Exit codes: 0 imported; 2 problems (nothing imported).
"""


@app.command("import-labels", epilog=LABELS_EPILOG)
def import_labels_command(
    path: Path = typer.Argument(..., help="Your labelled table: CSV, TSV or XLSX (first sheet)."),
    project: Path = project_option(),
    id_column: str = typer.Option(..., "--id-column", help="Column holding the record id kept at ingestion."),
    label_column: str = typer.Option(..., "--label-column", help="Column holding the label."),
    dimension: str = typer.Option(..., "--dimension", help="stance | sentiment | sector | country | "
                                  "a codebook dimension."),
    target: Optional[str] = typer.Option(None, "--target", help="Stance target of every row."),
    target_column: Optional[str] = typer.Option(None, "--target-column",
                                                help="Column naming each row's stance target."),
    annotator: Optional[str] = typer.Option(None, "--annotator",
                                            help="Whose labels these are (default: the file name)."),
    label_map: Optional[list[str]] = typer.Option(None, "--map", help="FILE_LABEL=VALUE, repeatable."),
    validation: bool = typer.Option(
        False, "--validation", help="The table is a random sample of the project's passages: record "
        "its passages as a validation sample (see the README on what that assumes)."),
    sample_name: str = typer.Option("validation", "--sample-name", help="The validation sample's name."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    as_json: bool = json_option("Print a JSON summary."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Store the labels of your own table (a column per label) as human codes, matched by id."""
    from stancemap.annotations.labels import import_labels

    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        report = import_labels(project, path, book, id_column=id_column, label_column=label_column,
                               dimension=dimension, target=target, target_column=target_column,
                               annotator=annotator, label_map=label_map, db_url=db,
                               validation=sample_name if validation else None)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return
    merged = f", {report.merged} repeating another row's label" if report.merged else ""
    console.print(f"{report.rows} rows: {report.matched} matched a passage{merged}, "
                  f"{len(report.unmatched)} not imported", highlight=False)
    for row in report.unmatched[:20]:
        console.print(f"  row {row['row']} ({row['id'] or 'no id'}): {row['reason']}", highlight=False)
    if len(report.unmatched) > 20:
        console.print(f"  … and {len(report.unmatched) - 20} more (use --json for all)")
    print_import(report.imported)
    if report.validation:
        console.print(f"validation sample '{sample_name}' now holds {report.validation} passages "
                      f"(declared a random sample)", highlight=False)


PLAN_EPILOG = """\
[bold]Examples[/bold]

  stancemap review plan --project study --width 0.10
  stancemap review plan --project study --width 0.2 --by source_country,year --json

How many validation passages each panel cell needs for a corrected net index whose 95% interval
is --width wide: (2 x 1.96)^2 x var / width^2, var the variance of coder minus model measured on
the validation sample so far (or of the coders' values where smaller). With fewer than 10 coded
validation passages it assumes var = 1, the most a -1/0/+1 value can have (conservative).
Cells smaller than that need every passage coded. Draw the sample with
`stancemap review export --validation N`.
"""


@app.command("plan", epilog=PLAN_EPILOG)
def plan_command(
    project: Path = project_option(),
    width: float = typer.Option(0.10, "--width", help="Target width of the 95% interval of the net index."),
    by: Optional[str] = typer.Option(None, "--by", help="Panel cells (default source_country,year)."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    as_json: bool = json_option("Print JSON."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """How many validation passages to code for corrected intervals of a given width."""
    from stancemap.datasets.validation import plan_project

    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        found = plan_project(project, book, settings, width, split_list(by), db_url=db)
    if as_json:
        emit(found)
        return
    basis = ("a conservative prior (var = 1: too few coded validation passages yet)" if found["prior"]
             else f"var = {found['variance']} measured on {found['measured_on']} coded validation items")
    console.print(f"For a corrected net index within ±{width / 2:.3f} (95%): {found['per_cell']} coded "
                  f"validation passages per cell, from {basis}.", highlight=False)
    table = Table(title=f"{len(found['cells'])} cells: {found['total']} passages in all, "
                        f"{found['to_code']} still to code")
    for name in found["by"]:
        table.add_column(name)
    for name in ("passages", "needed", "validated"):
        table.add_column(name, justify="right")
    for cell in found["cells"]:
        table.add_row(*(str(cell[k]) for k in found["by"]), str(cell["n_passages"]), str(cell["needed"]),
                      str(cell["validated"]))
    console.print(table)


@app.command("agreement", epilog="[bold]Example[/bold]\n\n  stancemap review agreement --project study --json")
def agreement_command(
    project: Path = project_option(),
    as_json: bool = json_option("Print JSON."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Agreement per dimension: percent, Cohen's and Fleiss' kappa, Krippendorff's alpha, and each coder vs the model."""
    from stancemap.annotations.agreement import agreement

    with user_errors():
        results = agreement(project, db_url=db)
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in results], indent=2))
        return
    if not results:
        console.print("No human codes yet: import coders' files with `stancemap review import`.")
        return
    for result in results:
        data = result.to_json()
        if result.message:
            console.print(result.message)
            continue
        table = Table(title=f"{result.dimension}: {', '.join(result.coders)} ({result.items} items)")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_column("items", justify="right")

        notes: list[str] = []

        def shown(label, value, note):
            if value is not None:
                return str(value)
            notes.append(f"{label} is not defined ({note}).")
            return "not defined"

        for label, key, items in (("percent agreement", "percent_agreement", "percent_items"),
                                  ("Fleiss' kappa", "fleiss_kappa", "fleiss_items"),
                                  ("Krippendorff's alpha", "krippendorff_alpha", "percent_items")):
            table.add_row(label, shown(label, data[key], data.get(f"{key}_note")), str(data[items]))
        for pair, values in data["cohen_kappa"].items():
            label = f"Cohen's kappa {pair}"
            table.add_row(label, shown(label, values["kappa"], values.get("note")), str(values["items"]))
        for coder, values in data["vs_model"].items():
            label = f"{coder} vs model (kappa)"
            table.add_row(label, shown(label, values["kappa"], values.get("note")), str(values["items"]))
        console.print(table)
        for note in notes:
            console.print(note, highlight=False)


@app.command("adjudicate", epilog="[bold]Examples[/bold]\n\n"
             "  stancemap review adjudicate --project study --out disagreements.xlsx\n"
             "  stancemap review import --project study disagreements.xlsx --adjudicator lead")
def adjudicate_command(
    project: Path = project_option(),
    out: Path = typer.Option(..., "--out", "-o", help="File of disagreements to write."),
    fmt: Optional[str] = typer.Option(
        None, "--format", "-f", help="csv | xlsx | labelstudio | doccano | qdpx (default: from --out)."),
    dims: Optional[str] = typer.Option(None, "--dims", help="Dimensions (default: all)."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    as_json: bool = json_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Export the items coders disagree on, with each coder's label, for a lead coder."""
    from stancemap.annotations.review_project import export_adjudication

    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        written, count = export_adjudication(project, out, book, fmt=fmt, dims=split_list(dims),
                                             db_url=db)
    if as_json:
        emit({"items": count, "written": [str(p) for p in written]})
    console.print(f"{count} items with disagreement")
    for path in written:
        console.print(f"wrote {path}")
