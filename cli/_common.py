"""What every command shares: consoles and turning user errors into one line and an exit code."""

from __future__ import annotations

import json
import re
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


# how this invocation prints: set by --json/--quiet as they are parsed, reset by the root
# callback before each command (CliRunner runs many commands in one process)
output = {"json": False, "quiet": False}


def reset_output() -> None:
    output.update(json=False, quiet=False)
    console.quiet = False


def _set(key: str):
    def callback(value: bool) -> bool:
        output[key] = bool(value) or output[key]
        console.quiet = output["json"] or output["quiet"]  # no human text in JSON on stdout
        return value
    return callback


def json_option(help: str = "Print the result (or the error) as JSON on stdout."):
    return typer.Option(False, "--json", help=help, callback=_set("json"))


def quiet_option(help: str = "No progress, tables or messages (errors and warnings still "
                                  "go to stderr)."):
    return typer.Option(False, "--quiet", "-q", help=help, callback=_set("quiet"))


def emit(result) -> None:
    """A command's result as JSON on stdout (whatever --quiet says: it was asked for)."""
    typer.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))


def fail(message: str, exit_code: int) -> typer.Exit:
    """Print a user error (one line on stderr; with --json also as JSON on stdout) and return
    the exit to raise."""
    from rich.markup import escape

    err_console.print(f"[bold red]Error:[/bold red] {escape(message)}", highlight=False,
                      soft_wrap=True)
    if output["json"]:
        emit({"error": message, "exit_code": exit_code})
    return typer.Exit(exit_code)


@contextmanager
def user_errors():
    """A StancemapError is the user's to fix: print it plainly, no traceback."""
    try:
        yield
    except StancemapError as err:
        raise fail(str(err), err.exit_code) from None
    except Exception as err:  # a full disk, a corrupt database, a read-only folder, …
        from stancemap.corpus.faults import known_fault

        fault = known_fault(err)
        if fault is None:
            raise
        raise fail(str(fault), fault.exit_code) from None


def wait_option():
    return typer.Option(0.0, "--wait", metavar="SECONDS", min=0,
                        help="If another command is writing the project, wait up to SECONDS for "
                             "it to finish (default: stop at once with a message).")


def writing(project: Path, command: str, db: str | None, wait: float, inputs: Path | None = None):
    """Hold the project's writer lock for the whole command (one writer at a time)."""
    from stancemap.corpus.lock import writing as project_writing

    return project_writing(project, command, db, wait, create=command in ("ingest", "run"),
                           inputs=inputs)


def project_config(project: Path | None, config: Path | None, db_url: str | None = None) -> Config:
    """--config if given, else the project's own stancemap.toml, else the config the project
    started from (a team database has no stancemap.toml), else the defaults."""
    from stancemap.cli._choices import remembered_config
    from stancemap.config import CONFIG_NAME, load_config

    if config is None and project is not None:
        own = project / CONFIG_NAME
        config = own if own.exists() else remembered_config(project, db_url)
    return load_config(config)


def warn(text: str) -> None:
    err_console.print(f"[yellow]{text}[/yellow]", highlight=False, soft_wrap=True)


def active_codebook(config: Config, codebook: Path | None, project: Path | None = None,
                    db_url: str | None = None) -> Codebook:
    """--codebook, else the project's remembered codebook (cli/_choices.py), else the config's
    coding.codebook, else the default."""
    from stancemap.annotations.codebook import load_codebook
    from stancemap.cli._choices import choose_codebook

    if project is None:
        return load_codebook(codebook or (Path(config.coding.codebook) if config.coding.codebook
                                          else None))
    return choose_codebook(project, db_url, config, codebook, warn)


def project_settings(project: Path, config: Path | None, codebook: Path | None,
                     db_url: str | None = None) -> tuple[Config, Codebook]:
    """The config and the codebook a command on an existing project works with."""
    settings = project_config(project, config, db_url)
    return settings, active_codebook(settings, codebook, project, db_url)


def progress_bar(label: str, quiet: bool):
    """A rich bar on a terminal; plain lines with counts and elapsed time in a log or pipe."""
    if not err_console.is_terminal:
        from stancemap.cli._progress import LineProgress, plain_writer

        return LineProgress(label, (lambda line: None) if quiet else plain_writer(err_console.file))
    return Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), TextColumn("{task.description}"), console=err_console,
                    disable=quiet, transient=True)


def topic_progress(quiet: bool):
    """`topics: fitting k=6 (2/5), 12.0 s elapsed` before each candidate fit, on a terminal or not."""
    import time

    from stancemap.cli._progress import _duration

    started = time.monotonic()

    def show(k: int, number: int, candidates: int) -> None:
        if not quiet:
            err_console.print(f"topics: fitting k={k} ({number}/{candidates}), "
                              f"{_duration(time.monotonic() - started)} elapsed", highlight=False)

    return show


def encode_progress(quiet: bool):
    """`topics: encoded 2,048 of 9,000 new passages, 1m 10s elapsed` after each cached chunk."""
    import time

    from stancemap.cli._progress import _duration

    started = time.monotonic()

    def show(done: int, todo: int) -> None:
        if not quiet:
            err_console.print(f"topics: encoded {done:,} of {todo:,} new passages, "
                              f"{_duration(time.monotonic() - started)} elapsed", highlight=False)

    return show


def db_option():
    return typer.Option(None, "--db", envvar="STANCEMAP_DB", show_envvar=True,
                        help="Database URL for a team project, e.g. postgresql+psycopg://host/db "
                             "(default: SQLite in the project folder).")


def project_option():
    return typer.Option(..., "--project", "-p", help="Project folder.")


def codebook_option():
    return typer.Option(None, "--codebook", help="Codebook YAML (default: the built-in one).")


def pseudonymise_option():
    return typer.Option(
        None, "--pseudonymise/--no-pseudonymise",
        help="Replace speakers, respondent ids, person names, e-mails and phone numbers with stable "
             "pseudonyms (default: privacy.pseudonymise in the config).")


def pseudonym_key_option():
    return typer.Option(
        None, "--pseudonym-key", metavar="FILE",
        help="Also write the key (pseudonym -> original) to FILE; keep it apart from the data.")


def line_echo(quiet: bool):
    """Progress lines to stderr, as they are (no markup), unless quiet."""
    def echo(line: str) -> None:
        if not quiet:
            err_console.print(line, highlight=False, markup=False)
    return echo


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


SCHEDULER = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?(?:\[[0-9a-fA-F:.]+\]|[^\s/:\[\]]+)(?::\d{1,5})?/?")


def apply_engine(config: Config, engine: str | None, scheduler: str | None) -> None:
    """--engine/--scheduler over the config's coding.engine/coding.scheduler."""
    from stancemap.errors import Errors, UsageError

    if engine not in (None, "local", "dask"):
        raise UsageError(Errors.E276.format(engine=engine))
    if scheduler and not SCHEDULER.fullmatch(scheduler):  # a bad argument, not a failed start
        raise UsageError(Errors.E414.format(scheduler=scheduler))
    if scheduler:
        config.coding.scheduler = scheduler
        config.coding.engine = engine or "dask"
    elif engine:
        config.coding.engine = engine
