"""What every command shares: consoles and turning user errors into one line and an exit code."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from typing import TYPE_CHECKING

from stancemap.errors import StancemapError

if TYPE_CHECKING:  # heavy imports stay out of `stancemap --help`
    from stancemap.annotations.codebook import Codebook
    from stancemap.config import Config

console = Console()
err_console = Console(stderr=True)


@contextmanager
def user_errors():
    """A StancemapError is the user's to fix: print it plainly, no traceback."""
    try:
        yield
    except StancemapError as err:
        err_console.print(f"[bold red]Error:[/bold red] {err}", highlight=False, soft_wrap=True)
        raise typer.Exit(err.exit_code) from None
    except Exception as err:  # a full disk, a corrupt database, a read-only folder, …
        from stancemap.corpus.faults import known_fault

        fault = known_fault(err)
        if fault is None:
            raise
        err_console.print(f"[bold red]Error:[/bold red] {fault}", highlight=False, soft_wrap=True)
        raise typer.Exit(fault.exit_code) from None


def wait_option():
    return typer.Option(0.0, "--wait", metavar="SECONDS", min=0,
                        help="If another command is writing the project, wait up to SECONDS for "
                             "it to finish (default: stop at once with a message).")


def writing(project: Path, command: str, db: str | None, wait: float, inputs: Path | None = None):
    """Hold the project's writer lock for the whole command (one writer at a time)."""
    from stancemap.corpus.lock import writing as project_writing

    return project_writing(project, command, db, wait, create=command in ("ingest", "run"),
                           inputs=inputs)


def project_config(project: Path | None, config: Path | None) -> Config:
    """--config if given, else the project's own stancemap.toml, else the defaults."""
    from stancemap.config import CONFIG_NAME, load_config

    if config is None and project is not None and (project / CONFIG_NAME).exists():
        config = project / CONFIG_NAME
    return load_config(config)


def active_codebook(config: Config, codebook: Path | None) -> Codebook:
    """--codebook wins over the config's coding.codebook; neither means the default."""
    from stancemap.annotations.codebook import load_codebook

    if codebook is not None:
        config.coding.codebook = str(codebook)
    return load_codebook(Path(config.coding.codebook) if config.coding.codebook else None)


def progress_bar(label: str, quiet: bool) -> Progress:
    return Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), TextColumn("{task.description}"), console=err_console,
                    disable=quiet, transient=True)


def db_option():
    return typer.Option(None, "--db", envvar="STANCEMAP_DB", show_envvar=True,
                        help="Database URL for a team project, e.g. postgresql+psycopg://host/db "
                             "(default: SQLite in the project folder).")


def project_option():
    return typer.Option(..., "--project", "-p", help="Project folder.")


def codebook_option():
    return typer.Option(None, "--codebook", help="Codebook YAML (default: the built-in one).")


def config_option():
    return typer.Option(None, "--config", "-c",
                        help="Config TOML (default: PROJECT/stancemap.toml if present).")
