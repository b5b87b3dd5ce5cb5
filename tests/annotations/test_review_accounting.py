"""Review imports account for every row and selection (issue 26): what a file holds is either
imported or listed with the reason it was refused — formulas, ragged rows, an item in two
selections, coders or codes that cannot be told apart, blank coder names, --adjudicator on a
coder's own file, a UTF-16 file without a BOM, XML with entities."""

import csv
import io
import uuid
import xml.etree.ElementTree as ET
import zipfile

import pytest

from conftest import human_codes
from stancemap.annotations.review_project import export_review, import_review
from stancemap.errors import ReviewError, UsageError

QDA = "{urn:QDA-XML:project:1.0}"


def review_csv(project, codebook, tmp_path, sample=4):
    out = tmp_path / "review.csv"
    export_review(project, out, codebook, dims=["sentiment"], sample=sample, seed=3)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_csv(path, header, rows, encoding="utf-8"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_ragged_rows_are_listed_and_nothing_is_imported(project, codebook, tmp_path):
    header, rows = review_csv(project, codebook, tmp_path)
    value = header.index("coder_value")
    for row in rows:
        row[value] = "negative"
    rows[-1] = rows[-1][:value + 1]  # cut after coder_value: the text and its hash are gone
    rows[-2] = rows[-2] + ["stray"]
    before = human_codes(project)
    with pytest.raises(ReviewError) as refused:
        import_review(project, write_csv(tmp_path / "ragged.csv", header, rows), codebook, annotator="a")
    message = str(refused.value)
    assert f"row {len(rows) + 1}: {value + 1} cells where the header has {len(header)}" in message
    assert f"row {len(rows)}: {len(header) + 1} cells" in message
    assert human_codes(project) == before


def test_utf16_without_bom_is_read(project, codebook, tmp_path):
    header, rows = review_csv(project, codebook, tmp_path, sample=2)
    for row in rows:
        row[header.index("coder_value")] = "negative"
    path = write_csv(tmp_path / "utf16be.csv", header, rows, encoding="utf-16-be")
    assert not path.read_bytes().startswith(b"\xfe\xff")
    report = import_review(project, path, codebook, annotator="a")
    assert report.decisions == 2


def test_formulas_in_xlsx_coder_value_are_refused_by_row(project, codebook, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "review.xlsx"
    export_review(project, out, codebook, dims=["sentiment"], sample=3, seed=3)
    book = load_workbook(out)
    sheet = book["review"]
    column = [c.value for c in sheet[1]].index("coder_value") + 1
    sheet.cell(2, column).value = '=IF(1,"negative","positive")'
    sheet.cell(3, column).value = "=B3"
    sheet.cell(4, column).value = "negative"
    book.save(out)
    with pytest.raises(ReviewError) as refused:
        import_review(project, out, codebook, annotator="a")
    message = str(refused.value)
    assert "2 problem(s)" in message and "row 2: coder_value is a formula" in message
    assert "row 3: coder_value is a formula (=B3)" in message


def test_blank_coder_names_and_both_flags_are_refused(project, codebook, tmp_path):
    header, rows = review_csv(project, codebook, tmp_path, sample=2)
    rows[0][header.index("coder_value")] = "negative"
    path = write_csv(tmp_path / "one.csv", header, rows)
    for kwargs in ({"annotator": ""}, {"annotator": "  "}, {"adjudicator": ""}):
        with pytest.raises(UsageError, match="is empty"):
            import_review(project, path, codebook, **kwargs)
    with pytest.raises(UsageError, match="not both"):
        import_review(project, path, codebook, annotator="a", adjudicator="b")


def test_adjudicator_takes_only_an_adjudication_file_unless_forced(project, codebook, tmp_path):
    header, rows = review_csv(project, codebook, tmp_path, sample=3)
    for row in rows:
        row[header.index("coder_value")] = "negative"
    path = write_csv(tmp_path / "coder.csv", header, rows)
    before = human_codes(project)
    with pytest.raises(UsageError) as refused:
        import_review(project, path, codebook, adjudicator="lead")
    assert "not written by `stancemap review adjudicate`" in str(refused.value)
    assert "3 decision(s)" in str(refused.value) and "--force" in str(refused.value)
    assert human_codes(project) == before
    report = import_review(project, path, codebook, adjudicator="lead", force=True)
    assert report.statuses == {"adjudicated": 3}


# REFI-QDA -----------------------------------------------------------------------------------
def qdpx_with_coder(project, codebook, tmp_path, change):
    """Our QDPX export with a coder's codings (the model's value) on its selections, then
    `change(root, coder_guid)` applied."""
    out = tmp_path / "review.qdpx"
    export_review(project, out, codebook, dims=["sentiment"], sample=3, seed=4)
    with zipfile.ZipFile(out) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    ET.register_namespace("", "urn:QDA-XML:project:1.0")
    root = ET.fromstring(files["project.qde"])
    coder = str(uuid.uuid4())
    ET.SubElement(root.find(f"{QDA}Users"), f"{QDA}User", guid=coder, name="Aigerim")
    for selection in root.iter(f"{QDA}PlainTextSelection"):
        model = selection.find(f"{QDA}Coding")
        coding = ET.SubElement(selection, f"{QDA}Coding", guid=str(uuid.uuid4()), creatingUser=coder,
                               creationDateTime="2026-02-01T10:00:00Z")
        ET.SubElement(coding, f"{QDA}CodeRef", targetGUID=model.find(f"{QDA}CodeRef").get("targetGUID"))
    change(root, coder)
    files["project.qde"] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    path = tmp_path / "coded.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def nothing(root, coder):
    pass


def selection_twice(root, coder):
    source = next(root.iter(f"{QDA}TextSource"))
    selection = source.find(f"{QDA}PlainTextSelection")
    copy = ET.fromstring(ET.tostring(selection))
    copy.set("guid", str(uuid.uuid4()))
    source.append(copy)


def shared_user_guid(root, coder):
    ET.SubElement(root.find(f"{QDA}Users"), f"{QDA}User", guid=coder, name="Bolat")


def shared_user_name(root, coder):
    ET.SubElement(root.find(f"{QDA}Users"), f"{QDA}User", guid=str(uuid.uuid4()), name="Aigerim")


def duplicate_code_guid(root, coder):
    codes = list(root.iter(f"{QDA}Code"))
    codes[-1].set("guid", codes[-2].get("guid"))


@pytest.mark.parametrize("change,words", [
    (selection_twice, "coded in 2 selections by coder Aigerim"),
    (shared_user_guid, "is given to two users, 'Aigerim' and 'Bolat'"),
    (shared_user_name, "two users are named 'Aigerim'"),
    (duplicate_code_guid, "names two codes"),
])
def test_qdpx_that_would_merge_or_misattribute_is_refused(project, codebook, tmp_path, change, words):
    assert import_review(project, qdpx_with_coder(project, codebook, tmp_path / "ok", nothing),
                         codebook).decisions == 3  # the file as made imports
    before = human_codes(project)
    with pytest.raises(ReviewError, match=words):
        import_review(project, qdpx_with_coder(project, codebook, tmp_path, change), codebook)
    assert human_codes(project) == before


def test_qdpx_with_entities_is_refused_in_words(project, codebook, tmp_path):
    path = tmp_path / "xxe.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM '
                                        '"file:///etc/passwd">]><Project>&x;</Project>')
    with pytest.raises(ReviewError) as refused:
        import_review(project, path, codebook, annotator="a")
    message = str(refused.value)
    assert "declares an XML entity ('x')" in message and "Forbidden(" not in message
