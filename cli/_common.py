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


def topic_fit_lines(quiet: bool):
    """A plain line per candidate topic model ("fitting k=6 (2/5)"), not a spinner."""
    def echo(k: int, number: int, candidates: int) -> None:
        if not quiet:
            err_console.print(f"fitting topics: k={k} ({number}/{candidates})", highlight=False)
    return echo


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


def engine_option():
    return typer.Option(None, "--engine", metavar="local|dask",
                        help="local: this machine; dask: read files and code batches as Dask tasks "
                             "(default: coding.engine in the config).")


def scheduler_option():
    return typer.Option(None, "--scheduler", metavar="ADDRESS",
                        help="Dask scheduler, e.g. tcp://host:8786 (implies --engine dask; "
                             "default: a LocalCluster of coding.workers processes).")


def apply_engine(config: Config, engine: str | None, scheduler: str | None) -> None:
    """--engine/--scheduler over the config's coding.engine/coding.scheduler."""
    from stancemap.errors import Errors, UsageError

    if engine not in (None, "local", "dask"):
        raise UsageError(Errors.E276.format(engine=engine))
    if scheduler:
        config.coding.scheduler = scheduler
        config.coding.engine = engine or "dask"
    elif engine:
        config.coding.engine = engine
