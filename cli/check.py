"""`stancemap check`: does what is stored still hold together?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from stancemap.cli._common import (console, db_option, json_option, project_option,
                                   quiet_option, user_errors)

EPILOG = """\
[bold]Examples[/bold]

  stancemap check --project study
  stancemap check --project study --json

Checks the database file (PRAGMA integrity_check, foreign keys), rows that point nowhere
(passages, codes, mentions, coding and file records), and that every passage's and mention's
offsets cut its text out of its document. Runs cut short are listed but are no fault.
[bold]Exit codes[/bold]: 0 sound; 1 problems found (restore from `stancemap backup`, or
re-ingest), or the database cannot be opened; 2 usage error.
"""


def check_command(
    project: Path = project_option(),
    as_json: bool = json_option("Print JSON on stdout."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Check a project's database: integrity, orphan rows and the text offsets of passages."""
    from stancemap.corpus.maintenance import check_project

    with user_errors():
        checks = check_project(project, db)
    sound = all(c.ok for c in checks)
    if as_json:
        typer.echo(json.dumps({"project": str(project), "ok": sound,
                               "checks": [c.to_json() for c in checks]}, indent=2))
    else:
        table = Table(title=f"Check of {project}")
        table.add_column("check")
        table.add_column("what")
        table.add_column("result", overflow="fold")
        for check in checks:
            style = "green" if not check.problems else "yellow" if check.ok else "red"
            result = "ok" if not check.problems else f"{check.problems}: " + "; ".join(check.examples)
            table.add_row(check.name, escape(check.what), f"[{style}]{escape(result)}[/{style}]")
        console.print(table)
        console.print("sound" if sound else "PROBLEMS FOUND: restore from a backup "
                      "(`stancemap backup`) or re-ingest the source folder")
    raise typer.Exit(0 if sound else 1)
