"""Store and environment faults through the real CLI (subprocesses): every case ends with
one line on stderr naming the cause and the fix, the documented exit code, no traceback."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


TEXT = "The railway from China to Kazakhstan opened in 2023. Officials praised it.\n"


def stancemap(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "STANCEMAP_DB": ""}
    env.pop("STANCEMAP_DB")
    return subprocess.run([sys.executable, "-m", "stancemap", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A folder with one input file and an ingested project, copied by the cases."""
    root = tmp_path_factory.mktemp("faults")
    (root / "in").mkdir()
    (root / "in" / "a.txt").write_text(TEXT, encoding="utf-8")
    done = stancemap("ingest", "in", "--project", "good", "-q", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def project_copy(tmp: Path, base: Path, name: str) -> Path:
    shutil.copytree(base / "good", tmp / name)
    return tmp / name


def corrupt(tmp, base):
    (project_copy(tmp, base, "p") / "stancemap.db").write_bytes(os.urandom(8192))


def truncated(tmp, base):
    db = project_copy(tmp, base, "p") / "stancemap.db"
    with db.open("r+b") as handle:
        handle.truncate(db.stat().st_size // 2)


def zero_bytes(tmp, base):
    (project_copy(tmp, base, "p") / "stancemap.db").write_bytes(b"")


def foreign(tmp, base):
    (tmp / "p").mkdir()
    with sqlite3.connect(tmp / "p" / "stancemap.db") as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")


def a_file(tmp, base):
    (tmp / "p").write_text("not a folder")


def binary(name):
    def make(tmp, base):
        (tmp / name).write_bytes(b"\x00\xff\xfe\x89binary" + os.urandom(512))
    return make


def binary_project_config(tmp, base):
    (project_copy(tmp, base, "p") / "stancemap.toml").write_bytes(b"seed = 1\n\xff\xfe\x00")


def review_folder(tmp, base):
    project_copy(tmp, base, "p")
    (tmp / "labels").mkdir()


def nothing(tmp, base):
    project_copy(tmp, base, "p")


def dropped_table(tmp, base):
    conn = sqlite3.connect(project_copy(tmp, base, "p") / "stancemap.db")
    conn.execute("DROP TABLE codes")
    conn.commit()
    conn.close()  # its write-ahead log folded into the file


def db_is_folder(tmp, base):
    (project_copy(tmp, base, "p") / "stancemap.db").unlink()
    (tmp / "p" / "stancemap.db").mkdir()


def config_is_folder(tmp, base):
    (project_copy(tmp, base, "p") / "stancemap.toml").unlink()
    (tmp / "p" / "stancemap.toml").mkdir()


def out_folder(tmp, base):
    project_copy(tmp, base, "p")
    (tmp / "exports").mkdir()


IN = "{base}/in"
CASES = [  # id, setup, arguments, exit code, words the message must hold
    ("corrupt-db", corrupt, ["info", "--project", "p"], 1, "backup"),
    ("corrupt-db-ingest", corrupt, ["ingest", IN, "--project", "p"], 1, "damaged"),
    ("truncated-db", truncated, ["export", "--project", "p", "--level", "passages", "--out", "x.csv"],
     1, "backup"),
    ("zero-byte-db", zero_bytes, ["ingest", IN, "--project", "p"], 1, "0 bytes"),
    ("foreign-db", foreign, ["info", "--project", "p"], 1,
     "not a stancemap project: it is another program's database (tables: invoices)"),
    ("dropped-table", dropped_table, ["info", "--project", "p"], 1, "table codes is missing"),
    ("dropped-table-export", dropped_table,
     ["export", "--project", "p", "--level", "codes", "--out", "x.csv"], 1, "table codes is missing"),
    ("db-is-folder", db_is_folder, ["info", "--project", "p"], 1, "is a folder, not the project's"),
    ("config-is-folder", config_is_folder, ["export", "--project", "p", "--out", "x.csv"], 2,
     "is a folder, not a TOML file"),
    ("export-out-folder", out_folder, ["export", "--project", "p", "--out", "exports"], 2,
     "--out exports is a folder"),
    ("export-out-no-suffix", nothing, ["export", "--project", "p", "--out", "exports"], 2,
     "has no file suffix"),
    ("export-by-on-codes", nothing,
     ["export", "--project", "p", "--level", "codes", "--by", "year", "--out", "c.csv"], 2,
     "--by year does not apply to --level codes"),
    ("key-without-pseudonymise", nothing,
     ["export", "--project", "p", "--out", "x.csv", "--pseudonym-key", "key.csv"], 2,
     "needs --pseudonymise"),
    ("review-key-without-pseudonymise", nothing,
     ["review", "export", "--project", "p", "--out", "r.csv", "--pseudonym-key", "key.csv"], 2,
     "needs --pseudonymise"),
    ("scheduler-not-a-url", nothing, ["code", "--project", "p", "--scheduler", "not a url"], 2,
     "is not a scheduler address"),
    ("review-annotator-empty", nothing,
     ["review", "import", "--project", "p", "x.csv", "--annotator", ""], 2, "--annotator is empty"),
    ("review-annotator-and-adjudicator", nothing,
     ["review", "import", "--project", "p", "x.csv", "--annotator", "a", "--adjudicator", "b"], 2,
     "not both"),
    ("project-is-file", a_file, ["ingest", IN, "--project", "p"], 2, "is a file"),
    ("project-under-file", a_file, ["run", IN, "--project", "p/sub"], 2, "is a file"),
    ("db-foo", nothing, ["info", "--project", "p", "--db", "foo://bar"], 2, "not supported"),
    ("db-notaurl", nothing, ["info", "--project", "p", "--db", "notaurl"], 2, "not a database URL"),
    ("db-mysql", nothing, ["ingest", IN, "--project", "p", "--db", "mysql://u:pw@localhost/db"], 2,
     "not supported"),
    ("db-sqlite-missing-folder", nothing,
     ["ingest", IN, "--project", "p", "--db", "sqlite:////no/such/folder/x.db"], 2, "does not exist"),
    ("db-pg-unreachable", nothing,
     ["ingest", IN, "--project", "p", "--db", "postgresql://nobody@127.0.0.1:9/x"], 1,
     "Cannot connect"),
    ("config-binary", binary("c.toml"), ["ingest", IN, "--project", "p", "--config", "c.toml"], 2,
     "not UTF-8"),
    ("project-config-binary", binary_project_config, ["code", "--project", "p"], 2, "not UTF-8"),
    ("codebook-binary", binary("cb.yaml"), ["run", IN, "--project", "p", "--codebook", "cb.yaml"],
     2, "not UTF-8"),
    ("manifest-binary", binary("m.csv"), ["ingest", IN, "--project", "p", "--manifest", "m.csv"], 2,
     "Manifest"),
    ("review-missing-file", nothing,
     ["review", "import", "--project", "p", "nope.csv", "--annotator", "a"], 2, "nope.csv"),
    ("review-folder", review_folder,
     ["review", "import", "--project", "p", "labels", "--annotator", "a"], 2, "labels"),
    ("model-pin-typo", nothing, ["code", "--project", "p", "--model-version", "stnace-tfidf-1"], 2,
     "stnace-tfidf-1"),
    ("model-folder-missing", nothing,
     ["code", "--project", "p", "--model-version", "../nowhere/stance-tfidf-1"], 2, "not found"),
]


def assert_one_line_error(result, code, words):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == code, result.stderr
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
    assert words in lines[0], lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("name,setup,args,code,words", CASES, ids=[c[0] for c in CASES])
def test_fault_is_one_line(base, tmp_path, name, setup, args, code, words):
    setup(tmp_path, base)
    before = snapshot(tmp_path)
    result = stancemap(*[a.format(base=base) for a in args], cwd=tmp_path)
    assert_one_line_error(result, code, words)
    assert snapshot(tmp_path) == before, "a refused command changed or wrote files"


def snapshot(folder: Path) -> dict:
    """Every file below `folder` with its bytes: nothing written, nothing changed (the lock file,
    SQLite's side files and the database's own bytes aside: a reader may remember settings)."""
    return {p.relative_to(folder).as_posix(): b"" if p.name == "stancemap.db" else p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-wal", "-shm", ".lock"))}


# read-only folders and a full disk need a file system of their own ---------------------------

def mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode:
        reason = (f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'}); the "
                  "read-only and disk-full cases need one")
        if os.environ.get("CI"):  # CI runs as root: a failed mount there is a broken runner
            pytest.fail(reason)
        pytest.skip(reason)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


@pytest.fixture
def tmpfs(tmp_path):
    mounted = []

    def make(name: str, size: str = "20m") -> Path:
        mount_tmpfs(tmp_path / name, size)
        mounted.append(tmp_path / name)
        return tmp_path / name

    yield make
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.slow
def test_read_only_folder_and_parent(base, tmp_path, tmpfs):
    disk = tmpfs("ro")
    shutil.copytree(base / "good", disk / "p")
    remount(disk, "ro")
    assert_one_line_error(stancemap("ingest", base / "in", "--project", disk / "p", cwd=tmp_path),
                          1, "read-only")
    assert_one_line_error(stancemap("run", base / "in", "--project", disk / "new", cwd=tmp_path),
                          1, "read-only")
    # readers still work on a read-only copy
    info = stancemap("info", "--project", disk / "p", "--json", cwd=tmp_path)
    assert info.returncode == 0 and '"documents": 1' in info.stdout, info.stderr
    export = stancemap("export", "--project", disk / "p", "--level", "passages", "--out",
                       tmp_path / "x.csv", cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    backup = stancemap("backup", "--project", disk / "p", "--out", tmp_path / "copy.db", cwd=tmp_path)
    assert backup.returncode == 0, backup.stderr
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


@pytest.mark.slow
def test_disk_full_rolls_back_and_project_is_usable_after(tmp_path, tmpfs):
    words = "railway pipeline customs grain loans students solar highway China Kazakhstan".split()
    folder = tmp_path / "big"
    folder.mkdir()
    for i in range(60):
        pick = random.Random(i).choice
        paragraphs = [" ".join(pick(words) for _ in range(150)) + "." for _ in range(30)]
        (folder / f"doc{i:03d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    disk = tmpfs("small", "2m")
    full = stancemap("ingest", folder, "--project", disk / "p", "-q", cwd=tmp_path)
    assert_one_line_error(full, 1, "No space left")
    check = stancemap("check", "--project", disk / "p", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr  # what is stored is whole
    remount(disk, "size=40m")  # space freed
    again = stancemap("ingest", folder, "--project", disk / "p", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["counts"]["ingested"] > 0
    with sqlite3.connect(disk / "p" / "stancemap.db") as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 60
        statuses = [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY started_at")]
    assert statuses == ["interrupted", "completed"]
    assert stancemap("check", "--project", disk / "p", cwd=tmp_path).returncode == 0


@pytest.mark.slow
def test_a_stopped_ingest_is_marked_interrupted_and_says_so(tmp_path):
    """SIGTERM (a scheduler's time limit, `kill`) mid-ingest of a big survey: one line, exit
    128+15, the run `interrupted` (never left `running`), the lock free for the next command."""
    import signal
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    with (folder / "survey.csv").open("w", encoding="utf-8") as handle:
        handle.write("respondent_id,answer\n")
        for number in range(300_000):
            handle.write(f"{number},The railway and the grain trade with China matter here {number}\n")
    (tmp_path / "slow.toml").write_text("[ingest]\ntimeout_s = 600\nmax_rows = 1000000\n")
    env = {k: v for k, v in os.environ.items() if k != "STANCEMAP_DB"}
    child = subprocess.Popen([sys.executable, "-m", "stancemap", "ingest", "in", "--project", "p",
                              "--config", "slow.toml", "-q"], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not running_runs(tmp_path / "p" / "stancemap.db"):
        time.sleep(0.2)
    assert running_runs(tmp_path / "p" / "stancemap.db") == 1, child.stderr.read() if child.poll() else ""
    time.sleep(1)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=120)
    result = subprocess.CompletedProcess(child.args, child.returncode, "", stderr)
    assert_one_line_error(result, 128 + signal.SIGTERM, "Stopped by SIGTERM")
    with sqlite3.connect(tmp_path / "p" / "stancemap.db") as conn:
        assert [s for (s,) in conn.execute("SELECT status FROM runs")] == ["interrupted"]
    again = stancemap("info", "--project", "p", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def running_runs(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0]
    except sqlite3.Error:  # the schema is being made
        return 0
