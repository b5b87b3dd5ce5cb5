"""Kill an ingest with SIGKILL halfway, run it again: the store equals an uninterrupted run."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import EXAMPLES, ROOT

TOPICS = ["railway", "pipeline", "customs", "grain", "loans", "students", "solar", "highway"]
COUNTRIES = ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan", "China"]


def make_corpus(folder, count):
    folder.mkdir()
    for i in range(count):
        country, topic = COUNTRIES[i % 6], TOPICS[i % 8]
        paragraphs = [f"Report {i}: {country} and the {topic} question, part {j}. "
                      f"Officials in {country} said the {topic} project number {i * 7 + j} "
                      f"would bring jobs, while critics pointed to debt and dependence." for j in range(6)]
        (folder / f"doc_{i:04d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    for name in ("policy/digital_silk_road_brief.pdf", "survey/stakeholder_survey_2024.csv"):
        (folder / name.split("/")[1]).write_bytes((EXAMPLES / "corpus" / name).read_bytes())


def ingest_cmd(folder, project):
    return [sys.executable, "-m", "stancemap", "ingest", str(folder), "--project", str(project), "-q"]


def snapshot(project):
    with sqlite3.connect(project / "stancemap.db") as conn:
        docs = conn.execute("SELECT doc_id, source_path, source_sha256, version, kind, lang, text, "
                            "pages, meta, retired_at IS NULL FROM documents ORDER BY doc_id").fetchall()
        passages = conn.execute('SELECT passage_id, doc_id, seq, start, "end", text, speaker, lang '
                                "FROM passages ORDER BY passage_id").fetchall()
        files = conn.execute("SELECT path, sha256, status, reason, doc_ids FROM files "
                             "ORDER BY path").fetchall()
    return docs, passages, files


def committed_files(project):
    try:
        # read-only: a plain connect would create an empty stancemap.db, which stancemap refuses
        with sqlite3.connect(f"file:{project / 'stancemap.db'}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM files").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_sigkill_then_rerun_equals_clean_run(tmp_path):
    total = 400
    folder = tmp_path / "corpus"
    make_corpus(folder, total)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    interrupted = tmp_path / "interrupted"
    process = subprocess.Popen(ingest_cmd(folder, interrupted), cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while committed_files(interrupted) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_at_kill = committed_files(interrupted)
    assert 20 <= done_at_kill < total + 2, "the kill did not land mid-run; the test proves nothing"

    rerun = subprocess.run(ingest_cmd(folder, interrupted), cwd=ROOT, env=env, capture_output=True)
    assert rerun.returncode == 0, rerun.stderr
    clean = tmp_path / "clean"
    subprocess.run(ingest_cmd(folder, clean), cwd=ROOT, env=env, check=True, capture_output=True)

    docs_a, passages_a, files_a = snapshot(interrupted)
    docs_b, passages_b, files_b = snapshot(clean)
    assert len(docs_b) == total + 2 and len(passages_b) == total * 6 + 5 + 15
    assert docs_a == docs_b
    assert passages_a == passages_b
    assert [f[:3] for f in files_a] == [f[:3] for f in files_b]
