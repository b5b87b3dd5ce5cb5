"""The review loop from the command line: run, hand out, take back, run again."""

import json

import pandas as pd
import pytest

from conftest import EXAMPLES, invoke


@pytest.mark.slow
def test_run_import_run_again_keeps_human_codes(tmp_path):
    project = tmp_path / "p"
    args = ("run", EXAMPLES / "corpus", "--project", project, "--manifest", EXAMPLES / "manifest.csv",
            "--no-topics", "--quiet")
    assert invoke(*args).exit_code == 0
    exported = invoke("review", "export", "--project", project, "--dims", "stance", "--sample", "4",
                      "--strategy", "uncertain", "--out", tmp_path / "r.csv")
    assert exported.exit_code == 0, exported.output
    table = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    table["coder_value"] = ["against" if v != "against" else "favour" for v in table.model_value]
    table.to_csv(tmp_path / "r.csv", index=False)
    imported = invoke("review", "import", tmp_path / "r.csv", "--project", project,
                      "--annotator", "aigerim", "--json")
    statuses = json.loads(imported.stdout)["statuses"]
    assert imported.exit_code == 0 and statuses == {"corrected": len(table), "rejected": len(table)}
    assert invoke(*args).exit_code == 0
    assert invoke("code", "--project", project, "--force", "--quiet").exit_code == 0
    passages = pd.read_csv(project / "exports" / "passages.csv").set_index("passage_id")
    for row in table.itertuples():
        assert passages.loc[row.passage_id, f"stance_{row.target}"] == row.coder_value
        assert passages.loc[row.passage_id, f"stance_{row.target}_source"] == "human"
    agreement = json.loads(invoke("review", "agreement", "--project", project, "--json").stdout)
    assert agreement[0]["vs_model"]["aigerim"] == {"kappa": agreement[0]["vs_model"]["aigerim"]["kappa"],
                                                   "percent": 0.0, "items": len(table)}
    bad = tmp_path / "bad.csv"
    table.assign(coder_value="maybe").to_csv(bad, index=False)
    refused = invoke("review", "import", bad, "--project", project, "--annotator", "x")
    assert refused.exit_code == 2 and "nothing was imported" in refused.output
    assert "Traceback" not in refused.output
