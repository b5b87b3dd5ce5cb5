"""`stancemap backup` and `stancemap check` through the CLI: a consistent copy taken while an
ingest writes, restored and checked; damage of each kind found and named."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import ROOT, fresh_pg_database


def stancemap(*args):
    done = subprocess.run([sys.executable, "-m", "stancemap", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def make_corpus(folder, count):
    folder.mkdir()
    for i in range(count):
        (folder / f"doc{i:03d}.txt").write_text(
            "\n\n".join(f"Report {i}, part {j}: Kazakhstan and China discussed project {i * 10 + j}."
                        for j in range(5)), encoding="utf-8")


def logged_files(project) -> int:
    try:  # read-only: a plain connect would create an empty stancemap.db
        with sqlite3.connect(f"file:{project / 'stancemap.db'}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM file_events").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.fixture
def project(tmp_path):
    make_corpus(tmp_path / "in", 5)
    assert stancemap("ingest", tmp_path / "in", "--project", tmp_path / "p", "-q").returncode == 0
    return tmp_path / "p"


def checks(project) -> dict:
    done = stancemap("check", "--project", project, "--json")
    report = json.loads(done.stdout)
    assert done.returncode == (0 if report["ok"] else 1)
    return {c["name"]: c for c in report["checks"]}


@pytest.mark.slow
def test_backup_while_ingest_writes_then_restore(tmp_path):
    make_corpus(tmp_path / "in", 300)
    project = tmp_path / "p"
    writer = subprocess.Popen([sys.executable, "-m", "stancemap", "ingest", str(tmp_path / "in"),
                               "--project", str(project), "-q"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while logged_files(project) < 10 and writer.poll() is None:
        time.sleep(0.05)
    copy = stancemap("backup", "--project", project, "--out", tmp_path / "mid.db", "--json")
    writing_meanwhile = writer.poll() is None
    assert copy.returncode == 0, copy.stderr
    assert writer.wait(timeout=300) == 0, writer.stderr.read()
    with sqlite3.connect(tmp_path / "mid.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        logged = conn.execute("SELECT count(*) FROM file_events").fetchone()[0]
    assert documents == logged  # a snapshot between files, never inside one
    if writing_meanwhile:
        assert 0 < documents < 300
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(tmp_path / "mid.db", restored / "stancemap.db")
    assert all(c["ok"] for c in checks(restored).values())
    again = stancemap("ingest", tmp_path / "in", "--project", restored, "--json")  # completes it
    assert again.returncode == 0 and json.loads(again.stdout)["counts"]["unchanged"] == documents


def test_backup_refuses_to_overwrite_and_names_pg_dump(project, tmp_path):
    assert stancemap("backup", "--project", project, "--out", tmp_path / "b.db").returncode == 0
    again = stancemap("backup", "--project", project, "--out", tmp_path / "b.db")
    assert again.returncode == 2 and "never overwrites" in again.stderr
    missing = stancemap("backup", "--project", project, "--out", tmp_path / "no" / "b.db")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_backup_of_a_postgresql_project_names_pg_dump(tmp_path):
    make_corpus(tmp_path / "in", 2)
    with fresh_pg_database() as url:
        assert stancemap("ingest", tmp_path / "in", "--project", tmp_path / "p", "--db", url,
                         "-q").returncode == 0
        pg = stancemap("backup", "--project", tmp_path / "p", "--db", url, "--out", tmp_path / "pg.dump")
        assert pg.returncode == 2 and "pg_dump --format=custom" in pg.stderr, pg.stderr


def test_check_finds_orphans_and_broken_offsets(project):
    assert all(c["ok"] and not c["problems"] for c in checks(project).values())
    with sqlite3.connect(project / "stancemap.db") as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        passage_id, doc_id = conn.execute("SELECT passage_id, doc_id FROM passages LIMIT 1").fetchone()
        conn.execute('UPDATE passages SET "end" = "end" + 3 WHERE passage_id = ?', (passage_id,))
        conn.execute("INSERT INTO codes (passage_id, doc_id, dimension, target, value, source, status, "
                     "details, created_at, updated_at) VALUES ('ghost', ?, 'sentiment', '', 'negative',"
                     " 'human:a', 'corrected', '{}', 'now', 'now')", (doc_id,))
        conn.execute("INSERT INTO passages (passage_id, doc_id, seq, start, \"end\", text, meta) "
                     "VALUES ('stray', 'nowhere', 0, 0, 1, 'x', '{}')")
    found = checks(project)
    assert not found["passage offsets"]["ok"] and passage_id in found["passage offsets"]["examples"][0]
    assert not found["codes"]["ok"] and "ghost" in found["codes"]["examples"][0]
    assert not found["passages"]["ok"] and "stray" in found["passages"]["examples"][0]
    assert found["integrity"]["ok"] and not found["foreign keys"]["ok"]
    shown = stancemap("check", "--project", project)
    assert shown.returncode == 1 and "PROBLEMS FOUND" in shown.stdout


def test_check_names_a_missing_table_and_column_and_commands_name_it_too(project):
    conn = sqlite3.connect(project / "stancemap.db")
    conn.execute("DROP TABLE mentions")
    conn.execute("ALTER TABLE passages DROP COLUMN role")
    conn.commit()
    conn.close()
    found = checks(project)
    assert not found["schema"]["ok"]
    assert found["schema"]["examples"] == ["table mentions is missing",
                                           "column passages.role is missing"]
    assert "passage offsets" not in found  # not read further
    info = stancemap("info", "--project", project)
    assert info.returncode == 1 and "table mentions is missing" in info.stderr
