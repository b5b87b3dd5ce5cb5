"""Bylines: an office and the country it serves are read from an author field or a "The
writer is …" line, in English, Russian and Chinese; a name, a journalist or a host country
alone sets nothing. Readers keep HTML and PDF authors as metadata."""

import pytest
from conftest import DATA

from stancemap.annotations.countries import CountryResolver
from stancemap.corpus.byline import byline_line, read_byline
from stancemap.corpus.readers.html import read_html
from stancemap.corpus.readers.pdf import read_pdf


@pytest.fixture(scope="module")
def resolve(codebook):
    return CountryResolver(codebook).resolve_name


@pytest.mark.parametrize("text,country,kind,named", [
    ("The writer is the Chinese Ambassador to Bangladesh.", "CHN", "diplomat", "Chinese"),
    ("Li Jiming, Ambassador of the People's Republic of China to Bangladesh", "CHN", "diplomat",
     "the People's Republic of China"),
    ("Ambassador Extraordinary and Plenipotentiary of the People's Republic of China to the "
     "Republic of Kazakhstan", "CHN", "diplomat", "the People's Republic of China"),
    ("The writer is Bangladesh's ambassador to China.", "BGD", "diplomat", "Bangladesh's"),
    ("The writer is the US Ambassador to Kazakhstan", "USA", "diplomat", "US"),
    ("Kazakhstan's Deputy Foreign Minister", "KAZ", "government", "Kazakhstan's"),
    ("Minister of Foreign Affairs of the Republic of Kazakhstan", "KAZ", "government",
     "the Republic of Kazakhstan"),
    ("Chinese Foreign Ministry spokesperson Wang Wenbin", "CHN", "government", "Chinese"),
    ("Автор — Чрезвычайный и Полномочный Посол Китайской Народной Республики в Республике "
     "Казахстан", "CHN", "diplomat", "Китайской Народной Республики"),
    ("Автор — посол Китая в Казахстане Чжан Сяо", "CHN", "diplomat", "Китая"),
    ("Автор — генеральный консул КНР в Алматы", "CHN", "diplomat", "КНР"),
    ("Автор — министр иностранных дел России", "RUS", "government", "России"),
    ("作者为中国驻孟加拉国大使", "CHN", "diplomat", "中国"),
    ("作者：张霄，中华人民共和国驻哈萨克斯坦共和国特命全权大使", "CHN", "diplomat", "中华人民共和国"),
    ("作者系中国外交部发言人", "CHN", "government", "中国"),
])
def test_an_office_and_its_country(resolve, text, country, kind, named):
    found = read_byline(text, resolve)
    assert (found.country, found.kind, found.named) == (country, kind, named)


@pytest.mark.parametrize("text", [
    "By Li Wei", "admin", "The writer is a Chinese journalist based in Dhaka.",
    "The writer is President of the Chinese Chamber of Commerce in Dhaka.",
    "The writer is President of the China Chamber of Commerce in Dhaka.",
    "The author is a professor at Dhaka University.", "Автор — политолог из Алматы",
    "作者为北京大学教授", "Li Can, Ambassador at large",
])
def test_no_office_or_no_country_sets_nothing(resolve, text):
    assert read_byline(text, resolve) is None


def test_the_writer_line_is_found_at_either_end_only():
    article = "Headline\n\nFirst paragraph.\n\nSecond paragraph.\n\n{tail}"
    assert byline_line(article.format(tail="*The writer is the Chinese Ambassador to Kazakhstan.*")) \
        == "*The writer is the Chinese Ambassador to Kazakhstan.*"
    assert byline_line("Автор — посол Китая в Казахстане.\n\nТекст статьи.") == "Автор — посол Китая в Казахстане."
    middle = "One.\n\nTwo.\n\nThree.\n\nThe writer is here.\n\nFour.\n\nFive.\n\nSix."
    assert byline_line(middle) is None
    assert byline_line(article.format(tail="The writers of the report disagree.")) is None


def test_html_author_meta_and_byline_markup():
    (page,) = read_html(DATA / "bylines" / "oped_ambassador.html", {})
    assert page.meta["author"] == "Li Jiming, Ambassador of the People's Republic of China to Bangladesh"
    assert page.meta["byline"] == "Li Jiming"  # the byline markup; article:author is a link


def test_pdf_author(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.set_author("Embassy of the Russian Federation in the Republic of Uzbekistan")
    pdf.add_page()
    pdf.multi_cell(0, 6, "Russia and Uzbekistan agreed to build a nuclear power plant together.")
    pdf.output(tmp_path / "statement.pdf")
    (doc,) = read_pdf(tmp_path / "statement.pdf", {})
    assert doc.meta["author"] == "Embassy of the Russian Federation in the Republic of Uzbekistan"
