"""OCR with Tesseract on scanned pages made from real texts: a page of the example policy brief
(English) and Article 1 of the UDHR with a Russian interview (Russian), rendered to images by
PDFium, read back by OCR and compared word by word with the text they were made from."""

from collections import Counter
from pathlib import Path

import pytest

from conftest import DATA, EXAMPLES, HOSTILE, needs_shared
from stancemap.corpus.readers import READERS
from stancemap.corpus.readers.ocr import installed_languages
from stancemap.corpus.sniff import sniff
from stancemap.errors import FileProblem

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not {"eng", "rus"} <= installed_languages(),
                       reason="Tesseract with eng and rus is not installed (bash scripts/install-ocr.sh)"),
]
BRIEF = EXAMPLES / "corpus" / "policy" / "digital_silk_road_brief.pdf"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core, set up with OCR


def read(path, **options):
    return READERS[sniff(path, path.read_bytes()[:8192])](path, options)


def words(text: str) -> Counter:
    return Counter(w.strip(".,;:!?«»()\"'").lower() for w in text.split() if w.strip(".,;:!?«»()\"'"))


def recall(found: str, truth: str) -> float:
    """Share of the true words (with multiplicity) that OCR found."""
    expected = words(truth)
    return sum((words(found) & expected).values()) / sum(expected.values())


def render(pdf: Path, index: int = 0, dpi: int = 200):
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        return doc[index].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        doc.close()


def scanned_pdf(image, path: Path) -> Path:
    """An image-only PDF (what a scanner produces): the page image and no text layer."""
    from fpdf import FPDF

    png = path.with_suffix(".png")
    image.save(png)
    pdf = FPDF(unit="pt", format=(image.width * 72 / 200, image.height * 72 / 200))
    pdf.add_page()
    pdf.image(str(png), 0, 0, pdf.w, pdf.h)
    pdf.output(str(path))
    return path


def test_english_scan_of_the_policy_brief(tmp_path):
    (layer,) = read(BRIEF, ocr="off")
    truth = layer.text[:layer.pages[1]]
    png = tmp_path / "brief_page1.png"
    render(BRIEF).save(png)
    (doc,) = read(png, languages=["en"])
    assert recall(doc.text, truth) > 0.95
    assert doc.page_info == [{"page": 1, "reader": "tesseract", "ocr": True, "languages": "eng",
                              "confidence": doc.page_info[0]["confidence"]}]
    assert doc.page_info[0]["confidence"] > 80
    assert "\n\nSummary." in doc.text  # Tesseract's paragraphs become passages


@pytest.mark.skipif(not FONT.is_file(), reason="no DejaVu font to typeset Cyrillic")
@needs_shared
def test_russian_scanned_pdf_is_ocrd(tmp_path):
    from fpdf import FPDF

    udhr = (HOSTILE / "unstructured" / "language-docs_UDHR_first_article_all.txt").read_text("utf-8")
    article = udhr.split("\nRussian\n", 1)[1].split("\n", 1)[0]
    truth = article + "\n\n" + (DATA / "interview_ru.txt").read_text("utf-8")
    typeset = FPDF()
    typeset.add_font("DejaVu", fname=str(FONT))
    typeset.set_font("DejaVu", size=12)
    typeset.add_page()
    typeset.multi_cell(0, 7, truth)
    typeset.output(str(tmp_path / "typeset.pdf"))
    scan = scanned_pdf(render(tmp_path / "typeset.pdf"), tmp_path / "scan.pdf")

    (doc,) = read(scan, languages=["ru"])
    assert recall(doc.text, truth) > 0.9
    assert doc.page_info[0]["ocr"] is True and doc.page_info[0]["reader"] == "tesseract"
    assert doc.page_info[0]["confidence"] > 70
    assert doc.meta["ocr_languages"] == "rus"
    # with more packs, the page's script (Tesseract's OSD) picks those that write it
    (mixed,) = read(scan, languages=["en", "ru", "zh"])
    assert mixed.page_info[0]["languages"] == "rus" and recall(mixed.text, truth) > 0.9
    assert any("OCR'd" in w for w in doc.warnings)

    with pytest.raises(FileProblem) as off:
        read(scan, ocr="off")
    assert off.value.status == "failed" and 'OCR is off (ingest.ocr = "off")' in off.value.reason
    assert "pdfium" in off.value.reason and "pdfplumber" in off.value.reason


def test_force_ocrs_pages_that_have_a_text_layer_and_low_confidence_is_reported():
    (doc,) = read(BRIEF, ocr="force", languages=["en"], ocr_min_confidence=99.5)
    assert [p["ocr"] for p in doc.page_info] == [True, True]
    assert len(doc.pages) == 2 and doc.text[doc.pages[1]:].startswith("Risks.")
    assert any("below 99.5" in w and "page(s) 1, 2" in w for w in doc.warnings)


def test_image_files_follow_ingest_ocr(tmp_path):
    png = tmp_path / "page.png"
    render(BRIEF, dpi=150).save(png)
    with pytest.raises(FileProblem) as off:
        read(png, ocr="off")
    assert off.value.status == "unsupported" and "OCR is off" in off.value.reason
    with pytest.raises(FileProblem) as missing:
        read(png, ocr_languages=["xyz"])
    assert "language pack for xyz" in missing.value.reason


def test_ingest_records_ocr_pages_and_warns_about_low_confidence(tmp_path, ingest_folder):
    from stancemap.config import Config
    from stancemap.corpus.store import Store

    folder = tmp_path / "in"
    folder.mkdir()
    render(BRIEF).convert("RGB").save(folder / "brief.jpg", quality=90)
    config = Config()
    config.ingest.languages = ["en", "ru"]
    config.ingest.ocr_min_confidence = 99.9
    report, project = ingest_folder(folder, config=config)
    (result,) = report.files
    assert result.status == "ingested"
    assert any("brief.jpg" in w and "confidence" in w for w in report.warnings)
    (document,) = Store(project).iter_documents()
    extraction = document["extraction"]
    assert extraction["reader"] == "image" and extraction["library"] == "pytesseract"
    assert extraction["pages"][0]["ocr"] is True
