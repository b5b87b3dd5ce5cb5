"""`stancemap info`: what a project holds and what its last run did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from stancemap.cli._choices import describe
from stancemap.cli._common import (console, db_option, json_option, project_option, quiet_option,
                                   user_errors)


def project_info(project: Path, db_url: str | None = None) -> dict:
    from stancemap.cli._choices import KEY
    from stancemap.cli._common import project_settings
    from stancemap.corpus.store import Store
    from stancemap.datasets.validation import coded_share, load_validation

    store = Store(project, url=db_url, create=False)
    try:
        info = {"project": str(project), **store.counts(), "languages": store.tally("lang"),
                "kinds": store.tally("kind"), "remembered": store.setting(KEY) or {},
                "runs_by_status": store.runs_by_status(), "need_review": store.needs_review()}
        if store.validation_samples():
            settings, book = project_settings(project, None, None, db_url)
            info["validation"] = coded_share(load_validation(store, book,
                                                             settings.panel.validation_sample or None))
        else:
            info["validation"] = {}
        return info
    finally:
        store.dispose()


def info_command(
    project: Path = project_option(),
    as_json: bool = json_option("Print JSON on stdout."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Show what a project holds (documents, passages, languages, kinds, runs) and what it
    remembers: its codebook, config, manifest, path pattern and survey text columns."""
    with user_errors():
        info = project_info(project, db)
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Project {project}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in ("documents", "retired_documents", "passages", "files", "runs"):
        table.add_row(key, str(info[key]))
    for group in ("kinds", "languages"):
        for name, count in sorted(info[group].items()):
            table.add_row(f"{group[:-1]}: {name}", str(count))
    for status, count in sorted(info["runs_by_status"].items()):
        if status != "completed":
            table.add_row(f"runs {status}", str(count))
    table.add_row("human codes needing re-review", str(len(info["need_review"])))
    console.print(table)
    remembered = describe(info["remembered"])
    if remembered:
        choices = Table(title="Remembered choices")
        choices.add_column("what")
        choices.add_column("value", overflow="fold")
        for what, value in remembered:
            choices.add_row(what, value)
        console.print(choices)
    validation = info["validation"]
    if validation:
        coded = Table(title=f"Validation sample '{validation['sample']}' ({validation['kind']}, "
                            f"{validation['passages']} passages)")
        for name in ("dimension", "the model coded", "coders coded", "share coded"):
            coded.add_column(name, justify="left" if name == "dimension" else "right")
        for dimension, counts in validation["dimensions"].items():
            total, done = counts["model_coded"], counts["coders_coded"]
            coded.add_row(dimension, str(total), str(done), f"{done / total:.0%}" if total else "-")
        console.print(coded)
    else:
        console.print("No validation sample: panel figures are model-only (not validated). Draw one "
                      "with `stancemap review export --validation N`.")
    if info["need_review"]:
        console.print("Human codes left on an old document version (their passage's text changed; "
                      "review the passage in the current version):")
        for code in info["need_review"][:20]:
            console.print(f"  {code['source_path']} v{code['version']} · passage {code['passage_id']}"
                          f" · {code['dimension']}{'/' + code['target'] if code['target'] else ''}"
                          f" = {code['value']} ({code['source']})", highlight=False, markup=False)
        if len(info["need_review"]) > 20:
            console.print(f"  … and {len(info['need_review']) - 20} more (--json lists all)")
