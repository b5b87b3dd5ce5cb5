"""`stancemap export`: coded data as CSV, Parquet, Stata or Excel, with dictionary and manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import (codebook_option, config_option, console, db_option, emit,
                                   json_option, project_option, project_settings,
                                   pseudonym_key_option, pseudonymise_option, quiet_option,
                                   user_errors, warn)
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
  stancemap export --project study --level index --min-sources 2 --out index.csv
  stancemap export --project study --level index --indicators st_china_net,sent_mean --out i.dta
  stancemap export --project study --level dyad --out dyads.csv

Levels: passages (one row per passage), codes (one row per code), mentions (one row per entity
mention, offsets into the document text), panel (cells of --by with passages, documents and
distinct sources, mean sentiment and stance shares with 95% intervals), topics (topic
prevalence with bootstrap intervals), index (a perception index per panel cell: the first
principal component of standardised indicators — by default net stance toward each target and
mean sentiment — over the cells with --min-sources distinct sources; loadings and explained
variance in the manifest and dictionary), dyad (one row per origin = source country,
destination = country spoken about, and year, for gravity models; self_pair marks a country
speaking of itself). --by (default source_country,year: who speaks, when)
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
                              help="passages | codes | mentions | panel | topics | index | dyad"),
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
    corrected: bool = typer.Option(True, "--corrected/--uncorrected",
                                   help="Keep the panel's corrected estimates (*_ppi columns) where "
                                        "it has them, and build the index on them."),
    indicators: Optional[str] = typer.Option(
        None, "--indicators", metavar="COLS",
        help="Index: panel columns to combine (default: net stance per target, mean sentiment)."),
    min_sources: Optional[int] = typer.Option(
        None, "--min-sources", min=1, metavar="N",
        help="Index: cells with fewer distinct sources stay out (default: index.min_sources, 2)."),
    components: Optional[int] = typer.Option(None, "--components", min=1, metavar="K",
                                             help="Index: principal components kept (default 1)."),
    as_json: bool = json_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Export passages, codes, mentions, a panel or topic prevalence."""
    from stancemap.datasets.export import export_project

    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        if leave_out_of_language:
            settings.coding.out_of_language = False
        index_options(settings, indicators, min_sources, components)
        written = export_project(project, level, out, fmt=fmt, by=split_list(by), config=settings,
                                 codebook=book, db_url=db, pseudonymise=pseudonymise,
                                 key_out=key_out, corrected=corrected)
    if as_json:
        emit({"level": level, "written": [str(p) for p in written]})
    for path in written:
        console.print(f"wrote {path}")


def index_options(settings, indicators: str | None, min_sources: int | None,
                  components: int | None) -> None:
    """--indicators/--min-sources/--components over the config's [index]."""
    if indicators:
        settings.index.indicators = split_list(indicators)
    if min_sources is not None:
        settings.index.min_sources = min_sources
    if components is not None:
        settings.index.components = components
