"""`export`: one call from the store to a file with its dictionary and manifest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.annotations.resolution import code_rows
from stancemap.corpus.store import Store
from stancemap.datasets.dictionary import data_dictionary
from stancemap.datasets.manifest import run_manifest
from stancemap.datasets.panel import PANEL_DIMENSIONS, panel_table, topic_prevalence
from stancemap.datasets.tables import codes_table, passage_table
from stancemap.datasets.writers import format_for, write_table
from stancemap.errors import Errors, UsageError

LEVELS = ("passages", "codes", "panel", "topics")


def build_table(store: Store, codebook: Codebook, config: Config, level: str,
                by: list[str]) -> pd.DataFrame:
    if level not in LEVELS:
        raise UsageError(Errors.E042.format(level=level))
    keep = config.coding.out_of_language
    if level == "codes":
        return codes_table(store, keep)
    table = passage_table(store, codebook, keep)
    if level == "passages":
        return table
    known = sorted(set(PANEL_DIMENSIONS) | {c[5:] for c in table.columns if c.startswith("meta_")})
    for name in by:
        if name not in known:
            raise UsageError(Errors.E041.format(name=name, known=", ".join(known)))
    if level == "panel":
        return panel_table(table, by, codebook)
    shares = code_rows(store)
    shares = shares[shares["dimension"] == "topic"]
    if shares.empty:
        raise UsageError(Errors.E047.format(path=store.project))
    return topic_prevalence(table, shares, by, codebook, config.seed)


def export_project(project: Path, level: str, out: Path, *, fmt: str | None = None,
                   by: list[str] | None = None, config: Config | None = None,
                   codebook: Codebook | None = None, db_url: str | None = None) -> list[Path]:
    from stancemap.annotations.codebook import load_codebook

    config = config or Config()
    codebook = codebook or load_codebook(Path(config.coding.codebook) if config.coding.codebook else None)
    fmt = format_for(Path(out), fmt)
    by = by if by is not None else (["country", "year"] if level == "panel" else [])
    store = Store(Path(project), url=db_url, create=False)
    try:
        table = build_table(store, codebook, config, level, by)
        manifest = run_manifest(store, codebook, config, {"level": level, "by": by, "format": fmt,
                                                          "rows": len(table)})
        return write_table(table, Path(out), fmt, data_dictionary(table, codebook), manifest)
    finally:
        store.dispose()
