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
    from stancemap.corpus.store import Store

    store = Store(project, url=db_url, create=False)
    try:
        return {"project": str(project), **store.counts(), "languages": store.tally("lang"),
                "kinds": store.tally("kind"), "remembered": store.setting(KEY) or {},
                "runs_by_status": store.runs_by_status(), "need_review": store.needs_review()}
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
    if info["need_review"]:
        console.print("Human codes left on an old document version (their passage's text changed; "
                      "review the passage in the current version):")
        for code in info["need_review"][:20]:
            console.print(f"  {code['source_path']} v{code['version']} · passage {code['passage_id']}"
                          f" · {code['dimension']}{'/' + code['target'] if code['target'] else ''}"
                          f" = {code['value']} ({code['source']})", highlight=False, markup=False)
        if len(info["need_review"]) > 20:
            console.print(f"  … and {len(info['need_review']) - 20} more (--json lists all)")
