"""Each reader on real files: what comes out, and what a broken file is reported as."""

import json
import shutil

import pytest

from conftest import DATA, EXAMPLES, HOSTILE, needs_shared
from stancemap.corpus.readers import READERS
from stancemap.corpus.readers.pdf import garbage_share
from stancemap.corpus.readers.text import first_line_title
from stancemap.corpus.sniff import sniff
from stancemap.errors import FileProblem

CORPUS = EXAMPLES / "corpus"


def read(path, **options):
    kind = sniff(path, path.read_bytes()[:8192])
    return kind, READERS[kind](path, options)


def test_pdf_pages_and_offsets():
    kind, (doc,) = read(CORPUS / "policy" / "digital_silk_road_brief.pdf")
    assert kind == "pdf"
    assert len(doc.pages) == 2 and doc.pages[0] == 0
    assert doc.text[doc.pages[1]:].startswith("Risks.")
    assert doc.title == "The Digital Silk Road in Central Asia"
    assert "\n\nSummary." in doc.text  # paragraph breaks recovered from the layout


def test_content_decides_not_the_extension(tmp_path):
    disguised = tmp_path / "brief.txt"
    shutil.copy(CORPUS / "policy" / "digital_silk_road_brief.pdf", disguised)
    assert read(disguised)[0] == "pdf"
    fake = tmp_path / "fake.pdf"
    fake.write_text("just text", encoding="utf-8")
    with pytest.raises(FileProblem, match="content is not one"):
        read(fake)


def test_docx_body_tables_and_header():
    kind, (doc,) = read(CORPUS / "interviews" / "uz_tashkent_transport_official.docx")
    assert kind == "docx"
    assert doc.text.startswith("stancemap example corpus - interview UZ-02")  # the header
    assert "Date | 22 April 2024" in doc.text  # table rows
    assert "Official: It is one of our priorities." in doc.text


@needs_shared
def test_real_docx_with_header_footer_and_tables():
    _, (doc,) = read(HOSTILE / "unstructured" / "docx-hdrftr.docx")
    assert doc.text.startswith("First header para\n\nTable cell1 | Table cell2\n\nLast header para")
    assert doc.text.endswith("para1\n\ncell1 | a f\n\npara2")  # the footer, with its table
    _, (tables,) = read(HOSTILE / "unstructured" / "docx-tables.docx")
    assert " | " in tables.text


def test_html_main_text_only():
    kind, (doc,) = read(DATA / "page_with_menus.html")
    assert kind == "html"
    assert doc.title == "Grain exports to China rise"
    assert "MUST-NOT-APPEAR" not in doc.text
    assert doc.text.split("\n\n") == [
        "Grain exports to China rise",
        "Kazakhstan exported more wheat to China this year, helped by a new grain terminal at the border.",
        "Farmers in the north welcomed higher prices, but complained about railway wagon shortages.",
    ]


@needs_shared
def test_real_html_with_scripts_and_utf16():
    _, (doc,) = read(HOSTILE / "unstructured" / "example-with-scripts.html")
    assert "function(" not in doc.text and "{" not in doc.text[:2000]
    _, (utf16,) = read(HOSTILE / "unstructured" / "example-steelJIS-datasheet-utf-16.html")
    assert utf16.encoding.startswith("utf-16")


def test_csv_survey_answers_become_segments():
    kind, (doc,) = read(CORPUS / "survey" / "stakeholder_survey_2024.csv")
    assert kind == "table" and doc.kind == "survey"
    assert doc.meta["text_columns"] == ["q1_view_of_cooperation", "q2_main_concern"]
    assert len(doc.segments) == 15  # 8 respondents x 2 questions, one answer left empty
    first = doc.segments[0]
    assert first.speaker == "S001" and first.question == "q1_view_of_cooperation"
    assert first.meta["country"] == "KAZ" and first.meta["stakeholder_group"] == "business"
    assert doc.text[first.start:first.end].startswith("Trade with China has grown")
    russian = doc.segments[2]
    assert doc.text[russian.start:russian.end].startswith("Китайские стипендии")


def test_csv_quotes_inside_quoted_answers(tmp_path):
    """Answers quoting someone ("" inside a quoted field) stay in their column, also when no
    such answer comes early enough for the dialect sniffer to see one."""
    path = tmp_path / "answers.csv"
    answers = [f"Answer {n}, about the Chinese loans and the new road near Osh." for n in range(400)]
    answers += ['He called it "a road to nowhere", and the village agreed with him.',
                'The report "Words to unite nations" was cited, then "debt" came up twice.']
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "answer", "stance"])
        writer.writerows([[f"r{n}", answer, "neutral"] for n, answer in enumerate(answers)])
    _, (doc,) = read(path)
    assert [doc.text[s.start:s.end] for s in doc.segments] == answers
    assert {s.meta["stance"] for s in doc.segments} == {"neutral"}


def test_text_columns_given_and_missing():
    path = CORPUS / "survey" / "stakeholder_survey_2024.csv"
    _, (doc,) = read(path, text_columns=["q2_main_concern"])
    assert {s.question for s in doc.segments} == {"q2_main_concern"}
    with pytest.raises(FileProblem, match="not in the file: q9"):
        read(path, text_columns=["q9"])


def test_xlsx_survey(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "country", "answer"])
    sheet.append([1, "KGZ", "The new road to Torugart is faster, but few local people got jobs."])
    sheet.append([2, "TJK", "Chinese loans built the power plant; people want to see the contract."])
    sheet.append([3, "UZB", None])
    book.save(tmp_path / "survey.xlsx")
    kind, (doc,) = read(tmp_path / "survey.xlsx")
    assert kind == "xlsx"
    assert [s.speaker for s in doc.segments] == ["1", "2"]
    assert doc.segments[1].meta["country"] == "TJK"


def test_jsonl_records_and_bad_lines():
    kind, docs = read(DATA / "feed.jsonl")
    assert kind == "jsonl"
    assert [d.title for d in docs] == ["Dushanbe plant upgrade", "Osh market"]
    assert docs[0].meta == {"country": "TJK"} and docs[0].date == "2023-02-01"
    assert docs[1].kind == "news" and docs[1].source_part == "line 4"
    assert any("line 2: not JSON" in w for w in docs[0].warnings)
    assert any("line 3" in w for w in docs[0].warnings)


def test_jsonl_with_nothing_usable(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\nnope\n', encoding="utf-8")
    with pytest.raises(FileProblem, match="no line has a 'text' field"):
        read(path)


def test_garbage_share_counts_cid_codes():
    assert garbage_share("(cid:12)(cid:13)(cid:14) ok") > 0.8
    assert garbage_share("Plain readable text.") == 0


def test_garbage_pdf_is_rejected(tmp_path):
    from fpdf import FPDF  # a real PDF whose text is mostly (cid:NN) runs

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, "(cid:3)(cid:17)(cid:42)(cid:8) " * 60)
    pdf.output(str(tmp_path / "cid.pdf"))
    with pytest.raises(FileProblem) as problem:
        read(tmp_path / "cid.pdf", ocr="off")  # (OCR would read the same codes off the page)
    assert problem.value.status == "failed" and "garbage" in problem.value.reason


@needs_shared
@pytest.mark.parametrize("name,status,words", [
    ("pdfplumber/password-example.pdf", "failed", "encrypted"),
    ("unstructured/pdf_password.pdf", "failed", "encrypted"),
    ("pdfplumber/issue-297-example.pdf", "failed", "no pages"),
    ("pdfplumber/issue-948.zip", "unsupported", "ZIP archive"),
    ("unstructured/fake-doc.rtf", "unsupported", "RTF"),
    ("unstructured/fake.odt", "unsupported", "OpenDocument"),
    ("unstructured/fake-text-all-whitespace.txt", "skipped", "white space"),
    ("unstructured/semicolon-delimited.csv", "skipped", "no open-ended text column"),
])
def test_hostile_files_fail_with_reasons(name, status, words):
    with pytest.raises(FileProblem) as problem:
        read(HOSTILE / name)
    assert problem.value.status == status
    assert words in problem.value.reason


def test_image_only_pdf(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_page()
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(FileProblem, match="no text layer on any of its 2 page"):
        read(tmp_path / "scan.pdf")


def test_pdf_with_some_empty_pages_warns(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 7, "Page one talks about the Khorgos dry port.")
    pdf.add_page()
    pdf.add_page()
    pdf.multi_cell(0, 7, "Page three talks about customs.")
    pdf.output(str(tmp_path / "mixed.pdf"))
    _, (doc,) = read(tmp_path / "mixed.pdf")
    assert len(doc.pages) == 3
    assert doc.text[doc.pages[2]:].startswith("Page three")
    assert any("1 page(s) have no text layer" in w and ": 2" in w for w in doc.warnings)


def test_json_array_file(tmp_path):
    path = tmp_path / "items.json"
    path.write_text(json.dumps([{"text": "Astana hosted the summit."}]), encoding="utf-8")
    _, docs = read(path)
    assert docs[0].text == "Astana hosted the summit."


def test_two_column_pdf_is_read_column_by_column(tmp_path):
    from fpdf import FPDF

    left = " ".join(f"Left column sentence {i} is about the Khorgos dry port." for i in range(12))
    right = " ".join(f"Right column sentence {i} is about gas from Turkmenistan." for i in range(12))
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    pdf.set_xy(10, 30)
    pdf.multi_cell(85, 5, left)
    pdf.set_xy(110, 30)
    pdf.multi_cell(85, 5, right)
    pdf.output(str(tmp_path / "columns.pdf"))
    _, (doc,) = read(tmp_path / "columns.pdf")
    flat = " ".join(doc.text.split())
    assert flat.index("Left column sentence 11") < flat.index("Right column sentence 0")
    assert "Left column sentence 0 is about the Khorgos dry port. Left column sentence 1" in flat


def test_unsafe_docx_containers_are_refused(tmp_path):
    import zipfile

    slip = tmp_path / "slip.docx"
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("../../evil.sh", "rm -rf /")
    with pytest.raises(FileProblem, match="unsafe entry name '../../evil.sh'"):
        read(slip)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/huge.xml", b"0" * (501 * 2**20))
    with pytest.raises(FileProblem, match="unpacks to 501 MB"):
        read(bomb)


@pytest.mark.parametrize("text, title", [
    ("# Note on the Middle Corridor\n\nText.", "Note on the Middle Corridor"),
    ("Interview KZ-07 — logistics manager\nLocation: Nurkent.\n\nInterviewer: Hello.",
     "Interview KZ-07 — logistics manager"),
    ("On behalf of the\nChinese delegation, I congratulate you.", None),  # a wrapped fragment
    ("This\nyear has been an unusual one.", None),
    ("In this anniversary year, we reflect on the founders.\nSecond line.", None),  # a sentence
])
def test_titles_are_headings_or_nothing(text, title):
    assert first_line_title(text) == title


def test_xlsx_every_sheet_is_read_with_its_name(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    kazakh = book.active
    kazakh.title = "Kazakhstan 2024"
    kazakh.append(["id", "answer"])
    kazakh.append([1, "The Khorgos dry port brought jobs, but the trucks wait for days at customs."])
    kazakh.append([2, "Chinese investment in the oil sector worries people in Aktobe."])
    codes = book.create_sheet("codes")  # a code list: no open-ended column
    codes.append(["code", "label"])
    codes.append([1, "yes"])
    kyrgyz = book.create_sheet("Kyrgyzstan 2024")
    kyrgyz.append(["id", "answer"])
    kyrgyz.append([7, "The road to Torugart is faster now, but few local people got jobs on it."])
    book.save(tmp_path / "survey.xlsx")
    kind, docs = read(tmp_path / "survey.xlsx")
    assert [d.meta["sheet"] for d in docs] == ["Kazakhstan 2024", "Kyrgyzstan 2024"]
    assert [d.source_part for d in docs] == ["sheet Kazakhstan 2024", "sheet Kyrgyzstan 2024"]
    assert docs[1].segments[0].meta["sheet"] == "Kyrgyzstan 2024"
    assert docs[1].segments[0].speaker == "7"
    assert any("sheet 'codes' not read: no open-ended text column" in w for w in docs[0].warnings)


@pytest.mark.slow
def test_docx_whose_headers_lie_about_its_size_is_refused_before_it_is_inflated(tmp_path):
    """A 510 MB document.xml declared as 1,000 bytes: refused while streaming, memory flat."""
    import resource
    import zipfile

    from stancemap.corpus.sniff import sniff

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as entry:
            for _ in range(510):
                entry.write(b" " * 2**20)
    data = bytearray(bomb.read_bytes())
    size = (510 * 2**20).to_bytes(4, "little")
    name = b"word/document.xml"
    local = data.index(b"PK\x03\x04", 4)  # the second entry's local and central headers
    central = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    for at, offset in ((local, 22), (central, 24)):
        assert data[at + (30 if offset == 22 else 46):][:len(name)] == name
        assert data[at + offset:at + offset + 4] == size
        data[at + offset:at + offset + 4] = (1000).to_bytes(4, "little")
    bomb.write_bytes(bytes(data))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(FileProblem, match="ZIP container refused"):  # a CRC or an inflate cap
        sniff(bomb, bomb.read_bytes()[:8192])
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KB
