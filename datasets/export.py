"""`export`: one call from the store to a file with its dictionary and manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.annotations.resolution import code_rows
from stancemap.corpus.privacy import Pseudonymiser, pseudonymiser_for
from stancemap.corpus.store import Store
from stancemap.datasets.dictionary import data_dictionary
from stancemap.datasets.manifest import run_manifest
from stancemap.datasets.panel import DEFAULT_BY, PANEL_DIMENSIONS, panel_table, topic_prevalence
from stancemap.datasets.sources import missing_sources
from stancemap.datasets.tables import codes_table, mentions_table, passage_table
from stancemap.datasets.writers import format_for, write_table
from stancemap.errors import Errors, UsageError

LEVELS = ("passages", "codes", "mentions", "panel", "topics")


def build_table(store: Store, codebook: Codebook, config: Config, level: str,
                by: list[str]) -> pd.DataFrame:
    if level not in LEVELS:
        raise UsageError(Errors.E042.format(level=level))
    keep = config.coding.out_of_language
    if level == "codes":
        return codes_table(store, keep)
    if level == "mentions":
        return mentions_table(store)
    table = passage_table(store, codebook, keep)
    if level == "passages":
        return table
    known = sorted(set(PANEL_DIMENSIONS) | {c[5:] for c in table.columns if c.startswith("meta_")})
    for name in by:
        if name not in known:
            raise UsageError(Errors.E041.format(name=name, known=", ".join(known)))
    if level == "panel":
        panel = panel_table(table, by, codebook, config.panel)
        if "source_country" in by:
            panel.attrs["sources"] = missing_sources(table, config.panel)
        return panel
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


def export_project(project: Path, level: str, out: Path, *, fmt: str | None = None,
                   by: list[str] | None = None, config: Config | None = None,
                   codebook: Codebook | None = None, db_url: str | None = None,
                   pseudonymise: bool | None = None, key_out: Path | None = None,
                   echo: Callable[[str], None] | None = None) -> list[Path]:
    """`pseudonymise` (default: privacy.pseudonymise): see corpus/privacy.py; `key_out` also
    writes the key from pseudonyms back to the originals there; `echo` is told when a panel by
    source_country has no source country for most passages."""
    from stancemap.annotations.codebook import load_codebook

    config = config or Config()
    codebook = codebook or load_codebook(Path(config.coding.codebook) if config.coding.codebook else None)
    fmt = format_for(Path(out), fmt)
    by = by if by is not None else (list(DEFAULT_BY) if level == "panel" else [])
    store = Store(Path(project), url=db_url, create=False)
    try:
        table = build_table(store, codebook, config, level, by)
        extra = {"level": level, "by": by, "format": fmt, "rows": len(table)}
        if level == "panel":
            extra["panel"] = panel_note(table, config)
            if table.attrs.get("sources") and echo:
                echo(table.attrs["sources"])
        key = None
        if config.privacy.pseudonymise if pseudonymise is None else pseudonymise:
            pseudonymiser = pseudonymiser_for(store, config.privacy.fields)
            table = pseudonymise_table(table, pseudonymiser)
            pseudonymiser.save()
            extra["pseudonymised"] = {kind: len(v) for kind, v in pseudonymiser.key.items()}
            key = pseudonymiser.write_key(Path(key_out)) if key_out else None
        manifest = run_manifest(store, codebook, config, extra)
        written = write_table(table, Path(out), fmt, data_dictionary(table, codebook, level), manifest)
        return written + ([key] if key else [])
    finally:
        store.dispose()


def panel_note(panel: pd.DataFrame, config: Config) -> dict:
    """What the panel counts and what it left out, for the manifest beside it."""
    return {"unit": "passage; n_sources counts distinct source_id (see the data dictionary)",
            "spread_regions": config.panel.spread_regions,
            "include_self": config.panel.include_self,
            "include_questions": config.panel.include_questions,
            "left_out": panel.attrs.get("left_out", {}),
            **({"sources": panel.attrs["sources"]} if panel.attrs.get("sources") else {})}
