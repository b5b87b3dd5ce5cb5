"""The same store code on SQLite and on a real PostgreSQL server (a team's shared project)."""

import json
import subprocess
import sys

import pandas as pd
import pytest
import sqlalchemy as sa

from conftest import EXAMPLES, ROOT
from stancemap.annotations.review_project import export_review, import_review
from stancemap.config import Config
from stancemap.corpus.document import Document, Passage
from stancemap.datasets.tables import passage_table
from stancemap.corpus.ingest import ingest
from stancemap.corpus.store import SCHEMA_VERSION, Store, codes, documents, meta_table
from stancemap.errors import StoreError
from stancemap.nlp.pipeline import code_project


def test_ingest_and_reingest(backend):
    project, url = backend
    first = ingest(EXAMPLES / "corpus", project, manifest=EXAMPLES / "manifest.csv", db_url=url)
    assert first.counts["ingested"] == 8 and first.counts["near_duplicate"] == 1
    second = ingest(EXAMPLES / "corpus", project, manifest=EXAMPLES / "manifest.csv", db_url=url)
    assert all(f.unchanged for f in second.files)
    store = Store(project, url=url, create=False)
    assert store.counts()["documents"] == 11 and store.counts()["passages"] == 175
    store.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_plain_postgresql_urls_use_the_installed_driver(backend):
    project, url = backend
    store = Store(project, url=url.replace("postgresql+psycopg://", "postgresql://"))
    assert store.engine.dialect.driver == "psycopg" and store.counts()["documents"] == 0
    store.dispose()


def test_reading_never_creates_a_schema_and_names_what_is_wrong(backend):
    """`info`, `export`, `check` on an empty database say so and leave it empty; a project with
    a table dropped is named damaged, not a bug."""
    project, url = backend
    if url is None:  # SQLite: an empty database file in the project folder
        project.mkdir()
        sqlite = sa.create_engine(f"sqlite:///{project / 'stancemap.db'}")
        with sqlite.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("DROP TABLE t")
        sqlite.dispose()
    with pytest.raises(StoreError, match="holds no stancemap project yet"):
        Store(project, url=url, create=False)
    engine = sa.create_engine(url or f"sqlite:///{project / 'stancemap.db'}")
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []
    Store(project, url=url).dispose()  # ingest makes the schema
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE codes")
    engine.dispose()
    with pytest.raises(StoreError, match="damaged: table codes is missing"):
        Store(project, url=url, create=False)


def test_schema_version_is_checked(backend):
    project, url = backend
    Store(project, url=url).dispose()
    store = Store(project, url=url)
    with store.engine.begin() as conn:
        conn.execute(meta_table.update().where(meta_table.c.key == "schema_version").values(value="99"))
    store.dispose()
    with pytest.raises(StoreError, match=f"version 99; this stancemap understands version {SCHEMA_VERSION}"):
        Store(project, url=url)


def test_a_failing_write_leaves_nothing(backend):
    project, url = backend
    store = Store(project, url=url)
    run_id = store.begin_run("ingest", {})
    document = Document(doc_id="d" * 64, source_path="/x.txt", source_sha256="s" * 64, kind="other",
                        lang="en", title="x", date=None, text="Hello Astana.")
    document.passages = [Passage("same", document.doc_id, i, 0, 5, "Hello") for i in range(2)]
    with pytest.raises(sa.exc.IntegrityError):
        store.record_file(run_id, "/x.txt", "s" * 64, 1, "ingested", None, [document],
                          [document.doc_id], {})
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar() == 0
    store.dispose()


@pytest.mark.slow
def test_code_review_and_concurrent_imports(backend, coder, codebook, tmp_path):
    project, url = backend
    ingest(EXAMPLES / "corpus", project, manifest=EXAMPLES / "manifest.csv", db_url=url)
    code_project(project, Config(), codebook, coder=coder, db_url=url)
    files = []
    for name, seed in (("x", 1), ("y", 2)):
        out = tmp_path / f"{name}.csv"
        export_review(project, out, codebook, dims=["sentiment", "stance"], seed=seed, db_url=url)
        table = pd.read_csv(out, keep_default_na=False)
        table["coder_value"] = table.model_value
        table.to_csv(out, index=False)
        files.append((name, out))
    command = [sys.executable, "-m", "stancemap", "review", "import"]
    extra = ["--db", url] if url else []
    processes = [subprocess.Popen(command + [str(path), "--project", str(project), "--annotator", name,
                                             "--json"] + extra,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
                 for name, path in files]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    reports = [json.loads(out) for out, _ in outputs]
    store = Store(project, url=url, create=False)
    with store.engine.connect() as conn:
        counts = {source: n for source, n in conn.execute(sa.select(codes.c.source, sa.func.count())
                  .where(codes.c.source.like("human:%")).group_by(codes.c.source))}
    assert counts == {"human:x": reports[0]["codes"], "human:y": reports[1]["codes"]}
    import_review(project, files[0][1], codebook, annotator="x", db_url=url)  # again: no change
    with store.engine.connect() as conn:
        again = conn.execute(sa.select(sa.func.count()).select_from(codes).where(
            codes.c.source == "human:x")).scalar()
    assert again == counts["human:x"]
    table = passage_table(store, codebook)
    assert (table.sentiment_source.dropna() == "human").all()
    store.dispose()


def test_two_commands_remember_a_choice_at_once(backend):
    """Two coders' imports into one team database each remember the codebook: the setting is
    written as one upsert, so neither fails on the other's row (a delete-then-insert did)."""
    from concurrent.futures import ThreadPoolExecutor

    project, url = backend
    Store(project, url=url).dispose()
    stores = [Store(project, url=url, create=False) for _ in range(2)]
    try:
        def write(index: int) -> None:
            for round_ in range(40):
                stores[index].set_setting("choices", {"writer": index, "round": round_})

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(write, [0, 1]))  # raises if either writer failed
        assert stores[0].setting("choices")["round"] == 39
    finally:
        for store in stores:
            store.dispose()
