"""`stancemap backup`: a consistent copy of a project's database, safe while others write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import (console, db_option, json_option, project_option,
                                   quiet_option, user_errors)

EPILOG = """\
[bold]Examples[/bold]

  stancemap backup --project study --out backups/study-2024-05-01.db
  stancemap backup --project study --out /mnt/usb/study.db --json

The copy is one SQLite file, made with SQLite's online backup API (a consistent snapshot even
while `run` or `review import` writes) and checked with PRAGMA integrity_check before it gets
its name. Restore: copy it back as PROJECT/stancemap.db (with no stancemap command running).
PostgreSQL projects (--db): the command prints the pg_dump line to use instead.
[bold]Exit codes[/bold]: 0 written; 1 the project database cannot be read; 2 usage error (the
file exists, its folder is missing, a PostgreSQL project).
"""


def backup_command(
    project: Path = project_option(),
    out: Path = typer.Option(..., "--out", "-o", metavar="FILE",
                             help="The backup file to write (never overwritten)."),
    as_json: bool = json_option("Print JSON on stdout."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Copy the project's database to FILE, consistently, while other commands may run."""
    from stancemap.corpus.maintenance import backup_project

    with user_errors():
        done = backup_project(project, out, db)
    if as_json:
        typer.echo(json.dumps(done, indent=2))
    else:
        console.print(f"backed up {done['database']} → {done['backup']} "
                      f"({done['bytes'] / 2**20:.1f} MB, integrity ok)")
