"""The whole batch from the command line, as a user runs it."""

import json

import pandas as pd
import pytest
import yaml

from conftest import EXAMPLES, UNGDC, invoke, needs_shared


@pytest.mark.slow
def test_run_then_code_topics_export_merge(tmp_path):
    project = tmp_path / "p"
    result = invoke("run", EXAMPLES / "corpus", "--project", project, "--manifest",
                    EXAMPLES / "manifest.csv", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ingest"]["counts"]["ingested"] == 8 and summary["code"]["documents"] == 11
    assert summary["topics"]["num_topics"] >= 2
    for name in ("passages.csv", "codes.csv", "panel_source_country_year.csv"):
        assert (project / "exports" / name).exists()
        assert (project / "exports" / f"{name}.dictionary.csv").exists()
    again = json.loads(invoke("code", "--project", project, "--json").stdout)
    assert again["documents"] == 0 and again["skipped_documents"] == 11
    topics = json.loads(invoke("topics", "--project", project, "--json").stdout)
    assert topics["reused"] is True
    assert invoke("export", "--project", project, "--level", "topics", "--by", "source_country",
                  "--out", tmp_path / "t.csv").exit_code == 0
    prevalence = pd.read_csv(tmp_path / "t.csv")
    assert {"source_country", "topic", "share", "share_lo", "share_hi"} <= set(prevalence.columns)
    assert (prevalence.share_lo <= prevalence.share).all() and (prevalence.share <= prevalence.share_hi).all()
    data = tmp_path / "cy.csv"
    data.write_text("country,year,x\nKazakhstan,2024,1\nNarnia,2024,2\n", encoding="utf-8")
    merged = invoke("merge", data, "--project", project, "--out", tmp_path / "m.csv")
    assert merged.exit_code == 3 and "Narnia" in merged.output and "1 of 2 rows matched" in merged.output


def test_codebook_commands(tmp_path):
    shown = invoke("codebook", "show")
    assert shown.exit_code == 0 and yaml.safe_load(shown.stdout)["name"] == "china-central-asia"
    missing = invoke("codebook", "validate", tmp_path / "none.yaml")
    assert missing.exit_code == 2 and "Codebook not found" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nversion: '1'\ncountries:\n  KAZ: {name: Kazakhstan, iso2: kz}\n", "utf-8")
    result = invoke("codebook", "validate", bad)
    assert result.exit_code == 2 and "countries.KAZ.iso2" in result.output
    assert "Traceback" not in result.output
    good = tmp_path / "good.yaml"
    good.write_text("extends: default\nname: mine\nversion: '2'\n", "utf-8")
    ok = invoke("codebook", "validate", good)
    assert ok.exit_code == 0 and "valid" in ok.output and "mine" in ok.output


def test_code_on_a_missing_project_is_one_line(tmp_path):
    result = invoke("code", "--project", tmp_path / "nope")
    assert result.exit_code == 1 and "Project not found" in result.output
    assert "Traceback" not in result.output


def test_every_command_has_help_with_an_example():
    for command in (["run"], ["ingest"], ["code"], ["topics"], ["export"], ["merge"], ["info"], ["train"],
                    ["evaluate"], ["review", "export"], ["review", "import"], ["review", "agreement"],
                    ["review", "adjudicate"], ["codebook", "import-qdpx"],
                    ["codebook", "validate"], ["codebook", "show"], ["backup"], ["check"]):
        result = invoke(*command, "--help")
        assert result.exit_code == 0 and "Example" in result.output, command


@needs_shared
@pytest.mark.slow
def test_ungdc_demo_panel_and_identical_rerun(tmp_path, ungdc_project):
    """`run` over the session's UNGDC project (ingested and coded with the default config, as
    `run` would): it finds nothing to ingest or code again, adds the topics, and its panel
    and a rerun's are identical. Coding the corpus a second time here proved nothing more."""
    project = ungdc_project
    pattern = "{country}_{session}_{year}.txt"
    first = invoke("run", UNGDC, "--project", project, "--pattern", pattern, "--json")
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["code"]["documents"] == 0 and summary["topics"]["reused"] is False
    assert invoke("export", "--project", project, "--level", "panel",
                  "--out", tmp_path / "panel1.csv").exit_code == 0
    panel = pd.read_csv(tmp_path / "panel1.csv")
    assert set(panel.source_country) == {"CHN", "KAZ", "KGZ", "TJK", "TKM", "UZB"}
    assert set(panel.year.astype(int)) == set(range(2013, 2019)) and len(panel) == 35
    second = invoke("run", UNGDC, "--project", project, "--pattern", pattern, "--json")
    summary = json.loads(second.stdout)
    assert summary["code"]["documents"] == 0 and summary["topics"]["reused"] is True
    assert all(f["unchanged"] for f in summary["ingest"]["files"])
    invoke("export", "--project", project, "--level", "panel", "--out", tmp_path / "panel2.csv")
    assert (tmp_path / "panel1.csv").read_bytes() == (tmp_path / "panel2.csv").read_bytes()


@needs_shared
def test_codebook_import_qdpx(tmp_path):
    from conftest import SHARED

    qdpx = SHARED / "testdata" / "annotation-formats" / "refi_qda"
    result = invoke("codebook", "import-qdpx", qdpx / "target-atlas-project.qdpx", "--out",
                    tmp_path / "cb.yaml", "--dimension", "commits")
    assert result.exit_code == 0 and "dimension 'commits' with 3 codes" in " ".join(result.output.split())
    assert invoke("codebook", "validate", tmp_path / "cb.yaml").exit_code == 0
    blank = invoke("codebook", "import-qdpx", qdpx / "blank-atlas-project.qdpx", "--out", tmp_path / "b.yaml")
    assert blank.exit_code == 0 and "holds no codes" in " ".join(blank.output.split())
    assert not (tmp_path / "b.yaml").exists()
    missing = invoke("codebook", "import-qdpx", tmp_path / "none.qdpx", "--out", tmp_path / "c.yaml")
    assert missing.exit_code == 2 and "Traceback" not in missing.output
