"""Which passage-table columns the report reads, in one place: the table is gaining
`source_country` (who speaks) and `about_country` (whom a passage is about); until then the
source country comes from a `{country}` path or manifest field (meta_country)."""

from __future__ import annotations

import pandas as pd

from stancemap.datasets.panel import PANEL_DIMENSIONS

SOURCE = "source_country"
SOURCE_COLUMNS = ("source_country", "meta_source_country", "meta_country")
ABOUT_COLUMNS = ("about_country", "countries")
# the panel dimension of the countries a passage is about
ABOUT = "about_country" if "about_country" in PANEL_DIMENSIONS else "country"


def first_present(table: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in table.columns), None)


def with_source_country(table: pd.DataFrame) -> pd.DataFrame:
    """The table with a `source_country` column (None where nothing names the source)."""
    if SOURCE in table.columns:
        return table
    column = first_present(table, SOURCE_COLUMNS)
    return table.assign(**{SOURCE: table[column] if column else None})


def about_column(table: pd.DataFrame) -> str:
    return first_present(table, ABOUT_COLUMNS) or ABOUT_COLUMNS[-1]


def sources_column(panel: pd.DataFrame) -> tuple[str, str]:
    """(column, label) of the distinct-source count of a panel cell."""
    if "n_sources" in panel.columns:
        return "n_sources", "distinct sources"
    return "n_documents", "distinct documents"
