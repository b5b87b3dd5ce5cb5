"""`export`: one call from the store to a file with its dictionary and manifest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.corpus.dictionary import data_dictionary
from stancemap.corpus.exports import (PANEL_DIMENSIONS, code_rows, codes_table, panel_table,
                                      passage_table, topic_prevalence)
from stancemap.corpus.store import Store, files, runs, topic_models
from stancemap.corpus.versions import versions
from stancemap.corpus.writers import format_for, write_table
from stancemap.errors import Errors, UsageError

LEVELS = ("passages", "codes", "panel", "topics")


def run_manifest(store: Store, codebook: Codebook, config: Config, extra: dict) -> dict[str, Any]:
    """What a reader of an exported file needs to reproduce it."""
    with store.engine.connect() as conn:
        run_rows = [dict(r) for r in conn.execute(sa.select(runs).order_by(runs.c.started_at))
                    .mappings()]
        inputs = {r.path: r.sha256 for r in conn.execute(sa.select(files.c.path, files.c.sha256)
                                                          .order_by(files.c.path))}
        topic_model = conn.execute(sa.select(topic_models.c.model_id, topic_models.c.num_topics,
                                             topic_models.c.params, topic_models.c.selection)
                                   .order_by(topic_models.c.created_at.desc())).mappings().first()
    last_code = next((r for r in reversed(run_rows) if r["command"] == "code"), None)
    return {
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": versions(),
        "seed": config.seed,
        "codebook": {"name": codebook.name, "version": codebook.version, "digest": codebook.digest},
        "coding": (last_code or {}).get("manifest", {}).get("stages"),
        "analysers": (last_code or {}).get("manifest", {}).get("analysers"),
        "topic_model": dict(topic_model) if topic_model else None,
        "config": config.model_dump(),
        "counts": store.counts(),
        "input_files": inputs,
        "runs": [{"run_id": r["run_id"], "command": r["command"], "started_at": r["started_at"],
                  "finished_at": r["finished_at"], "status": r["status"], "counts": r["counts"]}
                 for r in run_rows],
        **extra,
    }


def build_table(store: Store, codebook: Codebook, config: Config, level: str,
                by: list[str]) -> pd.DataFrame:
    if level not in LEVELS:
        raise UsageError(Errors.E042.format(level=level))
    if level == "codes":
        return codes_table(store)
    table = passage_table(store, codebook)
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
