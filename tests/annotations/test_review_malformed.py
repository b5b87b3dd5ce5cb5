"""Malformed review files are refused with the problem named, never a traceback, and nothing
from them is imported (issue 15: the 14 shapes that used to crash, and ZIPs that lie)."""

import json
import shutil
import subprocess
import sys
import zipfile

import pytest
import sqlalchemy as sa

from stancemap.annotations.review_project import export_review, import_review
from stancemap.corpus.store import Store, codes
from stancemap.errors import ReviewError


@pytest.fixture(scope="module")
def item(coded_project, codebook, tmp_path_factory):
    """A real item id and text hash from the coded example project."""
    out = tmp_path_factory.mktemp("item") / "one.jsonl"
    export_review(coded_project, out, codebook, dims=["stance"], sample=1, seed=1)
    return json.loads(out.read_text("utf-8").splitlines()[0])


@pytest.fixture
def project(coded_project, tmp_path):
    copy = tmp_path / "p"
    shutil.copytree(coded_project, copy)
    return copy


def human_count(project):
    store = Store(project, create=False)
    with store.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(codes)
                             .where(codes.c.source.like("human:%"))).scalar()
    store.dispose()
    return count


def doccano(item, bad):
    good = json.dumps({"text": item["text"], "label": ["neutral"], "item_id": item["item_id"],
                       "text_sha": item["text_sha"], "Comments": ["ok"]})
    return good + "\n" + bad + "\n"


def labelstudio(item, annotations):
    return json.dumps([{"id": 1, "data": {"item_id": item["item_id"], "text_sha": item["text_sha"],
                                          "text": item["text"]}, "annotations": annotations}])


def qdpx(entries, compression=zipfile.ZIP_DEFLATED):
    def write(path):
        with zipfile.ZipFile(path, "w", compression=compression) as archive:
            for name, data in entries.items():
                archive.writestr(name, data)
    return write


def crc_corrupted(path):
    qdpx({"project.qde": '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" '
                        'name="x"/>' + " " * 2000}, zipfile.ZIP_STORED)(path)
    data = bytearray(path.read_bytes())
    spot = data.index(b"name=") + 2
    data[spot] ^= 0x20  # flip a byte of the stored entry: its CRC no longer matches
    path.write_bytes(bytes(data))


def lying_bomb(path):
    """An entry inflating to 210 MB whose headers declare 1,000 bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", b"<" + b" " * (210 * 2**20))
    data = bytearray(path.read_bytes())
    size = (210 * 2**20 + 1).to_bytes(4, "little")
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(header)
        assert data[at + offset:at + offset + 4] == size
        data[at + offset:at + offset + 4] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))


CASES = {
    "doccano line is a list": ("d.jsonl", lambda i: doccano(i, "[1, 2]"), "line 2: a list where an object belongs"),
    "doccano line is a number": ("d.jsonl", lambda i: doccano(i, "42"), "line 2: a int where an object belongs"),
    "doccano line is null": ("d.jsonl", lambda i: doccano(i, "null"), "line 2: a NoneType where an object belongs"),
    "doccano meta is a string": ("d.jsonl", lambda i: doccano(i, json.dumps({"text": "x", "label": ["favour"], "meta": "oops"})),
                                 "line 2: 'meta' is a str, not an object"),
    "doccano item_id is a list": ("d.jsonl", lambda i: doccano(i, json.dumps({"text": "x", "label": ["favour"], "item_id": ["a", "b"]})),
                                  "line 2: no stancemap item_id (list"),
    "label studio annotation is a string": ("ls.json", lambda i: labelstudio(i, ["favour"]),
                                            "task 1: an annotation that is a str, not an object"),
    "label studio result is a string": ("ls.json", lambda i: labelstudio(i, [{"completed_by": 1, "result": "favour"}]),
                                        "task 1: the annotation's result is a str, not a list"),
    "label studio value is a string": ("ls.json", lambda i: labelstudio(i, [{"completed_by": 1, "result": [
        {"from_name": "stance", "type": "choices", "value": "favour"}]}]), "task 1: a result value that is a str"),
    "label studio item_id is a list": ("ls.json", lambda i: json.dumps([{"id": 1, "data": {"item_id": [1, 2]}, "annotations": [
        {"completed_by": 1, "result": [{"from_name": "stance", "value": {"choices": ["favour"]}}]}]}]), "task 1: no stancemap item_id (list"),
    "100,000 nested brackets": ("deep.json", lambda i: "[" * 100_000, "nested too deeply"),
    "half-written project.qde": ("half.qdpx", qdpx({"project.qde": '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0"><Users><Us'}),
                                 "project.qde is not well-formed XML"),
    "binary project.qde": ("bin.qdpx", qdpx({"project.qde": bytes(range(256)) * 8}), "project.qde is not well-formed XML"),
    "CRC-corrupted entry": ("crc.qdpx", crc_corrupted, "broken ZIP container: Bad CRC-32"),
    "entry named PROJECT.QDE": ("upper.qdpx", qdpx({"PROJECT.QDE": "<Project/>"}), "project.qde, not 'PROJECT.QDE'"),
    "entry lying about its size": ("bomb.qdpx", lying_bomb, "broken ZIP container"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_file_is_one_listed_problem_and_nothing_lands(project, codebook, item, tmp_path, case):
    name, make, expected = CASES[case]
    path = tmp_path / name
    if make.__name__ != "<lambda>":
        make(path)
    else:
        path.write_text(make(item), encoding="utf-8")
    with pytest.raises(ReviewError) as err:
        import_review(project, path, codebook, annotator="a")
    message = str(err.value)
    assert expected in message, message
    if "problem(s)" in message:
        assert "1 problem(s), nothing was imported" in message
    assert human_count(project) == 0


@pytest.mark.parametrize("case", ["doccano line is null", "label studio value is a string",
                                  "100,000 nested brackets", "binary project.qde", "CRC-corrupted entry"])
def test_the_command_line_refuses_without_a_traceback(project, item, tmp_path, case):
    name, make, expected = CASES[case]
    path = tmp_path / name
    if make.__name__ != "<lambda>":
        make(path)
    else:
        path.write_text(make(item), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "stancemap", "review", "import", str(path),
                           "--project", str(project), "--annotator", "a"],
                          capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output and expected in " ".join(output.split())
    assert human_count(project) == 0


def test_a_missing_file_or_a_folder_is_refused(project, codebook, tmp_path):
    with pytest.raises(ReviewError, match="cannot be read: No such file"):
        import_review(project, tmp_path / "nope.csv", codebook, annotator="a")
    with pytest.raises(ReviewError, match="cannot be read: Is a directory"):
        import_review(project, tmp_path, codebook, annotator="a")
