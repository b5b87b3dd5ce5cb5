"""Human codes follow their passage to a file's new version (real subprocesses): append a
paragraph, re-run, and the unchanged passages still carry the coder's values; a changed
passage's codes stay on the old version and are listed for re-review."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT

PARAGRAPHS = [
    "Kazakhstan welcomed the new railway built with China. Officials said it was a great success "
    "and would bring many good jobs.",
    "Farmers near the border complained that Chinese loans left Kyrgyzstan with heavy debt and "
    "damaged the local economy.",
    "The Uzbek delegation discussed customs procedures with Chinese partners at the meeting.",
]


def stancemap(*args):
    done = subprocess.run([sys.executable, "-m", "stancemap", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def opposite(value: str) -> str:
    return "negative" if value != "negative" else "positive"


@pytest.mark.slow
def test_codes_follow_unchanged_passages_and_changed_ones_are_listed(tmp_path):
    folder, project = tmp_path / "in", tmp_path / "p"
    folder.mkdir()
    source = folder / "interview.txt"
    source.write_text("\n\n".join(PARAGRAPHS) + "\n", encoding="utf-8")
    run = ("run", folder, "--project", project, "--no-topics", "-q")
    assert stancemap(*run).returncode == 0

    sheet = tmp_path / "review.csv"
    exported = stancemap("review", "export", "--project", project, "--dims", "sentiment",
                         "--sample", "10", "--out", sheet)
    assert exported.returncode == 0, exported.stderr
    table = pd.read_csv(sheet, keep_default_na=False)
    assert len(table) == 3
    table["coder_value"] = [opposite(v) for v in table.model_value]
    table.to_csv(sheet, index=False)
    imported = stancemap("review", "import", sheet, "--project", project, "--annotator", "aigerim")
    assert imported.returncode == 0, imported.stderr
    coder_says = dict(zip(table.text, table.coder_value))

    # a new paragraph at the end, the second one changed: a new version of the document
    changed = PARAGRAPHS[1].replace("heavy debt", "some debt")
    source.write_text("\n\n".join([PARAGRAPHS[0], changed, PARAGRAPHS[2],
                                   "A new paragraph about solar power in Tajikistan."]) + "\n",
                      encoding="utf-8")
    again = stancemap("ingest", folder, "--project", project, "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    (entry,) = report["files"]
    # per passage, the coder's value (corrected) and the model's value they rejected
    assert entry["human_codes_carried"] == 4 and entry["human_codes_need_review"] == 2
    assert any("need re-review" in w for w in report["warnings"])
    assert stancemap("code", "--project", project, "-q").returncode == 0

    out = tmp_path / "passages.csv"
    assert stancemap("export", "--project", project, "--level", "passages", "--out", out).returncode == 0
    passages = pd.read_csv(out, keep_default_na=False).set_index("text")
    for text in (PARAGRAPHS[0], PARAGRAPHS[2]):  # unchanged: the coder's value, as a human code
        assert passages.loc[text, "sentiment"] == coder_says[text]
        assert passages.loc[text, "sentiment_source"] == "human"
    assert passages.loc[changed, "sentiment_source"] != "human"  # a model code, awaiting review

    info = json.loads(stancemap("info", "--project", project, "--json").stdout)
    assert len(info["need_review"]) == 2
    assert {row["dimension"] for row in info["need_review"]} == {"sentiment"}
    assert {row["version"] for row in info["need_review"]} == {1}
    statuses = {row["status"]: row["value"] for row in info["need_review"]}
    assert statuses["corrected"] == coder_says[PARAGRAPHS[1]] and "rejected" in statuses
    shown = stancemap("info", "--project", project)
    assert "need" in shown.stdout and "re-review" in shown.stdout
