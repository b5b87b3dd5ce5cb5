"""`run` goes through to its exports whatever ingest makes of a folder: every file status at
once, or a folder whose only entry is a link out of it (no passage at all)."""

import json
import os
import zipfile

import pandas as pd
import pytest

from conftest import invoke
from stancemap.corpus.ingest import STATUSES

TEXT = " ".join(f"Sentence {i}: China and Kazakhstan discussed the railway near Khorgos and "
                f"the customs rules for freight number {i}." for i in range(40))


def every_status(folder, outside):
    """A folder whose files end with each status ingest can give."""
    folder.mkdir()
    outside.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b_copy.txt").write_text(TEXT, encoding="utf-8")  # duplicate
    (folder / "c_near.txt").write_text(TEXT.replace("number 7.", "number seven."), encoding="utf-8")
    (folder / "d_empty.txt").write_bytes(b"")  # skipped
    (folder / "e_broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n" + os.urandom(200))
    with zipfile.ZipFile(folder / "f.zip", "w") as archive:  # unsupported: unpack it first
        archive.writestr("inside.txt", TEXT)
    (outside / "secret.txt").write_text("Not part of the corpus.", encoding="utf-8")
    os.symlink(outside / "secret.txt", folder / "g_outside.txt")  # skipped


@pytest.mark.slow
def test_run_survives_every_ingest_status(tmp_path):
    every_status(tmp_path / "in", tmp_path / "out")
    result = invoke("run", tmp_path / "in", "--project", tmp_path / "p", "--no-topics", "--json")
    assert result.exit_code == 3, result.output  # some files were not read; the rest is coded
    summary = json.loads(result.stdout)
    statuses = {f["path"]: f["status"] for f in summary["ingest"]["files"]}
    assert set(statuses.values()) == set(STATUSES), statuses
    assert statuses["g_outside.txt"] == "skipped"
    panel = pd.read_csv(tmp_path / "p" / "exports" / "panel_source_country_year.csv")
    assert panel["n_passages"].sum() > 0


@pytest.mark.slow
def test_run_on_a_folder_of_one_outside_link_writes_empty_exports(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.txt").write_text(TEXT, encoding="utf-8")
    os.symlink(tmp_path / "out" / "a.txt", tmp_path / "in" / "link.txt")
    result = invoke("run", tmp_path / "in", "--project", tmp_path / "p", "--no-topics", "--json")
    assert result.exit_code == 3, result.output  # was: KeyError 'source_country', exit 1
    summary = json.loads(result.stdout)
    assert [f["status"] for f in summary["ingest"]["files"]] == ["skipped"]
    passages = pd.read_csv(tmp_path / "p" / "exports" / "passages.csv")
    assert passages.empty and {"passage_id", "source_country", "text"} <= set(passages.columns)
