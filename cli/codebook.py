"""`stancemap codebook validate|show`."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import console, emit, json_option, quiet_option, user_errors
from stancemap.corpus.atomic import write_text

app = typer.Typer(help="Check and show codebooks.", no_args_is_help=True)


@app.command("validate", epilog="[bold]Example[/bold]\n\n  stancemap codebook validate my_codebook.yaml")
def validate_command(path: Path = typer.Argument(..., help="Codebook YAML."),
                     as_json: bool = json_option(), quiet: bool = quiet_option()) -> None:
    """Check a codebook; every error is reported with its key path."""
    from stancemap.annotations.codebook import load_codebook

    with user_errors():
        codebook = load_codebook(path)
    if as_json:
        emit({"valid": True, "name": codebook.name, "version": codebook.version,
              "digest": codebook.digest, "countries": len(codebook.countries),
              "sectors": len(codebook.sectors), "stance_targets": len(codebook.stance_targets)})
    console.print(f"[green]valid[/green]: {codebook.name} {codebook.version} — "
                  f"{len(codebook.countries)} countries, {len(codebook.sectors)} sectors, "
                  f"{len(codebook.stance_targets)} stance targets (digest {codebook.digest[:12]})")


@app.command("show", epilog="[bold]Examples[/bold]\n\n  stancemap codebook show\n"
                            "  stancemap codebook show --codebook mine.yaml > full.yaml")
def show_command(codebook: Optional[Path] = typer.Option(None, "--codebook",
                                                        help="Codebook YAML (default: built in)."),
                 as_json: bool = json_option("Print the codebook as JSON instead of YAML."),
                 quiet: bool = quiet_option("Accepted for symmetry: the codebook is the output.")
                 ) -> None:
    """Print the active codebook as YAML (the default, or yours merged onto it)."""
    from stancemap.annotations.codebook import codebook_yaml, load_codebook

    with user_errors():
        book = load_codebook(codebook)
    if as_json:
        emit(book.model_dump(mode="json"))
    else:
        typer.echo(codebook_yaml(book))


@app.command("import-qdpx", epilog="[bold]Examples[/bold]\n\n"
             "  stancemap codebook import-qdpx nvivo_project.qdpx --out codebook.yaml\n"
             "  stancemap review export --project study --codebook codebook.yaml --dims nvivo_project "
             "--out coding.xlsx")
def import_qdpx_command(
    path: Path = typer.Argument(..., help="A REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA…"),
    out: Path = typer.Option(..., "--out", "-o", help="Codebook YAML to write."),
    dimension: Optional[str] = typer.Option(None, "--dimension", help="Id of the new dimension."),
    as_json: bool = json_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Bring a QDA program's code tree in as a codebook dimension your coders can code."""
    import yaml

    from stancemap.annotations.codebook import load_codebook
    from stancemap.annotations.qdpx import codebook_from_qdpx
    from stancemap.corpus.zipsafety import zip_problem
    from stancemap.errors import CodebookError, Errors

    with user_errors():
        problem = zip_problem(path) if path.is_file() else f"not found: {path}"
        if problem:
            raise CodebookError(Errors.E056.format(path=path, reason=problem))
        try:
            data = codebook_from_qdpx(path, dimension)
        except (ValueError, zipfile.BadZipFile) as err:  # incl. a capped entry, a CRC mismatch
            raise CodebookError(Errors.E056.format(path=path, reason=err)) from err
        if data is None:
            console.print(f"{path} holds no codes; nothing was written.")
            if as_json:
                emit({"written": None, "codes": 0})
            return
        write_text(out, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        codebook = load_codebook(out)
    (key, own), = codebook.dimensions.items()
    if as_json:
        emit({"written": str(out), "dimension": key, "codes": len(own.values)})
    console.print(f"wrote {out}: dimension {key!r} with {len(own.values)} codes from {path.name}")
