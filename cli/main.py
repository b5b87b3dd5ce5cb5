"""The `stancemap` application: one module per command, registered here."""

from __future__ import annotations

import typer

from stancemap import __version__
from stancemap.cli import (backup, check, code, codebook, export, ingest, merge, plot, report, review,
                           run, topics, train)
from stancemap.cli._common import emit, reset_output
from stancemap.cli._help import readable_help
from stancemap.cli.info import info_command

readable_help()
app = typer.Typer(
    name="stancemap",
    help="Code qualitative material (interviews, surveys, policy documents, news) into "
         "traceable perception datasets.\n\nStart with: stancemap run FOLDER --project DIR",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
app.command("run", epilog=run.EPILOG)(run.run_command)
app.command("ingest", epilog=ingest.EPILOG)(ingest.ingest_command)
app.command("code", epilog=code.EPILOG)(code.code_command)
app.command("topics", epilog=topics.EPILOG)(topics.topics_command)
app.command("export", epilog=export.EPILOG)(export.export_command)
app.command("merge", epilog=merge.EPILOG)(merge.merge_command)
app.command("report", epilog=report.EPILOG)(report.report_command)
app.command("plot", epilog=plot.EPILOG)(plot.plot_command)
app.add_typer(review.app, name="review")
app.command("train", epilog=train.TRAIN_EPILOG)(train.train_command)
app.command("evaluate", epilog=train.EVALUATE_EPILOG)(train.evaluate_command)
app.add_typer(codebook.app, name="codebook")
app.command("info", epilog="[bold]Example[/bold]\n\n  stancemap info --project study")(info_command)
app.command("backup", epilog=backup.EPILOG)(backup.backup_command)
app.command("check", epilog=check.EPILOG)(check.check_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stancemap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Code qualitative material into traceable perception datasets."""
    reset_output()


class Stopped(BaseException):
    """A SIGTERM or SIGHUP: a BaseException, so no `except Exception` on the way swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def main() -> None:
    """Run the app; an error nobody foresaw still ends in one line (the traceback only with
    STANCEMAP_DEBUG=1), so scripts and users never parse a Python dump."""
    import os
    import signal
    import sys

    def stop(signum, _frame):  # unwinds like an error: the run is marked interrupted, locks freed
        raise Stopped(signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    as_json = "--json" in sys.argv[1:]
    try:
        if not as_json:
            app()
            return
        sys.exit(_run_as_json())
    except Stopped as stopped:
        from stancemap.errors import Errors

        message = Errors.E400.format(signal=signal.Signals(stopped.signum).name)
        print(f"Error: {message}", file=sys.stderr)
        if as_json:
            emit({"error": message, "exit_code": 128 + stopped.signum})
        sys.exit(128 + stopped.signum)
    except Exception as err:  # noqa: BLE001 - the last line of defence
        if os.environ.get("STANCEMAP_DEBUG"):
            raise
        from stancemap.corpus.faults import known_fault

        fault = known_fault(err)
        message = str(fault) if fault else (
            f"unexpected {type(err).__name__}: {err}. This is a bug in stancemap; please report "
            "it with the command you ran (STANCEMAP_DEBUG=1 shows the details).")
        print(f"Error: {message}", file=sys.stderr)
        if as_json:
            emit({"error": message, "exit_code": fault.exit_code if fault else 1})
        sys.exit(fault.exit_code if fault else 1)


def _run_as_json() -> int:
    """With --json a mistake on the command line (a missing option, a bad value) is JSON on
    stdout too, with click's exit code (2)."""
    try:
        return app(standalone_mode=False) or 0
    except typer.Abort:
        return 1
    except Exception as err:  # click's usage errors (typer may bring its own click)
        if not (hasattr(err, "format_message") and hasattr(err, "exit_code")):
            raise
        err.show()
        emit({"error": err.format_message(), "exit_code": err.exit_code})
        return err.exit_code


if __name__ == "__main__":
    main()
