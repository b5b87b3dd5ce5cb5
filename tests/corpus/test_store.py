import sqlite3

import pytest
import sqlalchemy as sa

from stancemap.corpus.document import Document, Passage
from stancemap.corpus.store import SCHEMA_VERSION, Store, documents, file_events
from stancemap.errors import StoreError


def make_document(doc_id="d" * 64, passage_ids=("p1", "p2")):
    document = Document(doc_id=doc_id, source_path="/x.txt", source_sha256="s" * 64, kind="other",
                        lang="en", title="x", date=None, text="Hello Astana. Hello Bishkek.")
    document.passages = [Passage(pid, doc_id, i, 0, 5, "Hello") for i, pid in enumerate(passage_ids)]
    return document


def test_schema_version_is_checked_on_open(tmp_path):
    Store(tmp_path).dispose()
    with sqlite3.connect(tmp_path / "stancemap.db") as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=f"schema version 999; this stancemap understands version {SCHEMA_VERSION}"):
        Store(tmp_path)


def test_foreign_database_is_refused(tmp_path):
    with sqlite3.connect(tmp_path / "stancemap.db") as conn:
        conn.execute("CREATE TABLE other (x)")
    with pytest.raises(StoreError, match="not a stancemap project"):
        Store(tmp_path)


def test_opening_a_missing_project_without_create(tmp_path):
    with pytest.raises(StoreError, match="Project not found"):
        Store(tmp_path / "nope", create=False)


def test_a_failing_file_write_leaves_nothing(tmp_path):
    store = Store(tmp_path)
    run_id = store.begin_run("ingest", {})
    broken = make_document(passage_ids=("same", "same"))  # violates the passage primary key
    with pytest.raises(sa.exc.IntegrityError):
        store.record_file(run_id, "/x.txt", "s" * 64, 10, "ingested", None, [broken],
                          [broken.doc_id], {})
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(file_events)).scalar() == 0
    assert store.file_record("/x.txt") is None
    good = make_document()
    store.record_file(run_id, "/x.txt", "s" * 64, 10, "ingested", None, [good], [good.doc_id], {})
    assert store.counts()["passages"] == 2 and store.file_record("/x.txt")["status"] == "ingested"


def test_a_version_2_project_gets_passage_roles_in_place(tmp_path):
    store = Store(tmp_path)
    run_id = store.begin_run("ingest", {})
    document = make_document(passage_ids=("p1", "p2", "p3"))
    for passage, speaker in zip(document.passages, ("Interviewer", "Aibek", None)):
        passage.speaker = speaker
    store.record_file(run_id, "/x.txt", "s" * 64, 10, "ingested", None, [document], [document.doc_id], {})
    store.dispose()
    with sqlite3.connect(tmp_path / "stancemap.db") as conn:  # what version 2 wrote
        conn.execute("ALTER TABLE passages DROP COLUMN role")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    store = Store(tmp_path)
    assert [p["role"] for p in store.passages_of(document.doc_id)] == ["question", "respondent", None]
    # (a speech has no turns: no role; the header of a transcript would be context)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT value FROM meta").scalar() == str(SCHEMA_VERSION)


def test_passages_to_code_counts_the_passages_of_documents_to_code(tmp_path):
    store = Store(tmp_path)
    run_id = store.begin_run("ingest", {})
    first, second = make_document("a" * 64, ("a1", "a2")), make_document("b" * 64, ("b1", "b2", "b3"))
    store.record_file(run_id, "/x.txt", "s" * 64, 10, "ingested", None, [first, second],
                      [first.doc_id, second.doc_id], {})
    assert store.passages_to_code("sig") == 5
    store.write_codes(run_id, "sig", [first.doc_id], [], [])
    assert store.passages_to_code("sig") == 3
    assert store.passages_to_code("sig", force=True) == 5
    assert store.passages_to_code("other") == 5
    assert [d["doc_id"] for d in store.documents_to_code("sig")] == [second.doc_id]
