"""Review files as the coders' own programs write them: Label Studio (JSON, JSON-MIN, CSV, one
coder per completed_by), doccano (pre-annotations not taken for decisions, per-user ZIP),
REFI-QDA (QualCoder's constraints, a QualCoder-style export with new GUIDs), duplicates."""

import json
import zipfile

import pandas as pd
import pytest

from conftest import SHARED, human_codes, needs_shared
from stancemap.annotations.review_project import export_review, import_review
from stancemap.errors import ReviewError

FORMATS = SHARED / "testdata" / "annotation-formats"




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
        "not reviewed (label equals the model's pre-annotation and no comment marks it reviewed)":
            ["line 1"] + [f"line {n}" for n in range(5, len(lines) + 1)],  # the lines left as they came
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


# REFI-QDA -----------------------------------------------------------------------------------
QDA = "{urn:QDA-XML:project:1.0}"
XSD = FORMATS / "refi_qda" / "Project-mrt2019.xsd"


def qdpx_export(project, codebook, tmp_path):
    out = tmp_path / "review.qdpx"
    export_review(project, out, codebook, dims=["stance", "sector", "sentiment"], sample=5, seed=2)
    with zipfile.ZipFile(out) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    return out, files


@needs_shared
def test_qdpx_meets_qualcoders_importer_constraints(project, codebook, tmp_path):
    """QualCoder's REFI-QDA importer (refi.py) keys codes and categories by name, reads every
    Note's creationDateTime (`.replace('T', ' ')` on it), and looks coders up in Users."""
    import re
    import xml.etree.ElementTree as ET

    import xmlschema

    _, files = qdpx_export(project, codebook, tmp_path)
    xml = files["project.qde"].decode("utf-8")
    xmlschema.XMLSchema(XSD).validate(xml)
    root = ET.fromstring(xml)
    users = {u.get("guid") for u in root.iter(f"{QDA}User")}
    names = [c.get("name") for c in root.iter(f"{QDA}Code")]
    assert len(names) == len(set(names)), "QualCoder needs unique code names"
    assert "stance › china › favour" in names and "sector › transport" in names
    guids = [e.get("guid") for e in root.iter() if e.get("guid")]
    assert len(guids) == len(set(guids))
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", g) for g in guids)
    dated = [*root.iter(f"{QDA}Note"), *root.iter(f"{QDA}Coding"), *root.iter(f"{QDA}PlainTextSelection"),
             *root.iter(f"{QDA}TextSource")]
    assert any(e.tag == f"{QDA}Note" for e in dated)
    for element in dated:
        assert element.get("creationDateTime", "").endswith("Z"), element.tag
        assert element.get("creatingUser") in users, element.tag
    codable = {c.get("guid") for c in root.iter(f"{QDA}Code") if c.get("isCodable") == "true"}
    assert all(r.get("targetGUID") in codable for r in root.iter(f"{QDA}CodeRef"))
    sources = list(root.iter(f"{QDA}TextSource"))
    assert len({s.get("name") for s in sources}) == len(sources)
    for source in sources:
        text = files["sources/" + source.get("plainTextPath").removeprefix("internal://")].decode("utf-8")
        for selection in source.iter(f"{QDA}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert 0 <= start < end <= len(text)


def qualcoder_export(files, coder_codes):
    """Our file as QualCoder exports it after a coder worked in it: every GUID new, names kept,
    the coder's codings on QualCoder's own selections (a span inside the item's passage)."""
    import uuid
    import xml.etree.ElementTree as ET

    ET.register_namespace("", "urn:QDA-XML:project:1.0")
    root = ET.fromstring(files["project.qde"])
    fresh = {}

    def new(old):
        return fresh.setdefault(old, str(uuid.uuid4()).upper())

    for element in root.iter():
        for attribute in ("guid", "targetGUID", "creatingUser", "creatingUserGUID"):
            if element.get(attribute):
                element.set(attribute, new(element.get(attribute)))
    coder = str(uuid.uuid4()).upper()
    ET.SubElement(root.find(f"{QDA}Users"), f"{QDA}User", guid=coder, name="Aigerim")
    code_guid = {c.get("name"): c.get("guid") for c in root.iter(f"{QDA}Code")}
    renamed = {}
    for source in root.iter(f"{QDA}TextSource"):
        path = source.get("plainTextPath").removeprefix("internal://")
        source.set("plainTextPath", f"internal://{new(path)}.txt")
        renamed[f"sources/{path}"] = f"sources/{new(path)}.txt"
        for selection in list(source.iter(f"{QDA}PlainTextSelection")):
            item_id = selection.get("name")
            selection.set("name", "")  # QualCoder does not keep stancemap's names
            if item_id not in coder_codes:
                continue
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            own = ET.SubElement(source, f"{QDA}PlainTextSelection", guid=str(uuid.uuid4()).upper(),
                                name="coded text", startPosition=str(start + 1), endPosition=str(end - 1),
                                creatingUser=coder, creationDateTime="2026-02-01T10:00:00Z")
            coding = ET.SubElement(own, f"{QDA}Coding", guid=str(uuid.uuid4()).upper(), creatingUser=coder,
                                   creationDateTime="2026-02-01T10:00:00Z")
            ET.SubElement(coding, f"{QDA}CodeRef", targetGUID=code_guid[coder_codes[item_id]])
    out = {renamed.get(n, n): data for n, data in files.items()}
    out["project.qde"] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out


@needs_shared
def test_a_qualcoder_export_with_new_guids_imports_by_names_and_offsets(project, codebook, tmp_path):
    import re

    import xmlschema

    _, files = qdpx_export(project, codebook, tmp_path)
    items = re.findall(r'PlainTextSelection guid="[^"]+" name="([^"]+)"', files["project.qde"].decode("utf-8"))
    wanted = {}
    for item_id in items:
        _, dimension, target = item_id.split("|")
        value = {"stance": "against", "sector": "energy_oil_gas", "sentiment": "negative"}[dimension]
        wanted[item_id] = " › ".join(p for p in (dimension, target, value) if p)
    exported = qualcoder_export(files, wanted)
    xmlschema.XMLSchema(XSD).validate(exported["project.qde"].decode("utf-8"))
    path = tmp_path / "from_qualcoder.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in exported.items():
            archive.writestr(name, data)
    report = import_review(project, path, codebook)  # no --annotator: the coding's user names her
    assert report.annotators == ["Aigerim"] and report.decisions == len(wanted)
    stored = {(p, d, t): v for p, d, t, v, s, st in human_codes(project) if st in ("accepted", "corrected")}
    for item_id, name in wanted.items():
        assert stored[tuple(item_id.split("|"))] == name.rsplit(" › ", 1)[-1]


def test_doccano_file_imports_in_doccano_and_comes_back(project, codebook, tmp_path):
    """doccano 1.8's importer (data_import/pipeline: readers.Reader.batch, makers.ExampleMaker)
    puts a batch of lines into one pandas DataFrame and stores every column but text and label
    as the example's `meta`, a JSON column its database checks with JSON_VALID: a null, or a key
    some lines lack, becomes NaN there and the row is refused. Every line must therefore carry
    the same keys, none of them null."""
    out = tmp_path / "d.jsonl"
    export_review(project, out, codebook, dims=["stance", "sector", "sentiment"], sample=6)
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len({frozenset(line) for line in lines}) == 1
    assert any(line["target"] == "" for line in lines) and any(line["target"] for line in lines)
    batch = pd.DataFrame(lines)  # what doccano's Reader.batch yields
    for row in batch.to_dict(orient="records"):
        meta = {k: v for k, v in row.items() if k not in ("text", "label")}
        json.dumps(meta, allow_nan=False)  # raises on NaN, as SQLite's JSON_VALID refuses it
    exported = doccano_export(lines)
    for record in exported:
        record["Comments"] = [{"id": 1, "comment": "ok", "username": "aigerim"}]
    out.write_text("\n".join(json.dumps(r) for r in exported), encoding="utf-8")
    report = import_review(project, out, codebook, annotator="aigerim")
    labelled = [n for n, line in enumerate(lines, start=1) if line["label"]]
    assert report.decisions == len(labelled) > 0  # an item without a model value stays uncoded
    assert report.skipped == {"no label (not coded)": [f"line {n}" for n in range(1, len(lines) + 1)
                                                       if n not in labelled]}
