"""`export`: one call from the store to a file with its dictionary and manifest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.annotations.resolution import code_rows
from stancemap.corpus.privacy import Pseudonymiser, pseudonymiser_for
from stancemap.corpus.store import Store
from stancemap.datasets.dictionary import data_dictionary
from stancemap.datasets.dyad import DYAD_BY, DYAD_MEANINGS, dyad_table
from stancemap.datasets.index import index_meaning, index_table
from stancemap.datasets.manifest import run_manifest
from stancemap.datasets.panel import DEFAULT_BY, PANEL_DIMENSIONS, panel_table, topic_prevalence
from stancemap.datasets.sources import missing_sources
from stancemap.datasets.tables import codes_table, mentions_table, passage_table
from stancemap.datasets.validation import load_validation
from stancemap.datasets.writers import format_for, write_table
from stancemap.errors import Errors, UsageError

LEVELS = ("passages", "codes", "mentions", "panel", "topics", "index", "dyad")
# a panel column's corrected estimate and its interval (prediction-powered inference), and the
# validated passages behind it: kept with `corrected`, left out without
CORRECTED_SUFFIXES = ("_ppi", "_ppi_lo", "_ppi_hi", "_ppi_flag", "n_validated")


def without_corrected(table: pd.DataFrame) -> pd.DataFrame:
    """The panel without its corrected columns (`corrected=False`)."""
    drop = [c for c in table.columns if c.endswith(CORRECTED_SUFFIXES)]
    return table.drop(columns=drop) if drop else table


def build_table(store: Store, codebook: Codebook, config: Config, level: str,
                by: list[str], corrected: bool = True) -> pd.DataFrame:
    """One export level as a DataFrame; `corrected` keeps a panel's corrected estimates (and
    lets the index use them in place of the plain ones, per index.corrected)."""
    if level not in LEVELS:
        raise UsageError(Errors.E042.format(level=level))
    keep = config.coding.out_of_language
    if level == "codes":
        return codes_table(store, keep)
    if level == "mentions":
        return mentions_table(store)
    table = passage_table(store, codebook, keep, config.panel.quoted_voices, config.panel.bylines)
    if level == "passages":
        return table
    if level == "dyad":
        dyads = dyad_table(table, codebook, config.panel)
        return dyads if corrected else without_corrected(dyads)
    known = sorted(set(PANEL_DIMENSIONS) | {c[5:] for c in table.columns if c.startswith("meta_")})
    for name in by:
        if name not in known:
            raise UsageError(Errors.E041.format(name=name, known=", ".join(known)))
    if level in ("panel", "index"):
        validation = (load_validation(store, codebook, config.panel.validation_sample or None)
                      if corrected else None)
        panel = panel_table(table, by, codebook, config.panel, validation)
        if "source_country" in by:
            panel.attrs["sources"] = missing_sources(table, config.panel)
        if level == "panel":
            return panel
        options = config.index.model_copy(update={"corrected": corrected and config.index.corrected})
        return index_table(panel, by, codebook, options)
    shares = code_rows(store)
    shares = shares[shares["dimension"] == "topic"]
    if shares.empty:
        raise UsageError(Errors.E047.format(path=store.project))
    return topic_prevalence(table, shares, by, codebook, config.seed, options=config.panel)


def pseudonymise_table(table: pd.DataFrame, pseudonymiser: Pseudonymiser) -> pd.DataFrame:
    """Speakers and identifying metadata fields become pseudonyms; names, e-mail addresses and
    phone numbers inside every other text column are replaced."""
    out = table.copy()
    for column in out.columns:
        if not (pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column])):
            continue
        if column == "speaker":
            out[column] = out[column].map(pseudonymiser.speaker)
        elif column == "source_id":  # document/speaker or id:person: the person part is identifying
            out[column] = out[column].map(lambda v: _pseudonymous_source(v, pseudonymiser))
        elif column.startswith("meta_"):
            out[column] = out[column].map(lambda v, f=column[5:]: pseudonymiser.field(f, v))
        else:
            out[column] = out[column].map(lambda v: pseudonymiser.text(v) if isinstance(v, str) else v)
    return out


def _pseudonymous_source(value, pseudonymiser: Pseudonymiser):
    if not isinstance(value, str):
        return value
    if value.startswith("id:"):
        return "id:" + pseudonymiser.speaker(value[3:])
    document, slash, person = value.partition("/")
    return f"{document}/{pseudonymiser.speaker(person)}" if slash else value


@dataclass
class Prepared:
    """A table ready to write or hand to a notebook, with its dictionary and manifest."""
    table: pd.DataFrame
    dictionary: list[dict]
    manifest: dict
    key: Path | None = None


def prepare_export(project: Path, level: str, *, by: list[str] | None = None,
                   config: Config | None = None, codebook: Codebook | None = None,
                   db_url: str | None = None, pseudonymise: bool | None = None,
                   key_out: Path | None = None, corrected: bool = True,
                   extra: dict | None = None,
                   echo: Callable[[str], None] | None = None) -> Prepared:
    """The table of one export level, exactly as `export` writes it (the notebook API and the
    CLI both come here). `pseudonymise` (default: privacy.pseudonymise): see
    corpus/privacy.py; `key_out` also writes the key from pseudonyms back to the originals;
    `echo` is told when a panel by source_country has no source country for most passages."""
    from stancemap.annotations.codebook import load_codebook

    config = config or Config()
    codebook = codebook or load_codebook(Path(config.coding.codebook) if config.coding.codebook else None)
    pseudonymise = config.privacy.pseudonymise if pseudonymise is None else pseudonymise
    if key_out and not pseudonymise:  # a key with nothing pseudonymised would be an empty promise
        raise UsageError(Errors.E410.format(key=key_out))
    if by and level in ("passages", "codes", "mentions"):  # one row per passage, code or mention
        raise UsageError(Errors.E411.format(level=level, by=",".join(by), level_row=level[:-1]))
    by = by if by is not None else (list(DEFAULT_BY) if level in ("panel", "index") else [])
    if level == "dyad":
        if by and by != DYAD_BY:
            raise UsageError(Errors.E364.format(by=",".join(by)))
        by = list(DYAD_BY)
    store = Store(Path(project), url=db_url, create=False)
    try:
        table = build_table(store, codebook, config, level, by, corrected)
        extra = {"level": level, "by": by, **(extra or {}), "rows": len(table)}
        if level in ("panel", "index", "dyad"):
            extra["panel"] = panel_note(table, config)
            if table.attrs.get("sources") and echo:
                echo(table.attrs["sources"])
        if level == "index":
            extra["index"] = table.attrs["index"]
        if level == "dyad":
            extra["dyad"] = {"origin": "source_country", "destination": "about_country",
                             "left_out": table.attrs["dyads_left_out"]}
        key = None
        if pseudonymise:
            pseudonymiser = pseudonymiser_for(store, config.privacy.fields)
            table = pseudonymise_table(table, pseudonymiser)
            pseudonymiser.save()
            extra["pseudonymised"] = {kind: len(v) for kind, v in pseudonymiser.key.items()}
            key = pseudonymiser.write_key(Path(key_out)) if key_out else None
        manifest = run_manifest(store, codebook, config, extra)
    finally:
        store.dispose()
    table.attrs = {**table.attrs, "level": level, "by": by,
                   **{k: extra[k] for k in ("index", "dyad") if k in extra}}
    return Prepared(table, level_dictionary(table, codebook, level, manifest), manifest, key)


def level_dictionary(table: pd.DataFrame, codebook: Codebook, level: str,
                     manifest: dict) -> list[dict]:
    """The data dictionary, with the index's loadings and the dyads' own words."""
    dictionary = data_dictionary(table, codebook, level)
    for entry in dictionary:
        meaning = (index_meaning(entry["column"], manifest.get("index", {})) if level == "index"
                   else DYAD_MEANINGS.get(entry["column"]) if level == "dyad" else None)
        if meaning:
            entry["meaning"] = meaning
    return dictionary


def export_project(project: Path, level: str, out: Path, *, fmt: str | None = None,
                   **options) -> list[Path]:
    """Write one export level to `out` with its dictionary and manifest (options: see
    prepare_export); returns every path written."""
    fmt = format_for(Path(out), fmt)
    prepared = prepare_export(project, level, extra={"format": fmt}, **options)
    written = write_table(prepared.table, Path(out), fmt, prepared.dictionary, prepared.manifest)
    return written + ([prepared.key] if prepared.key else [])


def interval_methods(validated: bool) -> dict:
    """Which construction each kind of interval column comes from, for the manifest."""
    from stancemap.datasets.correction import MEAN_METHOD, MODEL_METHOD, PPI_METHOD

    found = {"*_lo/*_hi of shares and net indices": MODEL_METHOD, "sent_lo/sent_hi": MEAN_METHOD}
    if validated:
        found["*_ppi_lo/*_ppi_hi"] = PPI_METHOD
    return found


def panel_note(panel: pd.DataFrame, config: Config) -> dict:
    """What the panel counts and what it left out, for the manifest beside it."""
    return {"unit": "passage; n_sources counts distinct source_id (see the data dictionary)",
            "spread_regions": config.panel.spread_regions,
            "include_self": config.panel.include_self,
            "include_questions": config.panel.include_questions,
            "left_out": panel.attrs.get("left_out", {}),
            "validation": panel.attrs.get("validation") or "none: model-only figures are not validated",
            "intervals": interval_methods(panel.attrs.get("validation") is not None),
            **({"sources": panel.attrs["sources"]} if panel.attrs.get("sources") else {})}
