"""`stancemap export`: coded data as CSV, Parquet, Stata or Excel, with dictionary and manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import (codebook_option, config_option, console, db_option,
                                   project_option, project_settings, pseudonym_key_option,
                                   pseudonymise_option, user_errors, warn)
from stancemap.cli.ingest import split_list

EPILOG = """\
[bold]Examples[/bold]

  stancemap export --project study --level passages --out passages.csv
  stancemap export --project study --level codes --out codes.parquet
  stancemap export --project study --level mentions --out mentions.csv
  stancemap export --project study --level panel --out panel.dta
  stancemap export --project study --level panel --by source_country,target,year --out p.csv
  stancemap export --project study --level panel --by source_country,about_country,sector --out p.csv
  stancemap export --project study --level topics --by source_country --out topics.xlsx
  stancemap export --project study --level passages --pseudonymise --out shareable.csv
  stancemap export --project study --level panel --out panel.csv --leave-out-of-language

Levels: passages (one row per passage), codes (one row per code), mentions (one row per entity
mention, offsets into the document text), panel (cells of --by with passages, documents and
distinct sources, mean sentiment and stance shares with 95% intervals), topics (topic
prevalence with bootstrap intervals). --by (default source_country,year: who speaks, when)
takes source_country, about_country, about_region, target, sector, year, kind, stakeholder,
source_kind, speaker, lang, topic or any metadata field. Panels leave out interviewer questions
and self-referencing stances (a Chinese source on China) and count them in the manifest; the
[panel] config changes that. Every export writes FILE.dictionary.csv and FILE.manifest.json
beside it. Human codes win over the model's; *_source columns say which it is. --pseudonymise replaces
speakers, respondent ids, person names, e-mail addresses and phone numbers with pseudonyms that
stay the same across files (Respondent-07, Person-12); --pseudonym-key FILE writes the key.
--leave-out-of-language (or coding.out_of_language = false) leaves out model codes made in a
language the model was not trained on (flagged out_of_language in their details).
"""


def export_command(
    project: Path = project_option(),
    level: str = typer.Option("passages", "--level", "-l",
                              help="passages | codes | mentions | panel | topics"),
    out: Path = typer.Option(..., "--out", "-o", help="Output file."),
    by: Optional[str] = typer.Option(None, "--by", metavar="DIMS",
                                     help="Panel/topic groups (default source_country,year)."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f",
                                      help="csv | parquet | dta | xlsx (default: from --out)."),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    pseudonymise: Optional[bool] = pseudonymise_option(),
    key_out: Optional[Path] = pseudonym_key_option(),
    leave_out_of_language: bool = typer.Option(
        False, "--leave-out-of-language",
        help="Leave out model codes made outside the model's training languages."),
) -> None:
    """Export passages, codes, mentions, a panel or topic prevalence."""
    from stancemap.datasets.export import export_project

    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        if leave_out_of_language:
            settings.coding.out_of_language = False
        written = export_project(project, level, out, fmt=fmt, by=split_list(by), config=settings,
                                 codebook=book, db_url=db, pseudonymise=pseudonymise,
                                 key_out=key_out, echo=warn)
    for path in written:
        console.print(f"wrote {path}")
