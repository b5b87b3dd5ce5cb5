"""Joining the panel onto a researcher's own country-year data, whatever country codes it uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.countries import CountryResolver
from stancemap.config import Config
from stancemap.corpus.encoding import decode
from stancemap.corpus.store import Store
from stancemap.datasets.dictionary import data_dictionary, series_type
from stancemap.datasets.export import build_table, level_dictionary, panel_note
from stancemap.datasets.manifest import run_manifest
from stancemap.datasets.writers import format_for, write_table
from stancemap.errors import Errors, FileProblem, UsageError


@dataclass
class MergeReport:
    rows: int
    matched_rows: int
    unresolved_countries: list[str] = field(default_factory=list)
    unmatched_keys: list[tuple] = field(default_factory=list)  # user keys with no panel cell
    panel_only_keys: list[tuple] = field(default_factory=list)  # panel cells the data lacks
    renamed_columns: dict[str, str] = field(default_factory=dict)  # stancemap's name -> written as
    written: list[Path] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"rows": self.rows, "matched_rows": self.matched_rows,
                "unresolved_countries": self.unresolved_countries,
                "unmatched_keys": [_plain(k) for k in self.unmatched_keys],
                "panel_only_keys": [_plain(k) for k in self.panel_only_keys],
                "renamed_columns": self.renamed_columns,
                "written": [str(p) for p in self.written]}


def _plain(key: tuple) -> list:
    return [None if pd.isna(v) else (int(v) if hasattr(v, "is_integer") or str(v).isdigit()
                                     and not isinstance(v, str) else v) for v in key]


def read_data(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UsageError(Errors.E043.format(path=path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".dta":
            return pd.read_stata(path, convert_categoricals=False)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        import io

        text, _ = decode(path.read_bytes())
        return pd.read_csv(io.StringIO(text), sep=None, engine="python")
    except (ValueError, OSError, FileProblem, pd.errors.ParserError) as err:
        raise UsageError(Errors.E044.format(path=path, reason=err)) from err


# the panel's country dimension a key names: `country` is the source country (whose
# perceptions the panel measures); `about_country` joins on the countries spoken about instead;
# `origin,destination` join the dyadic panel (export --level dyad). Every key naming one is
# resolved to ISO3 by the one country resolver.
COUNTRY_KEYS = {"country": "source_country", "source_country": "source_country",
                "about_country": "about_country"}
DYAD_COUNTRIES = ("origin", "destination")
COUNTRY_DIMENSIONS = {*COUNTRY_KEYS.values(), *DYAD_COUNTRIES}
CLASH_SUFFIX = "_stancemap"


def parse_on(on: str) -> list[tuple[str, str]]:
    """`country,year` or `country=ctry_name,year=yr`: (panel dimension, the data's column);
    the first key is a country and `country` means the source country; a dyadic merge starts
    with origin and destination."""
    pairs = []
    for part in on.split(","):
        part = part.strip()
        if part:
            dimension, _, column = part.partition("=")
            dimension = dimension.strip()
            pairs.append((COUNTRY_KEYS.get(dimension, dimension), (column or dimension).strip()))
    if set(DYAD_COUNTRIES) & {d for d, _ in pairs}:
        if tuple(d for d, _ in pairs[:2]) != DYAD_COUNTRIES:
            raise UsageError(Errors.E362.format(on=on))
        return pairs
    if not pairs or pairs[0][0] not in COUNTRY_KEYS.values():
        raise UsageError(Errors.E048.format(on=on))
    return pairs


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _free_name(name: str, taken) -> str:
    """`name` with stancemap's suffix (and a number if needed) so that it is not in `taken`."""
    candidate, number = f"{name}{CLASH_SUFFIX}", 2
    while candidate in taken:
        candidate, number = f"{name}{CLASH_SUFFIX}{number}", number + 1
    return candidate


def merge_panel(project: Path, data_file: Path, on: str, out: Path, *, fmt: str | None = None,
                country_codes: str = "auto", config: Config | None = None,
                codebook: Codebook | None = None, db_url: str | None = None) -> MergeReport:
    """`merged_table` written to `out` with its data dictionary and manifest."""
    fmt = format_for(Path(out), fmt)
    merged, report, dictionary, manifest = merged_table(
        project, data_file, on, country_codes=country_codes, config=config, codebook=codebook,
        db_url=db_url)
    report.written = write_table(merged, Path(out), fmt, dictionary, manifest)
    return report


def merged_table(project: Path, data: Path | pd.DataFrame, on: str, *, country_codes: str = "auto",
                 config: Config | None = None, codebook: Codebook | None = None,
                 db_url: str | None = None) -> tuple[pd.DataFrame, MergeReport, list[dict], dict]:
    """Every row of the data (a file, or a DataFrame from a notebook) once, with its panel
    cell where its keys match one. Country keys are resolved to ISO3; a row whose key does
    not resolve, or a panel cell without a value for a key (no source country), matches
    nothing. The data's columns keep their names; a panel column of the same name gets a
    suffix and is reported. Also returns the data dictionary and the manifest."""
    from stancemap.annotations.codebook import load_codebook

    config = config or Config()
    codebook = codebook or load_codebook(Path(config.coding.codebook) if config.coding.codebook else None)
    pairs = parse_on(on)
    data_file = "the data frame" if isinstance(data, pd.DataFrame) else Path(data)
    data = data.copy() if isinstance(data, pd.DataFrame) else read_data(data_file)
    for _, column in pairs:
        if column not in data.columns:
            raise UsageError(Errors.E045.format(column=column, path=data_file,
                                                columns=", ".join(map(str, data.columns))))
    dyadic = pairs[0][0] == "origin"
    store = Store(Path(project), url=db_url, create=False)
    try:
        panel = build_table(store, codebook, config, "dyad" if dyadic else "panel",
                            [d for d, _ in pairs])
        manifest = run_manifest(store, codebook, config, {"merge": {"data_file": str(data_file),
                                                                    "on": on}})
        manifest["panel"] = panel_note(panel, config)
    finally:
        store.dispose()
    panel_dictionary = {e["column"]: e for e in (level_dictionary(panel, codebook, "dyad", {}) if dyadic
                                                 else data_dictionary(panel, codebook, "panel"))}
    keys, resolved, unresolved = _keys(data, panel, pairs, CountryResolver(codebook), country_codes)
    left = data.copy()
    for key, values in keys.items():
        left[key] = values
    right = panel.rename(columns={dimension: key for key, (dimension, _) in resolved.items()})
    right = right.dropna(subset=list(keys))  # a cell without a source country matches no row
    taken = set(map(str, data.columns))
    output, renamed = {}, {}  # internal key -> name written (resolved countries); clashes
    countries = [k for k, (dimension, _) in resolved.items() if dimension in COUNTRY_DIMENSIONS]
    for key in countries:
        dimension = resolved[key][0]
        name = ("iso3" if len(countries) == 1 else f"{dimension}_iso3" if dyadic
                else f"iso3_{dimension}")
        output[key] = name if name not in taken else _free_name(name, taken)
        if output[key] != name:
            renamed[name] = output[key]
        taken.add(output[key])
    clashes = {column: _free_name(column, taken | set(right.columns)) for column in right.columns
               if column not in keys and column in taken}
    renamed.update(clashes)
    right = right.rename(columns=clashes)
    merged = left.merge(right, how="left", on=list(keys), indicator=True, validate="many_to_one")
    matched = merged["_merge"] == "both"
    user_keys = {tuple(r) for r in left[list(keys)].itertuples(index=False)}
    panel_keys = {tuple(r) for r in right[list(keys)].itertuples(index=False)}
    report = MergeReport(
        rows=len(merged), matched_rows=int(matched.sum()), unresolved_countries=sorted(unresolved),
        unmatched_keys=sorted((k for k in user_keys - panel_keys if not any(map(_missing, k))), key=str),
        panel_only_keys=sorted(panel_keys - user_keys, key=str),
        renamed_columns=renamed)
    merged = merged.drop(columns=["_merge", *(k for k in keys if k not in output)])
    merged = merged.rename(columns=output)
    for column in right.columns:  # unmatched rows must not turn panel counts into floats
        if column in merged and pd.api.types.is_integer_dtype(right[column]):
            merged[column] = merged[column].astype("Int64")
    dictionary = _dictionary(merged, data, getattr(data_file, "name", data_file), panel_dictionary,
                             {v: k for k, v in clashes.items()},
                             {v: resolved[k] for k, v in output.items()})
    manifest["merge"].update(report.to_json())
    return merged, report, dictionary, manifest


def _keys(data: pd.DataFrame, panel: pd.DataFrame, pairs: list[tuple[str, str]],
          resolver: CountryResolver, country_codes: str):
    """The join keys as columns `_key_<n>` of the data (the panel's own dimension columns
    are made the same type): countries resolved to ISO3, years as integers, the rest as text;
    also which key is which (dimension, data column) and the country values no country
    answers to."""
    keys, resolved, unresolved = {}, {}, set()
    for index, (dimension, column) in enumerate(pairs):
        key = f"_key_{index}"
        values = data[column]
        if dimension in COUNTRY_DIMENSIONS:
            codes = values.map(lambda v: resolver.resolve(v, country_codes))
            unresolved |= {str(v) for v, code in zip(values, codes) if _missing(code) and not _missing(v)}
            keys[key] = codes.astype("string")
            panel[dimension] = panel[dimension].astype("string")
        elif dimension == "year":
            keys[key] = pd.to_numeric(values, errors="coerce").astype("Int64")
            panel[dimension] = pd.to_numeric(panel[dimension], errors="coerce").astype("Int64")
        else:
            keys[key] = values.astype("string")
            panel[dimension] = panel[dimension].astype("string")
        resolved[key] = (dimension, column)
    return keys, resolved, unresolved


def _dictionary(merged: pd.DataFrame, data: pd.DataFrame, source: str, panel: dict[str, dict],
                renamed: dict[str, str], countries: dict[str, tuple[str, str]]) -> list[dict]:
    """What each merged column really holds: the data's columns as they came, the resolved
    country codes, the panel's columns (under a new name where the data had the name)."""
    entries = []
    for column in merged.columns:
        if column in countries:
            dimension, given = countries[column]
            entries.append({"column": column, "meaning": (
                f"ISO3 code of {given} (names in English, Russian and other languages, ISO2, "
                f"ISO3, numeric, FIPS), matched to the panel's {dimension}; empty where "
                f"{given} names no country (such rows match no panel cell)"),
                "type": "string", "allowed_values": "", "categories": None})
        elif column in data.columns:
            entries.append({"column": column, "meaning": f"From {source}",
                            "type": series_type(merged[column]), "allowed_values": "",
                            "categories": None})
        else:
            original = renamed.get(column, column)
            entry = dict(panel[original], column=column)
            if column in renamed:
                entry["meaning"] = (f"{entry['meaning']} (stancemap's {original}, renamed: "
                                    f"{source} has a column {original})")
            entries.append(entry)
    return entries
