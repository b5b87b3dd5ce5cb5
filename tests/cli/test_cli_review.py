"""The review loop from the command line: run, hand out, take back, run again."""

import json

import pandas as pd
import pytest

from conftest import EXAMPLES, invoke


@pytest.mark.slow
def test_run_import_run_again_keeps_human_codes(project, tmp_path):
    """On a copy of the session's coded example project: the first `run` finds it current."""
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


def _decide(project, codebook, coders):
    """Store decisions: {coder: {(passage_id, target): value}} on stance items."""
    from stancemap.annotations.importer import import_decisions
    from stancemap.annotations.review import Decision

    decisions = [Decision(f"row {n}", pid, "stance", target, [value], None, None, coder)
                 for coder, labels in coders.items() for n, ((pid, target), value) in enumerate(labels.items())]
    import_decisions(project, decisions, codebook, path="test")


def test_agreement_on_degenerate_tables_exits_0_with_a_sentence(coded_project, codebook, tmp_path):
    import shutil

    from stancemap.annotations.review import collect_items
    from stancemap.corpus.store import Store

    project = tmp_path / "p"
    shutil.copytree(coded_project, project)
    store = Store(project, create=False)
    items = [i for i in collect_items(store, ["stance"], codebook)][:3]
    store.dispose()
    keys = [(i.passage_id, i.target) for i in items]
    _decide(project, codebook, {"a": {keys[0]: "favour", keys[1]: "against"}})
    one = invoke("review", "agreement", "--project", project)
    assert one.exit_code == 0 and "only one coder (a, 2 item(s))" in " ".join(one.output.split())
    assert json.loads(invoke("review", "agreement", "--project", project, "--json").stdout)[0][
        "krippendorff_alpha_note"].startswith("one coder only")
    _decide(project, codebook, {"b": {keys[0]: "favour"}})  # one shared item, the same label
    shared = invoke("review", "agreement", "--project", project)
    text = " ".join(shared.output.split())
    assert shared.exit_code == 0 and "Traceback" not in shared.output
    assert "Krippendorff's alpha is not defined (every rating on the 1 shared item(s) is 'favour'" in text
    result = json.loads(invoke("review", "agreement", "--project", project, "--json").stdout)[0]
    assert result["percent_agreement"] == 1.0 and result["percent_items"] == 1
    assert result["krippendorff_alpha"] is None and result["cohen_kappa"]["a~b"]["kappa"] is None
    _decide(project, codebook, {"b": {keys[0]: "favour", keys[1]: "against"}})  # perfect agreement
    result = json.loads(invoke("review", "agreement", "--project", project, "--json").stdout)[0]
    assert result["krippendorff_alpha"] == 1.0 and result["cohen_kappa"]["a~b"]["kappa"] == 1.0
