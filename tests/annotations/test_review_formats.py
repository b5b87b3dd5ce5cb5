"""Review files as the coders' own programs write them: Label Studio (JSON, JSON-MIN, CSV, one
coder per completed_by), doccano (pre-annotations not taken for decisions, per-user ZIP),
REFI-QDA (QualCoder's constraints, a QualCoder-style export with new GUIDs), duplicates."""

import csv
import json
import shutil
import zipfile

import pandas as pd
import pytest
import sqlalchemy as sa

from conftest import SHARED, needs_shared
from stancemap.annotations.review_project import export_review, import_review
from stancemap.corpus.store import Store, codes
from stancemap.errors import ReviewError

FORMATS = SHARED / "testdata" / "annotation-formats"


@pytest.fixture
def project(coded_project, tmp_path):
    copy = tmp_path / "p"
    shutil.copytree(coded_project, copy)
    return copy


def human_codes(project):
    store = Store(project, create=False)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(codes.c.passage_id, codes.c.dimension, codes.c.target,
                                      codes.c.value, codes.c.source, codes.c.status)
                            .where(codes.c.source.like("human:%"))).all()
    store.dispose()
    return sorted(tuple(r) for r in rows)


def other(value):
    return {"favour": "against", "against": "favour"}.get(value, "favour")


def stance_tasks(project, codebook, tmp_path, sample=3):
    out = tmp_path / "tasks.json"
    written, _ = export_review(project, out, codebook, dims=["stance"], sample=sample, seed=5)
    assert written[1].name == "tasks.label_config.xml"
    return out, json.loads(out.read_text("utf-8"))


def model_choice(task):
    return task["predictions"][0]["result"][0]["value"]["choices"][0]


AIGERIM = {"id": 3, "email": "aigerim@uni.example", "first_name": "Aigerim", "last_name": "S"}
BOLAT = {"id": 4, "email": "bolat@uni.example", "first_name": "", "last_name": ""}


def annotation(who, choice, dimension="stance"):
    return {"id": 100 + who["id"], "completed_by": who, "was_cancelled": False, "result": [{
        "id": "r1", "from_name": dimension, "to_name": "text", "type": "choices", "origin": "manual",
        "value": {"choices": [choice]}}]}


# Label Studio -------------------------------------------------------------------------------
def test_labelstudio_two_annotators_on_one_task_are_two_coders(project, codebook, tmp_path):
    out, tasks = stance_tasks(project, codebook, tmp_path)
    for task in tasks:
        task["annotations"] = [annotation(AIGERIM, model_choice(task)),
                               annotation(BOLAT, other(model_choice(task)))]
    out.write_text(json.dumps(tasks), encoding="utf-8")
    report = import_review(project, out, codebook)  # no --annotator: the export names them
    assert report.annotators == ["aigerim@uni.example", "bolat@uni.example"]
    assert report.decisions == 2 * len(tasks)
    stored = human_codes(project)
    for task in tasks:
        passage_id, _, target = task["data"]["item_id"].split("|")
        mine = {(s, st, v) for p, d, t, v, s, st in stored if (p, t) == (passage_id, target)}
        assert ("human:aigerim@uni.example", "accepted", model_choice(task)) in mine
        assert ("human:bolat@uni.example", "corrected", other(model_choice(task))) in mine


def test_labelstudio_bare_user_ids_need_annotator(project, codebook, tmp_path):
    out, tasks = stance_tasks(project, codebook, tmp_path, sample=2)
    for task in tasks:
        task["annotations"] = [dict(annotation(AIGERIM, "neutral"), completed_by=7),
                               dict(annotation(BOLAT, "favour"), completed_by=9)]
    out.write_text(json.dumps(tasks), encoding="utf-8")
    with pytest.raises(ReviewError, match=r"only by user id \(7, 9\); give --annotator"):
        import_review(project, out, codebook)
    report = import_review(project, out, codebook, annotator="team")
    assert report.annotators == ["team-7", "team-9"]


def test_labelstudio_choice_of_another_dimension_is_reported(project, codebook, tmp_path):
    out, tasks = stance_tasks(project, codebook, tmp_path, sample=2)
    for task in tasks:
        task["annotations"] = [annotation(AIGERIM, "neutral")]
    tasks[0]["annotations"][0]["result"].append(
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["positive"]}})
    out.write_text(json.dumps(tasks), encoding="utf-8")
    with pytest.raises(ReviewError) as err:
        import_review(project, out, codebook)
    assert f"task {tasks[0]['id']}: a sentiment choice ['positive'] on a stance item" in str(err.value)
    assert human_codes(project) == []


def json_min(tasks, who):
    """What Label Studio's JSON-MIN export writes: the task data, the choice, the annotator."""
    records = []
    for task in tasks:
        record = dict(task["data"], id=task["id"], annotator=who, annotation_id=9,
                      created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z", lead_time=3.2)
        record["stance"] = other(model_choice(task))
        records.append(record)
    return records


def test_labelstudio_json_min_and_csv_exports(project, codebook, tmp_path):
    out, tasks = stance_tasks(project, codebook, tmp_path)
    minimal = tmp_path / "min.json"
    minimal.write_text(json.dumps(json_min(tasks, 3)), encoding="utf-8")  # JSON-MIN: user id
    report = import_review(project, minimal, codebook, annotator="aigerim")
    assert report.decisions == len(tasks) and report.annotators == ["aigerim"]
    # CSV: the annotator's e-mail; a multiple choice as JSON text, tab-separated as LS can write
    records = json_min(tasks, "bolat@uni.example")
    records[0]["stance"] = json.dumps({"choices": [records[0]["stance"]]})
    flat = tmp_path / "export.csv"
    pd.DataFrame(records).to_csv(flat, index=False, sep="\t")
    report = import_review(project, flat, codebook)
    assert report.decisions == len(tasks) and report.annotators == ["bolat@uni.example"]
    chosen = {(p, t, v) for p, d, t, v, s, st in human_codes(project)
              if s == "human:bolat@uni.example" and st == "corrected"}
    assert chosen == {(r["passage_id"], r["target"], r["stance"] if not r["stance"].startswith("{")
                       else json.loads(r["stance"])["choices"][0]) for r in records}


@needs_shared
def test_real_labelstudio_exports_name_their_coders_and_are_refused_for_what_they_are(project, codebook):
    from stancemap.annotations.labelstudio import _coder

    tasks = json.loads((FORMATS / "label_studio" / "test_export_csv__csv_test.json").read_text("utf-8"))
    assert _coder(tasks[0]["annotations"][0]["completed_by"]) == ("hakan@heartex.com", "1")
    for name in ("test_export_csv__csv_test.json", "test_export_json_min__data.json",
                 "test_export_csv__csv_test_history.json"):
        with pytest.raises(ReviewError) as err:
            import_review(project, FORMATS / "label_studio" / name, codebook)
        assert "no stancemap item_id in its data" in str(err.value)


# doccano ------------------------------------------------------------------------------------
def doccano_export(lines):
    """doccano 1.8's JSONL export: the item's metadata beside text and label, comments listed."""
    out = []
    for number, line in enumerate(lines, start=1):
        record = {"id": number, "text": line["text"], "label": line["label"], "Comments": []}
        record.update({k: v for k, v in line.items() if k not in ("text", "label")})
        out.append(record)
    return out


def test_doccano_unreviewed_pre_annotations_are_not_decisions(project, codebook, tmp_path):
    out = tmp_path / "batch.jsonl"
    export_review(project, out, codebook, dims=["stance"], sample=4, seed=2)
    lines = doccano_export([json.loads(l) for l in out.read_text("utf-8").splitlines()])
    assert all(line["label"] for line in lines)
    lines[1]["label"] = [other(lines[1]["label"][0])]  # a change: a decision
    lines[2]["Comments"] = [{"id": 1, "comment": "ok", "username": "aigerim"}]  # reviewed, kept
    lines[3]["label"] = []  # not coded
    untouched = tmp_path / "untouched.jsonl"
    untouched.write_text("\n".join(json.dumps(l) for l in lines[:1]), encoding="utf-8")
    report = import_review(project, untouched, codebook, annotator="aigerim")
    assert report.decisions == 0 and human_codes(project) == []
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(json.dumps(l) for l in lines), encoding="utf-8")
    report = import_review(project, edited, codebook, annotator="aigerim")
    assert report.decisions == 2
    assert report.skipped == {
        "not reviewed (label equals the model's pre-annotation and no comment marks it reviewed)": ["line 1"],
        "no label (not coded)": ["line 4"]}
    stored = {(p, t): st for p, d, t, v, s, st in human_codes(project) if st != "rejected"}
    first = lines[0]["item_id"].split("|")
    assert (first[0], first[2]) not in stored  # never `accepted` without review
    third = lines[2]["item_id"].split("|")
    assert stored[(third[0], third[2])] == "accepted"


def test_doccano_zip_has_one_coder_per_user_file(project, codebook, tmp_path):
    out = tmp_path / "batch.jsonl"
    export_review(project, out, codebook, dims=["stance"], sample=2, seed=2)
    lines = doccano_export([json.loads(l) for l in out.read_text("utf-8").splitlines()])
    archive = tmp_path / "doccano_export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for user, change in (("admin", False), ("dana", True)):
            rows = [dict(l, label=[other(l["label"][0])] if change else l["label"]) for l in lines]
            zipped.writestr(f"{user}.jsonl", "\n".join(json.dumps(r) for r in rows))
    report = import_review(project, archive, codebook)
    assert report.annotators == ["dana"] and report.decisions == len(lines)
    assert len(report.skipped[next(iter(report.skipped))]) == len(lines)  # admin's untouched labels


# duplicates ---------------------------------------------------------------------------------
def test_an_item_twice_in_one_file_is_refused_with_its_rows(project, codebook, tmp_path):
    out = tmp_path / "r.csv"
    export_review(project, out, codebook, dims=["sentiment"], sample=2, seed=1)
    table = pd.read_csv(out, keep_default_na=False)
    table = pd.concat([table, table.iloc[[0]]], ignore_index=True)
    table["coder_value"] = ["negative"] * (len(table) - 1) + ["positive"]
    table.to_csv(out, index=False)
    with pytest.raises(ReviewError) as err:
        import_review(project, out, codebook, annotator="a")
    assert f"appears 2 times for coder a: row 2, row {len(table) + 1}; keep one" in str(err.value)
    assert human_codes(project) == []


def test_one_task_many_times_is_refused(project, codebook, tmp_path):
    out, tasks = stance_tasks(project, codebook, tmp_path, sample=1)
    task = dict(tasks[0], annotations=[annotation(AIGERIM, "neutral")])
    out.write_text(json.dumps([task] * 5000), encoding="utf-8")
    with pytest.raises(ReviewError, match=r"appears 5000 times .* \(5000 in all\)"):
        import_review(project, out, codebook)
    assert human_codes(project) == []
