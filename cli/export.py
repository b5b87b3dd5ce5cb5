"""`stancemap export`: coded data as CSV, Parquet, Stata or Excel, with dictionary and manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import (active_codebook, codebook_option, config_option, console,
                                   db_option, project_config, project_option, user_errors)
from stancemap.cli.ingest import split_list

EPILOG = """\
[bold]Examples[/bold]

  stancemap export --project study --level passages --out passages.csv
  stancemap export --project study --level codes --out codes.parquet
  stancemap export --project study --level panel --by country,sector,year --out panel.dta
  stancemap export --project study --level topics --by country --out topics.xlsx
  stancemap export --project study --level passages --pseudonymise --out shareable.csv

Levels: passages (one row per passage), codes (one row per code), panel (cells of --by with
counts, mean sentiment and stance shares with 95% intervals), topics (topic prevalence with
bootstrap intervals). --by takes country, sector, year, kind, stakeholder, lang, topic or any
metadata field. Every export writes FILE.dictionary.csv and FILE.manifest.json beside it.
Human codes win over the model's; *_source columns say which it is. --pseudonymise replaces
speakers, respondent ids, person names, e-mail addresses and phone numbers with pseudonyms that
stay the same across files (Respondent-07, Person-12); --pseudonym-key FILE writes the key.
"""


def export_command(
    project: Path = project_option(),
    level: str = typer.Option("passages", "--level", "-l", help="passages | codes | panel | topics"),
    out: Path = typer.Option(..., "--out", "-o", help="Output file."),
    by: Optional[str] = typer.Option(None, "--by", help="Panel/topic groups, e.g. country,year."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f",
                                      help="csv | parquet | dta | xlsx (default: from --out)."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    pseudonymise: Optional[bool] = typer.Option(
        None, "--pseudonymise/--no-pseudonymise",
        help="Replace speakers, respondent ids, person names, e-mails and phone numbers with stable "
             "pseudonyms (default: privacy.pseudonymise in the config)."),
    key_out: Optional[Path] = typer.Option(
        None, "--pseudonym-key", metavar="FILE",
        help="Also write the key (pseudonym -> original) to FILE; keep it apart from the data."),
) -> None:
    """Export passages, codes, a panel or topic prevalence."""
    from stancemap.datasets.export import export_project

    with user_errors():
        settings = project_config(project, config, db)
        book = active_codebook(settings, codebook, project, db)
        written = export_project(project, level, out, fmt=fmt, by=split_list(by), config=settings,
                                 codebook=book, db_url=db, pseudonymise=pseudonymise,
                                 key_out=key_out)
    for path in written:
        console.print(f"wrote {path}")
