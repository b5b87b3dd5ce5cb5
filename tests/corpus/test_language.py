from pathlib import Path

import pytest

from conftest import HOSTILE, needs_shared
from stancemap.corpus.language import LanguageIdentifier

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def identifier():
    return LanguageIdentifier()


@pytest.fixture(scope="module")
def identify(identifier):
    return identifier.detect


@pytest.mark.parametrize("text,code", [
    ("Cooperation with China brought infrastructure we could not build alone.", "en"),
    ("Сотрудничество с Китаем принесло инфраструктуру, которую мы не построили бы сами.", "ru"),
    ("中国与中亚国家的合作不断深化，贸易额屡创新高。", "zh"),
    ("Қытаймен ынтымақтастық біздің елге жаңа жолдар мен жұмыс орындарын әкелді.", "kk"),
    ("Кытай менен кызматташтык биздин өлкөгө жаңы жолдорду алып келди.", "ky"),
    ("Хитой билан ҳамкорлик мамлакатимизга янги йўллар ва иш ўринлари олиб келди.", "uz"),
    ("Xitoy bilan hamkorlik mamlakatimizga yangi yoʻllar va ish oʻrinlari olib keldi.", "uz"),
    ("Hamkorlik haqida gap ketganda, bu loyiha juda muhim, deb aytdi vazir.", "uz"),
    ("Ҳамкорӣ бо Чин ба кишвари мо роҳҳои нав ва ҷойҳои корӣ овард.", "tg"),
    ("Hytaý bilen hyzmatdaşlyk ýurdumyza täze ýollary we iş orunlaryny getirdi.", "tk"),
    ("12 345", None),
])
def test_detects_study_languages(identify, text, code):
    assert identify(text) == code


def _udhr() -> dict[str, str]:
    text = (HOSTILE / "unstructured" / "language-docs_UDHR_first_article_all.txt").read_text("utf-8")
    blocks = {}
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if "\n" in block:
            name, body = block.split("\n", 1)
            name = name.strip()
            blocks[name[1:-1] if name.startswith("(") else name] = body
    return blocks


@needs_shared
@pytest.mark.parametrize("name,code", [
    ("Russian", "ru"), ("Chinese, Mandarin (Simplified)", "zh"), ("English", "en"),
    ("Kazakh", "kk"), ("Kirghiz", "ky"), ("Uzbek, Northern (Cyrillic)", "uz"),
    ("Uzbek, Northern (Latin)", "uz"), ("Tajiki", "tg"), ("Turkmen (Cyrillic)", "tk"),
    ("Turkmen (Latin)", "tk"), ("Karakalpak", "kaa"), ("Ukrainian", "uk"), ("Turkish", "tr"),
    ("Azerbaijani, North (Latin)", "az"), ("Mongolian, Halh (Cyrillic)", "mn"),
])
def test_udhr_versions(identify, name, code):
    assert identify(_udhr()[name]) == code


@needs_shared
def test_udhr_others_are_not_given_the_regions_languages(identifier):
    """None of the ~490 other versions is called Kyrgyz, Uzbek, Tajik or Turkmen."""
    region = {"ky", "uz", "tg", "tk"}
    own = {"Kirghiz", "Uzbek, Northern (Cyrillic)", "Uzbek, Northern (Latin)", "Tajiki",
           "Turkmen (Cyrillic)", "Turkmen (Latin)"}
    wrong = [name for name, body in _udhr().items()
             if name not in own and identifier.detect(body) in region]
    assert wrong == []


def test_udhr_scripts_reported(identifier):
    assert identifier.identify("Barcha odamlar erkin, qadr‐qimmat va huquqlarda teng boʻlib "
                               "tugʻiladilar.").script == "Latn"
    assert identifier.identify("Барча одамлар эркин, қадр‐қиммат ва ҳуқуқларда тенг бўлиб "
                               "туғиладилар.").script == "Cyrl"


def test_short_english_sentences_stay_english(identifier):
    """Headlines, names and datelines (the shape of a news NER test set) are not German, Spanish,
    French or Turkish just because they are short."""
    lines = (DATA / "short_english.txt").read_text("utf-8").splitlines()
    wrong = [line for line in lines if identifier.detect(line) != "en"]
    assert wrong == []


def test_confident_foreign_sentence_keeps_its_language(identifier):
    assert identifier.detect("Il est parti hier soir à Paris pour la conférence sur le climat.") == "fr"
    assert identifier.detect("Die Regierung hat heute die neue Strategie beschlossen.") == "de"


def test_short_passages_inherit_their_documents_language(identifier):
    passages = ["Вопрос: как вы оцениваете сотрудничество с Китаем в области транспорта?",
                "Ответ: положительно, новые дороги и железная дорога сократили путь.",
                "Да.", "Ok.", "Spasibo", "Хорошо, спасибо."]
    langs, document = identifier.passages(passages)
    assert document == "ru"
    assert langs == ["ru"] * len(passages)


def test_confident_passage_keeps_its_own_language(identifier):
    passages = ["The report describes trade between China and Kazakhstan over ten years, the "
                "railways and pipelines built, and what officials and traders told us about them.",
                "Peter Blackburn",
                "中国与哈萨克斯坦的贸易额屡创新高。",
                "Это предложение написано по-русски и достаточно длинное, чтобы быть уверенным."]
    langs, document = identifier.passages(passages)
    assert document == "en"
    assert langs == ["en", "en", "zh", "ru"]


def test_forced_language_wins(identifier):
    assert identifier.passages(["Hello there", "Привет"], "kk") == (["kk", "kk"], "kk")
