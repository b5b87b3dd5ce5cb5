"""`stancemap codebook validate|show`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import console, user_errors

app = typer.Typer(help="Check and show codebooks.", no_args_is_help=True)


@app.command("validate", epilog="[bold]Example[/bold]\n\n  stancemap codebook validate my_codebook.yaml")
def validate_command(path: Path = typer.Argument(..., help="Codebook YAML.")) -> None:
    """Check a codebook; every error is reported with its key path."""
    from stancemap.annotations.codebook import load_codebook

    with user_errors():
        codebook = load_codebook(path)
    console.print(f"[green]valid[/green]: {codebook.name} {codebook.version} — "
                  f"{len(codebook.countries)} countries, {len(codebook.sectors)} sectors, "
                  f"{len(codebook.stance_targets)} stance targets (digest {codebook.digest[:12]})")


@app.command("show", epilog="[bold]Examples[/bold]\n\n  stancemap codebook show\n"
                            "  stancemap codebook show --codebook mine.yaml > full.yaml")
def show_command(codebook: Optional[Path] = typer.Option(None, "--codebook",
                                                        help="Codebook YAML (default: built in).")
                 ) -> None:
    """Print the active codebook as YAML (the default, or yours merged onto it)."""
    from stancemap.annotations.codebook import codebook_yaml, load_codebook

    with user_errors():
        typer.echo(codebook_yaml(load_codebook(codebook)))
