"""One writer at a time, with real processes: a second writer stops with a one-line message
naming the first (or waits with --wait), readers keep working, and a lock left by a killed
process is cleared and its run marked `interrupted`."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, fresh_pg_database

HOLD = """
import sys, time
from pathlib import Path
from stancemap.corpus.store import Store
store = Store(Path(sys.argv[1]), url=sys.argv[2] or None)
store.begin_run("ingest", {{}})
print("holding", flush=True)
time.sleep(float(sys.argv[3]))
{finish}
"""


def holder(project: Path, seconds: float, url: str = "", finish: bool = True) -> subprocess.Popen:
    """A process that begins a run (taking the lock), holds it, and finishes (or is killed)."""
    code = HOLD.format(finish="store.dispose()" if finish else "")
    process = subprocess.Popen([sys.executable, "-c", code, str(project), url, str(seconds)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "holding"
    return process


def stancemap(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "stancemap", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("China and Kazakhstan opened a railway.", encoding="utf-8")
    assert stancemap("ingest", folder, "--project", tmp_path / "p", "-q").returncode == 0
    return folder, tmp_path / "p"


def statuses(project: Path) -> list[str]:
    """Run statuses in the order the runs were written (two runs may start in the same second)."""
    with sqlite3.connect(project / "stancemap.db") as conn:
        return [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY rowid")]


def test_second_writer_stops_with_the_first_ones_name_and_readers_work(corpus):
    folder, project = corpus
    first = holder(project, 30)
    try:
        for args in (("ingest", folder, "--project", project), ("run", folder, "--project", project),
                     ("code", "--project", project)):
            second = stancemap(*args)
            lines = [line for line in second.stderr.splitlines() if line.strip()]
            assert second.returncode == 1 and "Traceback" not in second.stderr
            assert len(lines) == 1, second.stderr
            assert f"is being written by pid {first.pid} since " in lines[0]
            assert "(ingest); try again when it finishes" in lines[0]
        info = stancemap("info", "--project", project, "--json")
        assert info.returncode == 0 and json.loads(info.stdout)["documents"] == 1
        assert json.loads(info.stdout)["runs_by_status"] == {"completed": 1, "running": 1}
        export = stancemap("export", "--project", project, "--level", "passages", "--out",
                           project.parent / "x.csv")
        assert export.returncode == 0, export.stderr
        assert stancemap("check", "--project", project).returncode == 0
        assert stancemap("backup", "--project", project, "--out", project.parent / "b.db").returncode == 0
    finally:
        first.kill()
        first.wait()
    assert statuses(project)[-1] == "running"  # nothing the refused writers began


def test_wait_waits_for_the_writer_to_finish(corpus):
    folder, project = corpus
    first = holder(project, 3)
    started = time.monotonic()
    second = stancemap("ingest", folder, "--project", project, "--wait", "60", "-q")
    assert second.returncode == 0, second.stderr
    assert time.monotonic() - started > 1
    first.wait()
    assert statuses(project) == ["completed", "interrupted", "completed"]  # the holder never finished


def test_killed_writer_leaves_a_stale_lock_that_is_cleared(corpus):
    folder, project = corpus
    first = holder(project, 60, finish=False)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert json.loads((project / "stancemap.lock").read_text())["pid"] == first.pid  # left behind
    assert statuses(project)[-1] == "running"
    # a reader does not write, but it does not call a dead run running either
    info = stancemap("info", "--project", project, "--json")
    assert json.loads(info.stdout)["runs_by_status"] == {"completed": 1, "interrupted": 1}
    assert statuses(project)[-1] == "running"
    again = stancemap("ingest", folder, "--project", project, "--json")
    assert again.returncode == 0, again.stderr
    warnings = json.loads(again.stdout)["warnings"]
    assert any("was interrupted" in w for w in warnings), warnings
    assert statuses(project) == ["completed", "interrupted", "completed"]
    assert (project / "stancemap.lock").read_text() == ""  # released at the end


def test_postgres_projects_use_an_advisory_lock(tmp_path):
    with fresh_pg_database() as url:
        advisory_lock_case(tmp_path, url)


def advisory_lock_case(tmp_path, url):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("China and Kazakhstan opened a railway.", encoding="utf-8")
    project = tmp_path / "p"
    assert stancemap("ingest", folder, "--project", project, "--db", url, "-q").returncode == 0
    first = holder(project, 30, url=url)
    try:
        second = stancemap("ingest", folder, "--project", project, "--db", url)
        assert second.returncode == 1, second.stderr
        assert f"is being written by pid {first.pid} since" in second.stderr, second.stderr
        assert "(ingest)" in second.stderr and "Traceback" not in second.stderr
        info = stancemap("info", "--project", project, "--db", url, "--json")
        assert info.returncode == 0, info.stderr
        assert json.loads(info.stdout)["runs_by_status"] == {"completed": 1, "running": 1}
    finally:
        first.kill()
        first.wait()
    info = stancemap("info", "--project", project, "--db", url, "--json")
    assert json.loads(info.stdout)["runs_by_status"] == {"completed": 1, "interrupted": 1}
    # the server dropped the killed session's lock: the next writer goes ahead
    assert stancemap("ingest", folder, "--project", project, "--db", url, "-q").returncode == 0
