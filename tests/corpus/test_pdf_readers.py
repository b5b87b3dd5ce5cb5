"""PDFium (the fast path) and pdfplumber (tables) on real PDFs: the same words, the page
offsets kept, each page's reader recorded, and a reason naming every reader that was tried."""

from collections import Counter

import pytest

from conftest import EXAMPLES, HOSTILE, needs_shared
from stancemap.corpus.readers.pdf import page_text, read_pdf
from stancemap.errors import FileProblem

BRIEF = EXAMPLES / "corpus" / "policy" / "digital_silk_road_brief.pdf"
REGISTER = HOSTILE / "pdfplumber" / "federal-register-2020-17221.pdf"  # 15 pages, 3 columns


def pdfplumber_pages(path):
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page_text(page) for page in pdf.pages]


def test_both_readers_give_the_brief_the_same_words_and_paragraphs():
    (doc,) = read_pdf(BRIEF, {"ocr": "off"})
    assert [p["reader"] for p in doc.page_info] == ["pdfium", "pdfium"]
    plumber = pdfplumber_pages(BRIEF)
    ours = [doc.text[a:b] for a, b in zip(doc.pages, doc.pages[1:] + [len(doc.text)])]
    assert [page.split() for page in ours] == [page.split() for page in plumber]
    assert [page.strip().count("\n\n") for page in ours] == [page.strip().count("\n\n") for page in plumber]


@needs_shared
def test_three_column_policy_pdf_reads_alike():
    (doc,) = read_pdf(REGISTER, {"ocr": "off"})
    assert len(doc.pages) == 15 and {p["reader"] for p in doc.page_info} == {"pdfium"}
    ours, theirs = Counter(doc.text.split()), Counter(" ".join(pdfplumber_pages(REGISTER)).split())
    common = sum((ours & theirs).values())
    # the rest is spacing in running heads ("Register / Vol." vs "Register/Vol.") and the
    # vertical margin stamp pdfplumber reads backwards ("SLASOPORP")
    assert common / sum(theirs.values()) > 0.96
    assert common / sum(ours.values()) > 0.95
    first_column = doc.text[:doc.pages[1]]
    assert first_column.index("This section of the FEDERAL REGISTER") < first_column.index("SUMMARY")
    for start, end in zip(doc.pages, doc.pages[1:]):  # offsets: each page starts a block
        assert start < end and (start == 0 or doc.text[start - 2:start] == "\n\n")


def test_a_table_page_goes_to_pdfplumber_with_cells(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Table 1. Chinese-financed projects in Central Asia.")
    with pdf.table() as table:
        for cells in [("Country", "Project", "Year", "Investment"),
                      ("Kazakhstan", "Khorgos dry port", "2016", "USD 600m"),
                      ("Kyrgyzstan", "Datka-Kemin line", "2015", "USD 390m"),
                      ("Tajikistan", "Dushanbe-2 plant", "2016", "USD 350m"),
                      ("Uzbekistan", "Angren-Pap tunnel", "2016", "USD 455m")]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.add_page()
    pdf.multi_cell(0, 6, "The second page is prose about the Khorgos dry port and customs.")
    pdf.output(str(tmp_path / "table.pdf"))
    (doc,) = read_pdf(tmp_path / "table.pdf", {"ocr": "off"})
    assert [p["reader"] for p in doc.page_info] == ["pdfplumber", "pdfium"]
    assert "Kazakhstan | Khorgos dry port | 2016 | USD 600m" in doc.text
    assert doc.text.startswith("Table 1.")
    assert doc.text[doc.pages[1]:].startswith("The second page is prose")


@needs_shared
def test_pdfplumber_finds_no_pages_pdfium_tries_and_the_reason_names_both():
    with pytest.raises(FileProblem) as problem:
        read_pdf(HOSTILE / "pdfplumber" / "issue-297-example.pdf", {"ocr": "off"})
    reason = problem.value.reason
    assert "pdfium" in reason and "pdfplumber: it has no pages" in reason and "OCR is off" in reason


@needs_shared
def test_file_no_reader_can_open_names_both():
    with pytest.raises(FileProblem) as problem:
        read_pdf(HOSTILE / "pdfplumber" / "empty.pdf", {})
    assert problem.value.reason.startswith("PDF cannot be parsed by any reader: PDFium:")
    assert "pdfplumber:" in problem.value.reason
