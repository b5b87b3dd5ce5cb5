"""Coding a whole project in the store: what is written, what is skipped, what is never touched."""


import pytest
import sqlalchemy as sa

from conftest import EXAMPLES
from stancemap.config import Config
from stancemap.corpus.ingest import ingest
from stancemap.corpus.store import Store, codes, coded_documents, mentions, now
from stancemap.nlp.pipeline import code_project


@pytest.fixture
def project(tmp_path):
    ingest(EXAMPLES / "corpus", tmp_path / "p", manifest=EXAMPLES / "manifest.csv")
    return tmp_path / "p"


def rows(project, table, *columns, where=None):
    store = Store(project, create=False)
    query = sa.select(*[table.c[c] for c in columns])
    if where is not None:
        query = query.where(where)
    with store.engine.connect() as conn:
        found = sorted(tuple(r) for r in conn.execute(query))
    store.dispose()
    return found


def test_a_manifest_change_recodes_that_document(project, coder, codebook, tmp_path):
    code_project(project, Config(), codebook, coder=coder)
    edited = tmp_path / "manifest.csv"
    edited.write_text((EXAMPLES / "manifest.csv").read_text("utf-8").replace(
        "kg_naryn_farmer.txt,KGZ,interview,farmers", "kg_naryn_farmer.txt,KGZ,interview,local community"),
        "utf-8")
    ingest(EXAMPLES / "corpus", project, manifest=edited)
    again = code_project(project, Config(), codebook, coder=coder)
    assert again.documents == 1 and again.skipped_documents == 10


def test_codes_every_document_once_and_skips_when_unchanged(project, coder, codebook):
    first = code_project(project, Config(), codebook, coder=coder)
    assert first.documents == 11 and first.passages == 175
    assert {"country", "sector", "sentiment", "stance"} <= set(first.codes)
    snapshot = rows(project, codes, "passage_id", "dimension", "target", "value", "score", "source")
    second = code_project(project, Config(), codebook, coder=coder)
    assert second.documents == 0 and second.skipped_documents == 11
    assert rows(project, codes, "passage_id", "dimension", "target", "value", "score", "source") == snapshot
    forced = code_project(project, Config(), codebook, force=True, coder=coder)
    assert forced.documents == 11
    assert rows(project, codes, "passage_id", "dimension", "target", "value", "score", "source") == snapshot


def test_mention_offsets_point_into_the_document(project, coder, codebook):
    code_project(project, Config(), codebook, coder=coder)
    store = Store(project)
    texts = {d["doc_id"]: d["text"] for d in store.iter_documents()}
    found = rows(project, mentions, "doc_id", "start", "end", "text")
    assert len(found) > 100
    for doc_id, start, end, text in found:
        assert texts[doc_id][start:end] == text


def test_human_codes_survive_recoding(project, coder, codebook):
    code_project(project, Config(), codebook, coder=coder)
    store = Store(project)
    passage_id, doc_id = rows(project, codes, "passage_id", "doc_id")[0]
    human = {"passage_id": passage_id, "doc_id": doc_id, "dimension": "sentiment", "target": "",
             "value": "negative", "score": None, "source": "human:aigerim", "status": "corrected",
             "details": {}, "run_id": None, "created_at": now(), "updated_at": now()}
    with store.engine.begin() as conn:
        conn.execute(codes.insert().values(**human))
    code_project(project, Config(), codebook, force=True, coder=coder)
    kept = rows(project, codes, "source", "status", "value", where=codes.c.source == "human:aigerim")
    assert kept == [("human:aigerim", "corrected", "negative")]


def test_a_codebook_change_recodes(coded_project, tmp_path):
    import shutil

    from stancemap.annotations.codebook import load_codebook
    from stancemap.nlp.coder import Coder

    project = tmp_path / "coded"
    shutil.copytree(coded_project, project)  # coded with the default codebook
    extra = tmp_path / "extra.yaml"
    extra.write_text("extends: default\nname: mine\nversion: '2'\n", encoding="utf-8")
    mine = load_codebook(extra)
    report = code_project(project, Config(), mine, coder=Coder(mine, Config()))
    assert report.documents == 11
    assert len(set(rows(project, coded_documents, "signature"))) == 1


@pytest.mark.slow
def test_worker_processes_give_the_same_codes(tmp_path, coded_project, codebook):
    """Against the session's example project, coded in this process with the same config."""
    one, two = coded_project, tmp_path / "two"
    ingest(EXAMPLES / "corpus", two, manifest=EXAMPLES / "manifest.csv")
    config = Config()
    config.coding.processes = 2
    config.coding.batch_size = 16
    code_project(two, config, codebook)
    columns = ("passage_id", "dimension", "target", "value", "score")
    assert rows(one, codes, *columns) == rows(two, codes, *columns)


def test_a_coder_handed_in_codes_in_this_process(project, coder, codebook):
    """Many batches, `coding.processes = 0`: the loaded coder is used, no workers start."""
    from stancemap.corpus.store import runs

    config = Config()
    config.coding.batch_size = 8
    assert code_project(project, config, codebook, coder=coder).documents == 11
    (manifest,), = rows(project, runs, "manifest", where=runs.c.command == "code")
    assert manifest["threads"]["processes"] == 1


@pytest.mark.slow
def test_a_killed_worker_process_stops_the_run_with_a_message(project, codebook):
    """The system killing a coding process (out of memory) ends the run with E277, not a run
    that waits forever; what was written stays, and the next run codes the rest."""
    import signal
    import threading
    import time

    import psutil

    from stancemap.corpus.cluster import EngineError

    config = Config()
    config.coding.processes = 2
    config.coding.batch_size = 8
    failed: list[BaseException] = []

    def run():
        try:
            code_project(project, config, codebook)
        except BaseException as err:  # noqa: BLE001 - handed to the test thread
            failed.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 300
    while not rows(project, coded_documents, "doc_id") and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = [child for child in psutil.Process().children()
               if "multiprocessing.spawn" in " ".join(child.cmdline())]
    assert workers, "no coding process found"
    workers[0].send_signal(signal.SIGKILL)
    thread.join(timeout=300)
    assert not thread.is_alive(), "the run waited on a dead worker"
    assert len(failed) == 1 and isinstance(failed[0], EngineError), failed
    assert "A coding process stopped before finishing its batch" in str(failed[0])
    written = len(rows(project, coded_documents, "doc_id"))
    assert 0 < written < 11
    config.coding.processes = 1
    assert code_project(project, config, codebook).documents == 11 - written


def test_coding_after_a_killed_code_run_says_so(project, coder, codebook):
    """A `code` killed with SIGKILL leaves its run `running`; the next one marks it interrupted
    and says so, as ingest does."""
    from stancemap.corpus.store import runs

    store = Store(project, create=False)
    with store.engine.begin() as conn:
        conn.execute(runs.insert().values(run_id="killed-code", command="code", status="running",
                                          started_at="2026-12-01T10:00:00+00:00", manifest={}))
    store.dispose()
    report = code_project(project, Config(), codebook, coder=coder)
    assert report.warnings == ["run killed-code (code, started 2026-12-01T10:00:00+00:00) was "
                               "interrupted; what it finished is kept"]
    assert report.to_json()["warnings"] == report.warnings
