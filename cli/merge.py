"""`stancemap merge`: join the panel onto your own country-year data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from stancemap.cli._common import (codebook_option, config_option, console, db_option,
                                   json_option, project_option, project_settings, quiet_option,
                                   user_errors)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stancemap.datasets.merge import MergeReport

EPILOG = """\
[bold]Examples[/bold]

  stancemap merge --project study gravity.csv --on country,year --out merged.dta
  stancemap merge --project study wdi.dta --on country=countryname,year --out merged.csv
  stancemap merge --project study gdelt.csv --on country=fips,year --country-codes fips --out m.csv
  stancemap merge --project study trade.csv --on about_country=partner,year --out m.csv
  stancemap merge --project study flows.csv --on origin=exporter,destination=importer,year --out m.csv

The first key is the country: `country` joins your country on the panel's source country
(whose perceptions it measures); `about_country=COLUMN` joins on the countries spoken about;
`origin,destination,year` joins the dyadic panel (export --level dyad) onto a bilateral table.
Countries in the data may be any ISO 3166 country: names in English ("Kyrgyz Republic",
"Korea, Rep.", "Türkiye"), Russian or the region's languages, ISO2, ISO3, numeric or FIPS 10-4
codes. Two-letter codes are read as ISO2 unless --country-codes fips. A value that names no
country matches nothing and is printed, as is every key with no panel cell; your columns keep
their names (a panel column of the same name gets the suffix _stancemap). Exit codes: 0 all
rows matched; 3 some did not; 2 usage error.
"""


def print_merge(report: MergeReport) -> None:
    console.print(f"{report.matched_rows} of {report.rows} rows matched a panel cell")
    if report.unresolved_countries:
        console.print("[yellow]country values not recognised:[/yellow] "
                      + ", ".join(report.unresolved_countries))
    if report.unmatched_keys:
        shown = report.unmatched_keys[:20]
        more = (f" … and {len(report.unmatched_keys) - 20} more (--json lists all)"
                if len(report.unmatched_keys) > 20 else "")
        console.print(f"[yellow]{len(report.unmatched_keys)} keys with no panel cell:[/yellow] "
                      + ", ".join("/".join(map(str, k)) for k in shown) + more)
    if report.renamed_columns:
        console.print("[yellow]your data already has these names; stancemap's columns are "
                      "written as:[/yellow] " + ", ".join(f"{old} → {new}" for old, new
                                                          in report.renamed_columns.items()))
    if report.panel_only_keys:
        console.print(f"[dim]{len(report.panel_only_keys)} panel cells have no row in the data[/dim]")
    for path in report.written:
        console.print(f"wrote {path}")


def merge_command(
    data_file: Path = typer.Argument(..., help="Your data: CSV, Stata .dta, XLSX or Parquet."),
    project: Path = project_option(),
    on: str = typer.Option("country,year", "--on",
                           help="Keys: panel dimension[=your column], … (origin,destination,year: dyads)."),
    out: Path = typer.Option(..., "--out", "-o", help="Merged output file."),
    country_codes: str = typer.Option("auto", "--country-codes", help="auto | iso2 | fips"),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="csv | parquet | dta | xlsx"),
    codebook: Optional[Path] = codebook_option(),
    config: Optional[Path] = config_option(),
    as_json: bool = json_option("Print the match report as JSON."),
    quiet: bool = quiet_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Join the panel onto a country-year dataset, reporting every key that did not match."""
    from stancemap.datasets.merge import merge_panel

    with user_errors():
        settings, book = project_settings(project, config, codebook, db)
        report = merge_panel(project, data_file, on, out, fmt=fmt, country_codes=country_codes,
                             config=settings, codebook=book, db_url=db)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print_merge(report)
    raise typer.Exit(0 if report.matched_rows == report.rows else 3)
