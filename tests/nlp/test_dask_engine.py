"""The Dask engine on a real LocalCluster of two worker processes: the example corpus ingested
and coded on it gives the same documents, passages, mentions and codes as a local run, and a
worker SIGKILLed mid-run loses nothing and writes nothing twice."""

import json
import os
import signal
import shutil

import pytest
import sqlalchemy as sa

from conftest import EXAMPLES
from stancemap.config import Config
from stancemap.corpus.ingest import ingest
from stancemap.corpus.store import Store, codes, mentions
from stancemap.nlp.pipeline import code_project

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR) as local:
        with distributed.Client(local) as client:
            yield local, client


def plain_config() -> Config:
    """Without the sentence encoder: each worker loads spaCy, natasha and VADER only."""
    config = Config()
    config.sectors.embeddings = False
    return config


def dask_config(address: str, batch_size: int = 256) -> Config:
    config = plain_config()
    config.coding.engine = "dask"
    config.coding.scheduler = address
    config.coding.batch_size = batch_size
    return config


def rows(project, table, drop):
    store = Store(project, create=False)
    try:
        with store.engine.connect() as conn:
            found = [dict(r) for r in conn.execute(sa.select(table)).mappings()]
    finally:
        store.dispose()
    return sorted(json.dumps({k: v for k, v in r.items() if k not in drop}, sort_keys=True,
                             default=str) for r in found)


CODE_COLUMNS = {"code_id", "run_id", "created_at", "updated_at"}


def documents_of(project):
    store = Store(project, create=False)
    try:
        return sorted((d["doc_id"], d["text"], json.dumps(d["pages"]), d["lang"], d["kind"],
                       json.dumps([(p["passage_id"], p["start"], p["end"], p["lang"], p["speaker"])
                                   for p in store.passages_of(d["doc_id"])]))
                      for d in store.iter_documents())
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def local_project(tmp_path_factory, codebook):
    project = tmp_path_factory.mktemp("local") / "p"
    ingest(EXAMPLES / "corpus", project, manifest=EXAMPLES / "manifest.csv", config=plain_config())
    code_project(project, plain_config(), codebook)
    return project


def test_dask_run_equals_local_run(cluster, local_project, codebook, tmp_path):
    local, _ = cluster
    config = dask_config(local.scheduler_address, batch_size=8)
    project = tmp_path / "dask"
    report = ingest(EXAMPLES / "corpus", project, manifest=EXAMPLES / "manifest.csv", config=config)
    assert report.counts["files"] == 9 and report.counts["near_duplicate"] == 1
    assert documents_of(project) == documents_of(local_project)
    coded = code_project(project, config, codebook)
    assert coded.documents > 0 and coded.passages > 0
    assert rows(project, mentions, {"mention_id"}) == rows(local_project, mentions, {"mention_id"})
    assert rows(project, codes, CODE_COLUMNS) == rows(local_project, codes, CODE_COLUMNS)


def test_a_worker_killed_mid_run_loses_nothing(cluster, local_project, codebook, tmp_path):
    local, client = cluster
    project = tmp_path / "killed"
    shutil.copytree(local_project, project)
    config = dask_config(local.scheduler_address, batch_size=4)  # many small batches
    pids = list(client.run(os.getpid).values())
    killed = []

    def kill_one(_documents):
        if not killed:
            os.kill(pids[0], signal.SIGKILL)  # the nanny starts a new worker; its tasks move
            killed.append(pids[0])

    report = code_project(project, config, codebook, force=True, on_batch=kill_one)
    assert killed
    assert report.documents == len(documents_of(local_project))
    assert rows(project, mentions, {"mention_id"}) == rows(local_project, mentions, {"mention_id"})
    assert rows(project, codes, CODE_COLUMNS) == rows(local_project, codes, CODE_COLUMNS)
    store = Store(project, create=False)
    with store.engine.connect() as conn:  # no code written twice
        total = conn.execute(sa.select(sa.func.count()).select_from(codes)).scalar()
        distinct = conn.execute(sa.select(sa.func.count()).select_from(
            sa.select(codes.c.passage_id, codes.c.dimension, codes.c.target, codes.c.value,
                      codes.c.source).distinct().subquery())).scalar()
    store.dispose()
    assert total == distinct
