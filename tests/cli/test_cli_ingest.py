"""The command line as a user meets it: exit codes, JSON, one-line errors, help."""

import json
import subprocess
import sys


from conftest import DATA, EXAMPLES, ROOT, invoke


def test_json_summary_and_exit_zero(tmp_path):
    result = invoke("ingest", EXAMPLES / "corpus", "--project", tmp_path / "p", "--manifest",
                    EXAMPLES / "manifest.csv", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) >= {"files", "counts", "run_id"}
    assert payload["counts"]["files"] == 9 and payload["counts"]["near_duplicate"] == 1
    first = payload["files"][0]
    assert set(first) >= {"path", "status", "reason", "doc_id"}


def test_excluded_and_unmatched_files_are_named(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "KAZ_70_2015.txt").write_text("Kazakhstan and China signed a rail agreement.", "utf-8")
    (folder / "notes_2015.txt").write_text("Loose notes about the Caspian ports.", "utf-8")
    (folder / "README.txt").write_text("What this folder holds.", "utf-8")
    pattern = "{country}_{session}_{year}.txt"
    payload = json.loads(invoke("ingest", folder, "--project", tmp_path / "p", "--pattern", pattern,
                                "--json").stdout)
    assert payload["excluded"] == [{"path": "README.txt", "rule": "/README*"}]
    assert payload["unmatched_pattern"] == ["notes_2015.txt"]
    shown = " ".join(invoke("ingest", folder, "--project", tmp_path / "q", "--pattern", pattern).output.split())
    assert "README.txt (/README*)" in shown and "got no metadata from it: notes_2015.txt" in shown


def test_exit_three_when_a_file_fails(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Astana and Beijing signed a transport agreement.", "utf-8")
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (folder / "empty.txt").write_bytes(b"")
    result = invoke("ingest", folder, "--project", tmp_path / "p", "--json")
    assert result.exit_code == 3
    statuses = {f["path"]: (f["status"], f["reason"]) for f in json.loads(result.stdout)["files"]}
    assert statuses["scan.png"] == ("failed", "image cannot be read: truncated or corrupt")
    assert statuses["empty.txt"] == ("skipped", "empty file (0 bytes)")
    assert statuses["good.txt"][0] == "ingested"


def test_summary_table_names_problem_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "ok.txt").write_text("Dushanbe and Urumqi.", "utf-8")
    result = invoke("ingest", folder, "--project", tmp_path / "p")
    assert result.exit_code == 3
    assert "empty.txt" in result.output and "Ingest summary" in result.output


def test_usage_errors_are_one_line_exit_two(tmp_path):
    cases = [
        (["ingest", tmp_path / "missing", "--project", tmp_path / "p"], "Folder not found"),
        (["ingest", DATA, "--project", tmp_path / "p", "--manifest", tmp_path / "none.csv"],
         "Manifest not found"),
        (["ingest", DATA, "--project", tmp_path / "p", "--pattern", "{country/*"], "Bad --pattern"),
        (["ingest", DATA, "--project", DATA], "the input folder itself"),
    ]
    for args, message in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output
        assert "Traceback" not in result.output


def test_bad_config_names_the_key(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[ingest]\nmax_file_mb = -1\nunknown = 3\n", encoding="utf-8")
    result = invoke("ingest", DATA, "--project", tmp_path / "p", "--config", config)
    assert result.exit_code == 2
    assert "ingest.max_file_mb" in result.output and "ingest.unknown" in result.output


def test_new_project_gets_a_config_file_that_loads_back(tmp_path):
    assert invoke("ingest", DATA, "--project", tmp_path / "p", "-q").exit_code in (0, 3)
    written = (tmp_path / "p" / "stancemap.toml").read_text("utf-8")
    assert "max_file_mb = 100.0" in written
    result = invoke("ingest", DATA, "--project", tmp_path / "p", "--json")
    files = json.loads(result.stdout)["files"]  # a file that failed is read again: not unchanged
    assert all(f["unchanged"] for f in files if f["status"] != "failed")
    assert sum(f["unchanged"] for f in files) > 10


def test_help_shows_examples_and_exit_codes():
    result = invoke("ingest", "--help")
    assert result.exit_code == 0
    assert "Examples" in result.output and "Exit codes" in result.output
    assert "--pattern" in result.output and "--text-columns" in result.output


def test_info_reports_counts(tmp_path):
    invoke("ingest", EXAMPLES / "corpus", "--project", tmp_path / "p", "-q")
    result = invoke("info", "--project", tmp_path / "p", "--json")
    info = json.loads(result.stdout)
    assert info["documents"] == 11 and info["kinds"]["survey"] == 2 and info["languages"]["ru"] == 1
    missing = invoke("info", "--project", tmp_path / "nope")
    assert missing.exit_code == 1 and "Project not found" in missing.output


def test_real_process_prints_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "stancemap", "ingest", str(tmp_path / "nope"),
                             "--project", str(tmp_path / "p")], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 2
    assert "Folder not found" in result.stderr and "Traceback" not in result.stderr
