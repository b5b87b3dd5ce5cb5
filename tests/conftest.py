"""Shared fixtures: paths to tiny test files, the shared real-world test data, the examples."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from stancemap.corpus.ingest import ingest

from stancemap.config import Config

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
HOSTILE = SHARED / "testdata" / "hostile-inputs"
UNGDC = SHARED / "corpus-demo" / "ungdc"

# a skip on a developer's machine without it; in CI (which checks it out beside the repository)
# the tests run, and fail on the missing files
needs_shared = pytest.mark.skipif(
    not HOSTILE.is_dir() and not os.environ.get("CI"),
    reason=f"shared test data not found at {SHARED} (CI checks it out beside the repository)")


def invoke(*args):
    """Run the CLI in-process, as a user would type it."""
    from stancemap.cli.main import app
    from typer.testing import CliRunner

    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def ingest_folder(tmp_path):
    """Ingest a folder into a fresh project under tmp_path and return (report, project)."""

    def run(folder: Path, project: Path | None = None, **kwargs):
        project = project or tmp_path / "project"
        kwargs.setdefault("config", Config())
        return ingest(folder, project, **kwargs), project

    return run


@pytest.fixture(scope="session")
def codebook():
    from stancemap.annotations.codebook import load_codebook

    return load_codebook()


@pytest.fixture(scope="session")
def coder(codebook):
    """The real models (spaCy, natasha, MiniLM, VADER), loaded once for the whole session."""
    from stancemap.nlp.coder import Coder

    return Coder(codebook, Config())


@pytest.fixture(scope="session")
def code_texts(coder):
    """Code free-standing passages; returns, per text, {dimension: [codes]} and the mentions."""
    from stancemap.nlp.base import PassageInput

    def run(texts, langs=None, doc_meta=None):
        passages = [PassageInput(f"p{i}", "d", 0, text, (langs or ["en"] * len(texts))[i], {},
                                 doc_meta or {}, "other", None) for i, text in enumerate(texts)]
        result = coder.code_batch(passages)
        out = []
        for passage in passages:
            codes = {}
            for code in result.codes:
                if code["passage_id"] == passage.passage_id:
                    codes.setdefault(code["dimension"], []).append(code)
            mentions = [m for m in result.mentions if m["passage_id"] == passage.passage_id]
            out.append((codes, mentions))
        return out

    return run


@pytest.fixture(scope="session")
def coded_project(tmp_path_factory, coder, codebook):
    """The example corpus, ingested and coded once; tests that change it work on a copy."""
    from stancemap.nlp.pipeline import code_project

    project = tmp_path_factory.mktemp("coded") / "p"
    ingest(EXAMPLES / "corpus", project, manifest=EXAMPLES / "manifest.csv")
    code_project(project, Config(), codebook, coder=coder)
    return project


PG_URL = os.environ.get("STANCEMAP_TEST_PG")


def require_postgres() -> str:
    """The test server's URL; without one a skip on a developer's machine, a failure in CI."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("STANCEMAP_TEST_PG is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip("no PostgreSQL server: export STANCEMAP_TEST_PG=$(bash scripts/start-postgres.sh)")
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    """(project folder, database URL): SQLite in the folder, or a fresh PostgreSQL database
    on the server named by STANCEMAP_TEST_PG (CI starts one with scripts/start-postgres.sh)."""
    if request.param == "sqlite":
        yield tmp_path / "project", None
        return
    with fresh_pg_database() as url:
        yield tmp_path / "project", url


@contextmanager
def fresh_pg_database():
    """The URL of a new, empty database on the test server, dropped afterwards: no test sees
    another's tables (the suite runs on two workers)."""
    require_postgres()
    import uuid

    import sqlalchemy as sa

    name = f"stancemap_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def labelled_stance_project(root: Path, codebook, per_stance: int | None = None) -> Path:
    """tests/data/stance_labelled.csv (or its first `per_stance` rows of each stance) ingested
    as a survey under `root`, coded with the lexicon stance and sentiment methods, and the
    labels imported as one coder's decisions through the normal import path."""
    from stancemap.annotations.importer import import_decisions
    from stancemap.annotations.review import Decision
    from stancemap.corpus.store import Store
    from stancemap.nlp.pipeline import code_project

    folder = root / "in"
    folder.mkdir()
    if per_stance is None:
        shutil.copy(DATA / "stance_labelled.csv", folder)
    else:
        with (DATA / "stance_labelled.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with (folder / "stance_labelled.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(row for stance in ("favour", "against", "neutral")
                             for row in [r for r in rows if r["stance"] == stance][:per_stance])
    project = root / "p"
    ingest(folder, project, text_columns=["text"])
    lexicon = Config()
    lexicon.stance.methods = lexicon.sentiment.methods = {"*": "lexicon"}
    code_project(project, lexicon, codebook)
    store = Store(project)
    decisions = []
    for document in store.iter_documents():
        for passage in store.passages_of(document["doc_id"]):
            meta = passage["meta"]
            decisions.append(Decision(f"row {meta['row']}", passage["passage_id"], "stance",
                                      meta["target"], [meta["stance"]], None, None, "gold"))
    import_decisions(project, decisions, codebook, path="stance_labelled.csv")
    return project


@pytest.fixture(scope="session")
def labelled_project(tmp_path_factory, codebook):
    """The labelled stance set (tests/nlp/test_training.py describes it), coded with the lexicon
    methods and the labels imported as one coder's. Not the shipped models: their English heads
    learnt from 80 % of this set, so they are no unseen baseline on it."""
    return labelled_stance_project(tmp_path_factory.mktemp("labelled"), codebook)


@pytest.fixture
def project(coded_project, tmp_path):
    """A copy of the coded example project that a test may change."""
    import shutil

    copy = tmp_path / "p"
    shutil.copytree(coded_project, copy)
    return copy


def human_codes(project):
    """(passage, dimension, target, value, source, status) of every human code, sorted."""
    import sqlalchemy as sa
    from stancemap.corpus.store import Store, codes

    store = Store(project, create=False)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(codes.c.passage_id, codes.c.dimension, codes.c.target,
                                      codes.c.value, codes.c.source, codes.c.status)
                            .where(codes.c.source.like("human:%"))).all()
    store.dispose()
    return sorted(tuple(r) for r in rows)


@pytest.fixture(scope="session")
def ungdc_coded(tmp_path_factory, coder, codebook):
    """The UNGDC speeches ingested and coded with the default config once per session, and the
    ingestion report; tests copy the project (`ungdc_project`) so none sees another's writes."""
    from stancemap.nlp.pipeline import code_project

    if not UNGDC.is_dir():
        if os.environ.get("CI"):  # CI checks ../shared out beside the repository
            pytest.fail(f"UNGDC demo corpus not found at {UNGDC} in CI")
        pytest.skip(f"UNGDC demo corpus not found at {UNGDC}")
    project = tmp_path_factory.mktemp("ungdc") / "un"
    report = ingest(UNGDC, project, pattern="{country}_{session}_{year}.txt")
    code_project(project, Config(), codebook, coder=coder)
    return project, report


@pytest.fixture
def ungdc_project(ungdc_coded, tmp_path):
    import shutil

    project = tmp_path / "un"
    shutil.copytree(ungdc_coded[0], project)
    return project


BIASED_GOLD = ["against"] * 6 + ["favour"] * 3 + ["neutral"]  # 60 % against, net -0.3


def _biased_model(gold: str, key: str) -> str:
    """The model: against answers called favour 60 % of the time (by a hash, so fixed)."""
    if gold == "against" and int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 10 < 6:
        return "favour"
    return gold


@pytest.fixture(scope="session")
def biased_survey(tmp_path_factory):
    """A survey of 300 answers from 30 respondents with known gold stances toward China, coded
    by a deliberately biased "model" (it calls 60 % of the against answers favour): (project,
    gold stance by passage_id)."""
    from stancemap.corpus.store import Store

    root = tmp_path_factory.mktemp("validation")
    folder = root / "in"
    folder.mkdir()
    with (folder / "answers.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source_id", "source_country", "text"])
        for i in range(300):
            writer.writerow([f"a{i}", f"r{i // 10}", "KAZ" if i < 150 else "KGZ",
                             f"Answer {i}: what respondent {i // 10} thinks of China, number {i}."])
    project = root / "p"
    ingest(folder, project, text_columns=["text"])
    store = Store(project)
    gold = {}
    rows = []
    for document in store.iter_documents():
        for passage in store.passages_of(document["doc_id"]):
            number = int(passage["meta"]["row"])
            gold[passage["passage_id"]] = BIASED_GOLD[(number * 7) % 10]
            rows.append({"passage_id": passage["passage_id"], "doc_id": document["doc_id"],
                         "dimension": "stance", "target": "china",
                         "value": _biased_model(gold[passage["passage_id"]], passage["passage_id"]),
                         "score": 0.5, "source": "model:biased@1", "details": {}})
    run = store.begin_run("code", {})
    store.write_codes(run, "biased", sorted({r["doc_id"] for r in rows}), [], rows)
    store.finish_run(run, {}, {})
    store.dispose()
    return project, gold


def fill_review_csv(path: Path, gold: dict[str, str]) -> set[str]:
    """A coder who codes every item of a review CSV with its passage's gold value; returns the
    passages coded."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["coder_value"] = gold[row["passage_id"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return {row["passage_id"] for row in rows}
