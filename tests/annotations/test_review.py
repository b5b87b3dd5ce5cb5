"""The review loop end to end on a coded project: every format round-trips, problems are
listed and nothing lands, re-imports change nothing, human codes win and survive re-coding."""

import json
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from conftest import ROOT, human_codes, needs_shared
from stancemap.annotations.agreement import agreement
from stancemap.annotations.review_project import export_adjudication, export_review, import_review
from stancemap.config import Config
from stancemap.datasets.tables import passage_table
from stancemap.corpus.store import Store
from stancemap.errors import ReviewError
from stancemap.nlp.pipeline import code_project

FORMATS = ROOT.parent / "shared" / "testdata" / "annotation-formats"




def flip(value, dimension="stance"):
    """A different label of the same dimension."""
    other = {"favour": "against", "against": "favour", "positive": "negative", "negative": "positive"}
    return other.get(value, "favour" if dimension == "stance" else "positive")


def test_csv_round_trip(project, codebook, tmp_path):
    out = tmp_path / "r.csv"
    export_review(project, out, codebook, dims=["stance"], sample=5, seed=1)
    table = pd.read_csv(out, keep_default_na=False)
    table["coder_value"] = [flip(v) for v in table.model_value]
    table.to_csv(out, index=False)
    report = import_review(project, out, codebook, annotator="aigerim")
    assert report.decisions == len(table) and report.statuses["corrected"] == len(table)
    found = {(p, t): v for p, d, t, v, s, st in human_codes(project) if st == "corrected"}
    for row in table.itertuples():
        assert found[(row.passage_id, row.target)] == row.coder_value


def test_xlsx_round_trip_with_dropdowns_and_locks(project, codebook, tmp_path):
    import openpyxl

    out = tmp_path / "r.xlsx"
    export_review(project, out, codebook, fmt="xlsx", dims=["sentiment", "sector"], sample=4)
    book = openpyxl.load_workbook(out)
    sheet = book["review"]
    assert sheet.protection.sheet is True
    header = [c.value for c in sheet[1]]
    coder = header.index("coder_value") + 1
    assert sheet.cell(2, coder).protection.locked is False
    assert sheet.cell(2, header.index("model_value") + 1).protection.locked is True
    assert any("allowed_values" in v.formula1 for v in sheet.data_validations.dataValidation)
    decided = 0
    for row in range(2, sheet.max_row + 1):
        dimension = sheet.cell(row, header.index("dimension") + 1).value
        model = sheet.cell(row, header.index("model_value") + 1).value or ""
        sheet.cell(row, coder).value = "none" if dimension == "sector" and not model else (
            model.split(";")[0] if dimension == "sector" else flip(model, dimension))
        decided += 1
    book.save(out)
    report = import_review(project, out, codebook, annotator="bolat")
    assert report.decisions == decided
    assert {"accepted", "corrected"} & set(report.statuses)


def test_labelstudio_round_trip(project, codebook, tmp_path):
    out = tmp_path / "tasks.json"
    written, _ = export_review(project, out, codebook, dims=["stance"], sample=3)
    config = written[1].read_text("utf-8")
    assert '<Choices name="stance"' in config and '<Choice value="favour"/>' in config
    tasks = json.loads(out.read_text("utf-8"))
    assert tasks[0]["predictions"][0]["model_version"].startswith("model:stance-default@")
    for task in tasks:
        model = task["predictions"][0]["result"][0]["value"]["choices"][0]
        task["annotations"] = [{"completed_by": 7, "result": [{
            "from_name": "stance", "to_name": "text", "type": "choices",
            "value": {"choices": [flip(model)]}}]}]
    out.write_text(json.dumps(tasks), encoding="utf-8")
    report = import_review(project, out, codebook, annotator="dana")
    assert report.decisions == len(tasks) and report.annotators == ["dana"]


def test_doccano_round_trip(project, codebook, tmp_path):
    out = tmp_path / "d.jsonl"
    export_review(project, out, codebook, dims=["sector"], sample=3)
    lines = [json.loads(l) for l in out.read_text("utf-8").splitlines()]
    for line in lines:
        line["label"] = ["security"]
    out.write_text("\n".join(json.dumps(l) for l in lines), encoding="utf-8")
    report = import_review(project, out, codebook, annotator="erlan")
    assert report.decisions == len(lines)
    chosen = {(p, v) for p, d, t, v, s, st in human_codes(project) if st in ("accepted", "corrected")}
    assert {v for _, v in chosen} == {"security"}


def test_problems_are_listed_and_nothing_lands(project, codebook, tmp_path):
    out = tmp_path / "r.csv"
    export_review(project, out, codebook, dims=["stance"], sample=4)
    table = pd.read_csv(out, keep_default_na=False)
    table["coder_value"] = "favour"
    table.loc[0, "coder_value"] = "in favour"
    table.loc[1, "passage_id"] = "ffffffffffffffff-00001"
    table.loc[1, "item_id"] = "ffffffffffffffff-00001|stance|china"
    table.loc[2, "text_sha"] = "0000000000000000"
    table.to_csv(out, index=False)
    with pytest.raises(ReviewError) as err:
        import_review(project, out, codebook, annotator="aigerim")
    message = str(err.value)
    assert "3 problem(s), nothing was imported" in message
    assert "row 2: unknown stance label(s) 'in favour'" in message
    assert "row 3: passage 'ffffffffffffffff-00001' is not in the project" in message
    assert "row 4: the text of passage" in message and "no longer matches" in message
    assert human_codes(project) == []


def test_reimport_changes_nothing(project, codebook, tmp_path):
    out = tmp_path / "r.csv"
    export_review(project, out, codebook, dims=["sentiment"], sample=5)
    table = pd.read_csv(out, keep_default_na=False)
    table["coder_value"] = "neutral"
    table.to_csv(out, index=False)
    import_review(project, out, codebook, annotator="aigerim")
    once = human_codes(project)
    import_review(project, out, codebook, annotator="aigerim")
    assert human_codes(project) == once and len(once) == len(table) + sum(
        v != "neutral" for v in table.model_value)


def test_human_codes_survive_recoding_and_win_in_exports(project, codebook, coder, tmp_path):
    out = tmp_path / "r.csv"
    export_review(project, out, codebook, dims=["stance"], sample=3)
    table = pd.read_csv(out, keep_default_na=False)
    table["coder_value"] = [flip(v) for v in table.model_value]
    table.to_csv(out, index=False)
    import_review(project, out, codebook, annotator="aigerim")
    before = human_codes(project)
    code_project(project, Config(), codebook, force=True, coder=coder)
    assert human_codes(project) == before
    passages = passage_table(Store(project), codebook).set_index("passage_id")
    for row in table.itertuples():
        assert passages.loc[row.passage_id, f"stance_{row.target}"] == row.coder_value
        assert passages.loc[row.passage_id, f"stance_{row.target}_source"] == "human"


def test_agreement_and_adjudication(project, codebook, tmp_path):
    out = tmp_path / "r.csv"
    export_review(project, out, codebook, dims=["stance"], sample=6, seed=3)
    table = pd.read_csv(out, keep_default_na=False)
    table["coder_value"] = table.model_value
    table.to_csv(tmp_path / "a.csv", index=False)
    table.loc[0, "coder_value"] = flip(table.loc[0, "model_value"])
    table.to_csv(tmp_path / "b.csv", index=False)
    import_review(project, tmp_path / "a.csv", codebook, annotator="a")
    import_review(project, tmp_path / "b.csv", codebook, annotator="b")
    (stance,) = agreement(project)
    result = stance.to_json()
    assert result["coders"] == ["a", "b"] and result["percent_items"] == len(table)
    assert result["percent_agreement"] == pytest.approx((len(table) - 1) / len(table), abs=1e-4)
    assert result["vs_model"]["a"]["percent"] == 1.0 and result["vs_model"]["a"]["items"] == len(table)
    written, count = export_adjudication(project, tmp_path / "adj.csv", codebook)
    assert count == 1
    adj = pd.read_csv(written[0], keep_default_na=False)
    assert "a=" in adj.other_coders[0] and "b=" in adj.other_coders[0]
    adj["coder_value"] = "neutral"
    adj.to_csv(tmp_path / "adj.csv", index=False)
    report = import_review(project, tmp_path / "adj.csv", codebook, adjudicator="lead")
    assert report.statuses == {"adjudicated": 1}
    row = passage_table(Store(project), codebook).set_index("passage_id").loc[adj.passage_id[0]]
    assert row[f"stance_{adj.target[0]}"] == "neutral"
    assert row[f"stance_{adj.target[0]}_source"] == "adjudicated"


@pytest.mark.slow
def test_two_imports_at_once_both_land(project, codebook, tmp_path):
    for name, sample_seed in (("x", 1), ("y", 2)):
        out = tmp_path / f"{name}.csv"
        export_review(project, out, codebook, dims=["sentiment", "sector"], seed=sample_seed)
        table = pd.read_csv(out, keep_default_na=False)
        table["coder_value"] = [v.split(";")[0] if v else "none" for v in table.model_value]
        table.to_csv(out, index=False)
    commands = [[sys.executable, "-m", "stancemap", "review", "import", str(tmp_path / f"{n}.csv"),
                 "--project", str(project), "--annotator", n, "--json"] for n in ("x", "y")]
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for c in commands]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in processes]
    assert [r[2] for r in results] == [0, 0], results
    expected = {json.loads(r[0])["codes"] for r in results}
    sources = [s for *_, s, _ in human_codes(project)]
    assert sources.count("human:x") in expected and sources.count("human:y") in expected


@needs_shared
@pytest.mark.parametrize("name", [
    "label_studio/test_export_json_min__data.json", "label_studio/test_export_csv__csv_test.json",
    "label_studio/test_export_csv__csv_test2.json", "label_studio/test_export_csv__csv_test_history.json",
    "label_studio/test_export_csv__csv_test2_result.csv",
    "doccano/backend/data_import/tests/data/text_classification/example.jsonl",
    "doccano/backend/data_import/tests/data/text_classification/example.csv",
    "doccano/backend/data_import/tests/data/text_classification/example.json",
    "doccano/backend/data_import/tests/data/text_classification/example.xlsx",
    "doccano/backend/data_import/tests/data/text_classification/example.invalid.2.xlsx",
    "doccano/backend/data_import/tests/data/example.utf16.csv",
    "doccano/backend/data_import/tests/data/sequence_labeling/example.jsonl",
])
def test_real_foreign_files_fail_with_a_clear_message(project, codebook, name):
    with pytest.raises(ReviewError) as err:
        import_review(project, FORMATS / name, codebook, annotator="someone")
    message = str(err.value)
    assert "is not a review file stancemap can read" in message or "problem(s)" in message
    assert human_codes(project) == []


def test_zip_slip_and_bombs_are_refused(project, codebook, tmp_path):
    evil = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../etc/cron.d/x", "boom")
    with pytest.raises(ReviewError, match="unsafe entry name '../../etc/cron.d/x'"):
        import_review(project, evil, codebook, annotator="a")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"0" * (201 * 2**20))
    with pytest.raises(ReviewError, match="unpacks to 201 MB"):
        import_review(project, bomb, codebook, annotator="a")


XSD = FORMATS / "refi_qda" / "Project-mrt2019.xsd"


@needs_shared
def test_qdpx_validates_and_round_trips(project, codebook, tmp_path):
    import xmlschema

    out = tmp_path / "review.qdpx"
    export_review(project, out, codebook, dims=["stance", "sector"], sample=4, seed=2)
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("project.qde").decode("utf-8")
        sources = [n for n in archive.namelist() if n.startswith("sources/")]
    xmlschema.XMLSchema(XSD).validate(xml)
    assert sources and 'name="stancemap model"' in xml and "<Note " in xml
    # a coder adds codings as another user, the way a QDA program writes them
    from stancemap.annotations.qdpx import guid

    coder = "0A1B2C3D-0000-4000-8000-000000000001"
    xml = xml.replace("</Users>", f'<User guid="{coder}" name="Aigerim"/></Users>')
    chosen = {}
    for item_id in sorted(set(__import__("re").findall(r'PlainTextSelection guid="[^"]+" name="([^"]+)"', xml))):
        passage_id, dimension, target = item_id.split("|")
        value = "neutral" if dimension == "stance" else "security"
        chosen[item_id] = value
        coding = (f'<Coding guid="{guid("test", item_id)}" creatingUser="{coder}">'
                  f'<CodeRef targetGUID="{guid("code", f"{dimension}|{target}|{value}")}"/></Coding>')
        marker = f'name="{item_id}"'
        head, tail = xml.split(marker, 1)
        close = tail.index("</PlainTextSelection>")
        xml = head + marker + tail[:close] + coding + tail[close:]
    xmlschema.XMLSchema(XSD).validate(xml)
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(tmp_path / "coded.qdpx", "w") as target:
        for name in source.namelist():
            target.writestr(name, xml if name == "project.qde" else source.read(name))
    report = import_review(project, tmp_path / "coded.qdpx", codebook)  # the file names its coder
    assert report.decisions == len(chosen) and report.annotators == ["Aigerim"]
    stored = {(p, d, t): v for p, d, t, v, s, st in human_codes(project) if st in ("accepted", "corrected")}
    for item_id, value in chosen.items():
        assert stored[tuple(item_id.split("|"))] == value


@needs_shared
@pytest.mark.parametrize("name", ["blank-atlas-project.qdpx", "target-atlas-project.qdpx"])
def test_atlas_ti_projects_are_read_with_a_clear_message(project, codebook, name):
    with pytest.raises(ReviewError) as err:
        import_review(project, FORMATS / "refi_qda" / name, codebook, annotator="a")
    assert "a REFI-QDA project with" in str(err.value) and "no coder's codings" in str(err.value)


@needs_shared
def test_atlas_ti_codebook_becomes_a_dimension_coders_can_code(project, tmp_path):
    import yaml

    from stancemap.annotations.codebook import load_codebook
    from stancemap.annotations.qdpx import codebook_from_qdpx

    assert codebook_from_qdpx(FORMATS / "refi_qda" / "blank-atlas-project.qdpx") is None
    data = codebook_from_qdpx(FORMATS / "refi_qda" / "target-atlas-project.qdpx", "commits")
    (tmp_path / "cb.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    mine = load_codebook(tmp_path / "cb.yaml")
    assert mine.dimensions["commits"].values == [
        "Commits", "Commits > 2022-05-10T02:05:59Z 19e4dce", "Commits > 2022-02-11T10:39:25Z cdbfd92"]
    assert "transport" in mine.sectors  # the default codebook is kept
    out = tmp_path / "r.csv"
    _, count = export_review(project, out, mine, dims=["commits"], sample=2, seed=4)
    table = pd.read_csv(out, keep_default_na=False)
    assert count == 2 and (table.model_value == "").all()
    assert "Commits > 2022-05-10T02:05:59Z 19e4dce" in table.allowed_values[0]
    table["coder_value"] = ["Commits", "Commits; Commits > 2022-02-11T10:39:25Z cdbfd92"]
    table.to_csv(out, index=False)
    import_review(project, out, mine, annotator="enric")
    passages = passage_table(Store(project), mine).set_index("passage_id")
    assert passages.loc[table.passage_id[1], "code_commits"] == \
        "Commits;Commits > 2022-02-11T10:39:25Z cdbfd92"
    assert passages.loc[table.passage_id[0], "code_commits_source"] == "human"
