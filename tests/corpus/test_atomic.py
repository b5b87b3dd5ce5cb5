"""Files appear whole or not at all: a write that fails or is killed leaves the previous file
(and its sidecars) as they were, under the final name."""

import os
import signal
import subprocess
import sys

import pandas as pd
import pytest

from stancemap.corpus.atomic import replacing, write_text
from stancemap.datasets import writers


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def test_a_failed_write_keeps_the_old_files_and_leaves_no_partial(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "a.csv.manifest.json"
    write_text(first, "old data\n")
    write_text(second, "{}\n")
    with pytest.raises(RuntimeError):
        with replacing(first, second) as (part, part2):
            part.write_text("new data, half written")
            part2.write_text('{"new": true}')
            raise RuntimeError("the disk filled up")
    assert first.read_text() == "old data\n" and second.read_text() == "{}\n"
    assert leftovers(tmp_path) == []
    with replacing(first, second) as (part, part2):
        part.write_text("new data\n")
        part2.write_text('{"new": true}\n')
    assert first.read_text() == "new data\n" and second.read_text() == '{"new": true}\n'
    assert leftovers(tmp_path) == []


def test_a_killed_writer_leaves_the_old_file_under_its_name(tmp_path):
    target = tmp_path / "panel.csv"
    target.write_text("the good export\n")
    code = ("import sys, time\nfrom pathlib import Path\nfrom stancemap.corpus.atomic import replacing\n"
            f"with replacing(Path({str(target)!r})) as (part,):\n"
            "    with part.open('w') as handle:\n"
            "        handle.write('half of a new export'); handle.flush()\n"
            "        print('writing', flush=True); time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert target.read_text() == "the good export\n"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "dta", "parquet"])
def test_an_export_that_fails_midway_keeps_the_previous_export(tmp_path, monkeypatch, fmt):
    table = pd.DataFrame({"country": ["KAZ", "UZB"], "n": [3, 4]})
    dictionary = [{"column": "country", "meaning": "country", "type": "string", "allowed_values": ""},
                  {"column": "n", "meaning": "passages", "type": "integer", "allowed_values": ""}]
    out = tmp_path / f"panel.{fmt}"
    written = writers.write_table(table, out, fmt, dictionary, {"project": "p"})
    before = {p: p.read_bytes() for p in written}

    def dies_midway(frame, path, *args, **kwargs):
        path.write_bytes(b"PK\x03\x04 the first bytes of a file")
        raise KeyboardInterrupt  # Ctrl-C halfway through
    monkeypatch.setattr(pd.DataFrame, "to_csv", dies_midway)
    monkeypatch.setattr(pd.DataFrame, "to_stata", dies_midway)
    monkeypatch.setattr(writers, "_write_xlsx", dies_midway)
    monkeypatch.setattr(writers, "_write_parquet", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        writers.write_table(table.iloc[:1], out, fmt, dictionary, {"project": "p"})
    assert {p: p.read_bytes() for p in written} == before
    assert leftovers(tmp_path) == []
