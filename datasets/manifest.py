"""The run manifest that travels with every exported file: versions, seed, codebook, config,
input hashes and every run, so a reader can reproduce the file."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.corpus.store import Store, files, runs, topic_models
from stancemap.corpus.versions import versions


def _without_state(model) -> dict | None:
    """The topic model's settings and figures, not its fitted centres (kept in the store)."""
    if not model:
        return None
    return dict(model) | {"params": {k: v for k, v in (model["params"] or {}).items() if k != "state"}}


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
        "project": store.project.name,
        "versions": versions(),
        "seed": config.seed,
        "codebook": {"name": codebook.name, "version": codebook.version, "digest": codebook.digest},
        "coding": (last_code or {}).get("manifest", {}).get("stages"),
        "analysers": (last_code or {}).get("manifest", {}).get("analysers"),
        "topic_model": _without_state(topic_model),
        "config": config.model_dump(),
        "counts": store.counts(),
        "input_files": inputs,
        "runs": [{"run_id": r["run_id"], "command": r["command"], "started_at": r["started_at"],
                  "finished_at": r["finished_at"], "status": r["status"], "counts": r["counts"]}
                 for r in run_rows],
        **extra,
    }
