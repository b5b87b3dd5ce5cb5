"""The validation loop as a user types it: draw a sample, code it, import it, see it in `info`,
plan more, export a panel with corrected columns."""

import json
import shutil

import pandas as pd
import pytest

from conftest import fill_review_csv, invoke


@pytest.mark.slow
def test_validation_loop(biased_survey, tmp_path):
    source, gold = biased_survey
    project = tmp_path / "p"
    shutil.copytree(source, project)
    first = invoke("info", "--project", project)
    assert "No validation sample" in first.output
    planned = invoke("review", "plan", "--project", project, "--width", "0.3", "--by", "source_country",
                     "--json")
    assert planned.exit_code == 0, planned.output
    prior = json.loads(planned.output)
    assert prior["prior"] and prior["per_cell"] == 171  # (2 x 1.96)^2 x 1 / 0.3^2, rounded up

    out = tmp_path / "gold.csv"
    drawn = invoke("review", "export", "--project", project, "--dims", "stance", "--validation", "60",
                   "--strata", "source_country", "--out", out)
    assert drawn.exit_code == 0, drawn.output
    assert "60 items of validation sample 'validation'" in drawn.output
    again = invoke("review", "export", "--project", project, "--dims", "stance", "--validation", "60",
                   "--out", tmp_path / "again.csv")
    assert again.exit_code != 0 and "strata" in again.output  # same sample, other strata: refused
    mixed = invoke("review", "export", "--project", project, "--dims", "stance", "--validation", "60",
                   "--strata", "source_country", "--strategy", "uncertain", "--out", tmp_path / "x.csv")
    assert mixed.exit_code != 0 and "active-learning" in mixed.output

    fill_review_csv(out, gold)
    imported = invoke("review", "import", out, "--project", project, "--annotator", "coder")
    assert imported.exit_code == 0, imported.output
    assert "60 decision(s) on passages of a validation sample" in imported.output
    info = json.loads(invoke("info", "--project", project, "--json").output)
    assert info["validation"]["dimensions"]["stance_china"] == {"model_coded": 60, "coders_coded": 60}

    planned = json.loads(invoke("review", "plan", "--project", project, "--width", "0.3",
                                "--by", "source_country", "--json").output)
    assert not planned["prior"] and planned["measured_on"] == 60
    assert planned["per_cell"] < prior["per_cell"]

    panel_file = tmp_path / "panel.csv"
    exported = invoke("export", "--project", project, "--level", "panel", "--by", "source_country",
                      "--out", panel_file)
    assert exported.exit_code == 0, exported.output
    panel = pd.read_csv(panel_file)
    assert list(panel["st_china_n_validated"]) == [30, 30]
    assert panel["st_china_ag_ppi"].notna().all()
