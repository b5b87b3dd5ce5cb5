"""What every command shares: consoles and turning user errors into one line and an exit code."""

from __future__ import annotations

from contextlib import contextmanager

import typer
from rich.console import Console

from stancemap.errors import StancemapError

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
