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
    written: list[Path] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"rows": self.rows, "matched_rows": self.matched_rows,
                "unresolved_countries": self.unresolved_countries,
                "unmatched_keys": [_plain(k) for k in self.unmatched_keys],
                "panel_only_keys": [_plain(k) for k in self.panel_only_keys],
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


# the panel's country dimension a first --on key names: `country` is the source country (whose
# perceptions the panel measures); `about_country` joins on the countries spoken about instead
COUNTRY_KEYS = {"country": "source_country", "source_country": "source_country",
                "about_country": "about_country"}


def parse_on(on: str) -> list[tuple[str, str]]:
    """`country,year` or `country=ctry_name,year=yr`: (panel dimension, the data's column);
    the first key is a country and `country` means the source country. `origin,destination,year`
    (each `=column` optional) joins the dyadic panel instead."""
    pairs = []
    for part in on.split(","):
        part = part.strip()
        if part:
            dimension, _, column = part.partition("=")
            pairs.append((dimension.strip(), (column or dimension).strip()))
    if pairs and {"origin", "destination"} & {d for d, _ in pairs}:
        if [d for d, _ in pairs[:2]] != ["origin", "destination"]:
            raise UsageError(Errors.E362.format(on=on))
        return pairs
    if not pairs or pairs[0][0] not in COUNTRY_KEYS:
        raise UsageError(Errors.E048.format(on=on))
    pairs[0] = (COUNTRY_KEYS[pairs[0][0]], pairs[0][1])
    return pairs


def merge_panel(project: Path, data_file: Path, on: str, out: Path, *, fmt: str | None = None,
                country_codes: str = "auto", config: Config | None = None,
                codebook: Codebook | None = None, db_url: str | None = None) -> MergeReport:
    from stancemap.annotations.codebook import load_codebook

    config = config or Config()
    codebook = codebook or load_codebook(Path(config.coding.codebook) if config.coding.codebook else None)
    fmt = format_for(Path(out), fmt)
    pairs = parse_on(on)
    data = read_data(Path(data_file))
    for _, column in pairs:
        if column not in data.columns:
            raise UsageError(Errors.E045.format(column=column, path=data_file,
                                                columns=", ".join(map(str, data.columns))))
    dims = [d for d, _ in pairs]
    dyadic = dims[0] == "origin"  # two country keys: the dyadic panel, each country resolved
    store = Store(Path(project), url=db_url, create=False)
    try:
        panel = build_table(store, codebook, config, "dyad" if dyadic else "panel", dims)
        manifest = run_manifest(store, codebook, config, {"merge": {"data_file": str(data_file),
                                                                    "on": on}})
        manifest["panel"] = panel_note(panel, config)
    finally:
        store.dispose()
    resolver = CountryResolver(codebook)
    countries = pairs[:2] if dyadic else pairs[:1]
    left = data.copy()
    left_keys, right_keys, unresolved = [], [], set()
    for dimension, country_column in countries:
        iso3 = data[country_column].map(lambda v: resolver.resolve(v, country_codes))
        unresolved |= {str(v) for v, code in zip(data[country_column], iso3)
                       if pd.isna(code) and not pd.isna(v)}
        key = f"{dimension}_iso3" if dyadic else "iso3"
        left[key] = iso3
        left_keys.append(key)
        right_keys.append(dimension)
    unresolved = sorted(unresolved)
    for dimension, column in pairs[len(countries):]:
        key = f"_key_{dimension}"
        if dimension == "year":
            left[key] = pd.to_numeric(left[column], errors="coerce").astype("Int64")
            panel[dimension] = pd.to_numeric(panel[dimension], errors="coerce").astype("Int64")
        else:
            left[key] = left[column].astype("string")
            panel[dimension] = panel[dimension].astype("string")
        left_keys.append(key)
        right_keys.append(dimension)
    right = panel.rename(columns=dict(zip(right_keys, left_keys)))
    merged = left.merge(right, how="left", on=left_keys, indicator=True)
    matched = merged["_merge"] == "both"
    user_keys = {tuple(r) for r in left[left_keys].itertuples(index=False)}
    panel_keys = {tuple(r) for r in right[left_keys].itertuples(index=False)}
    report = MergeReport(
        rows=len(merged), matched_rows=int(matched.sum()), unresolved_countries=unresolved,
        unmatched_keys=sorted((k for k in user_keys - panel_keys if not pd.isna(k[0])), key=str),
        panel_only_keys=sorted((k for k in panel_keys - user_keys if not pd.isna(k[0])), key=str))
    merged = merged.drop(columns=["_merge", *left_keys[len(countries):]])
    for column in right.columns:  # unmatched rows must not turn panel counts into floats
        if column in merged and pd.api.types.is_integer_dtype(right[column]):
            merged[column] = merged[column].astype("Int64")
    dictionary = level_dictionary(merged, codebook, "dyad" if dyadic else None, {})
    for entry in dictionary:
        if entry["column"] in data.columns:
            entry["meaning"] = f"From {Path(data_file).name}"
        elif entry["column"] in left_keys[:len(countries)]:
            column = dict(zip(left_keys, (c for _, c in countries)))[entry["column"]]
            entry["meaning"] = f"ISO3 code resolved from {column} (names, ISO2, ISO3, FIPS)"
    manifest["merge"].update(report.to_json())
    report.written = write_table(merged, Path(out), fmt, dictionary, manifest)
    return report
