"""The Python API for a notebook: `stancemap.open_project(path)` and `stancemap.run(folder,
project)`. The tables are the exports' own (the same function builds both, with the same
columns, values and data dictionary), so a notebook and a shell script never disagree.

It lives beside the commands because it does what they do with a project: reads its config
and remembered codebook, holds the writer lock for a run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stancemap.cli._common import project_settings
from stancemap.cli.run import RunResult, run_batch

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Project", "open_project", "run", "RunResult"]


class Project:
    """An existing project. Each method reads the store afresh and returns a pandas
    DataFrame; `project.config` (the project's stancemap.toml, else the defaults) and
    `project.codebook` may be changed before a call, as --config and --codebook would."""

    def __init__(self, path: Path | str, *, db: str | None = None, config: Path | str | None = None,
                 codebook: Path | str | None = None):
        self.path = Path(path)
        self.db = db
        self.config, self.codebook = project_settings(
            self.path, Path(config) if config else None, Path(codebook) if codebook else None, db)

    def __repr__(self) -> str:
        return f"<stancemap project {self.path} (codebook {self.codebook.name} {self.codebook.version})>"

    def _table(self, level: str, by: list[str] | None = None, corrected: bool = True,
               pseudonymise: bool | None = None, config=None) -> pd.DataFrame:
        from stancemap.datasets.export import prepare_export

        return prepare_export(self.path, level, by=by, config=config or self.config,
                              codebook=self.codebook, db_url=self.db, pseudonymise=pseudonymise,
                              corrected=corrected).table

    def passages(self, pseudonymise: bool | None = None) -> pd.DataFrame:
        """One row per passage with its codes (`export --level passages`)."""
        return self._table("passages", pseudonymise=pseudonymise)

    def codes(self, pseudonymise: bool | None = None) -> pd.DataFrame:
        """One row per code, model and human (`export --level codes`)."""
        return self._table("codes", pseudonymise=pseudonymise)

    def mentions(self, pseudonymise: bool | None = None) -> pd.DataFrame:
        """One row per entity mention with offsets into the text (`export --level mentions`)."""
        return self._table("mentions", pseudonymise=pseudonymise)

    def panel(self, by: list[str] | None = None, corrected: bool = True) -> pd.DataFrame:
        """Cells of `by` (default source_country, year) with counts, mean sentiment and stance
        shares with 95% intervals (`export --level panel`); `corrected` keeps the corrected
        estimates (*_ppi columns) where the panel has them."""
        return self._table("panel", by, corrected)

    def topics(self, by: list[str] | None = None) -> pd.DataFrame:
        """Topic prevalence per cell of `by` with bootstrap intervals (`export --level topics`)."""
        return self._table("topics", by)

    def index(self, by: list[str] | None = None, indicators: list[str] | None = None,
              min_sources: int | None = None, components: int | None = None,
              corrected: bool = True) -> pd.DataFrame:
        """The perception index per cell (`export --level index`): PCA of the standardised
        indicators; `.attrs["index"]` holds the loadings and explained variance."""
        update = {k: v for k, v in (("indicators", indicators), ("min_sources", min_sources),
                                    ("components", components)) if v is not None}
        config = self.config.model_copy(deep=True)
        config.index = config.index.model_copy(update=update)
        return self._table("index", by, corrected, config=config)

    def dyads(self, corrected: bool = True) -> pd.DataFrame:
        """One row per (origin, destination, year) for gravity models (`export --level dyad`)."""
        return self._table("dyad", corrected=corrected)

    def merge(self, data: Path | str | pd.DataFrame, on: str, country_codes: str = "auto") -> pd.DataFrame:
        """Your country-year data (a file or a DataFrame) with the panel's columns beside each
        row whose keys match a cell (`stancemap merge --on ON`, same rules: no row is dropped
        or repeated, a key that resolves to no country matches nothing).
        `.attrs["merge"]` holds the report: rows matched, unresolved names, renamed columns;
        `.attrs["dictionary"]` what each column holds."""
        from stancemap.datasets.merge import merged_table

        merged, report, dictionary, _ = merged_table(
            self.path, data if not isinstance(data, str) else Path(data), on,
            country_codes=country_codes, config=self.config, codebook=self.codebook, db_url=self.db)
        merged.attrs.update(merge=report.to_json(), dictionary=dictionary)
        return merged

    def dictionary(self, table: pd.DataFrame) -> pd.DataFrame:
        """The data dictionary of a table this project returned: what each column means, its
        type and allowed values (the export's FILE.dictionary.csv)."""
        import pandas as pd

        from stancemap.datasets.export import level_dictionary

        level = table.attrs.get("level")
        entries = level_dictionary(table, self.codebook, level, table.attrs)
        return pd.DataFrame(entries)[["column", "meaning", "type", "allowed_values"]]

    def info(self) -> dict:
        """What the project holds and remembers (`stancemap info --json`)."""
        from stancemap.cli.info import project_info

        return project_info(self.path, self.db)


def open_project(path: Path | str, *, db: str | None = None, config: Path | str | None = None,
                 codebook: Path | str | None = None) -> Project:
    """Open an existing project (a folder, or a team database with `db`)."""
    return Project(path, db=db, config=config, codebook=codebook)


def run(folder: Path | str, project: Path | str, **options) -> RunResult:
    """The whole batch as `stancemap run FOLDER --project PROJECT` does it; options as on the
    command line: manifest, pattern, text_columns, codebook, topics, config, db, engine,
    scheduler, model_versions, wait, quiet (default True: no progress bars)."""
    return run_batch(Path(folder), Path(project), **options)
