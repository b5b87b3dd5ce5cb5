import pytest

from conftest import HOSTILE, needs_shared
from stancemap.corpus.language import LanguageIdentifier


@pytest.fixture(scope="module")
def identify():
    return LanguageIdentifier().detect


@pytest.mark.parametrize("text,code", [
    ("Cooperation with China brought infrastructure we could not build alone.", "en"),
    ("Сотрудничество с Китаем принесло инфраструктуру, которую мы не построили бы сами.", "ru"),
    ("中国与中亚国家的合作不断深化，贸易额屡创新高。", "zh"),
    ("Қытаймен ынтымақтастық біздің елге жаңа жолдар мен жұмыс орындарын әкелді.", "kk"),
    ("12 345", None),
])
def test_detects_study_languages(identify, text, code):
    assert identify(text) == code


@needs_shared
def test_udhr_russian_and_chinese_versions(identify):
    text = (HOSTILE / "unstructured" / "language-docs_UDHR_first_article_all.txt").read_text("utf-8")
    text = text.replace("\r\n", "\n")
    blocks = {}
    for block in text.split("\n\n"):
        if "\n" in block:
            name, body = block.split("\n", 1)
            name = name.strip()
            blocks[name[1:-1] if name.startswith("(") else name] = body
    assert identify(blocks["Russian"]) == "ru"
    assert identify(blocks["Chinese, Mandarin (Simplified)"]) == "zh"
    assert identify(blocks["English"]) == "en"
    assert identify(blocks["Kazakh"]) == "kk"
