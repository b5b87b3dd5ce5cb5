"""The region's names in its own languages, with their suffixes; 中国… organisations; sector
patterns in Russian and Chinese; generic sector words that need context."""

import re
from pathlib import Path

import pytest

from stancemap.nlp.analysis import SurfaceAnalyser
from stancemap.nlp.gazetteer import (Entry, SurfaceMatcher, entity_names, merged, sector_names,
                                     target_names)
from stancemap.nlp.sectors import SectorStage

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def surface(codebook):
    return SurfaceAnalyser(codebook)


def ids(analysis, label=None):
    return [(m.text, m.canonical_id) for m in analysis.mentions if label in (None, m.label)]


@pytest.mark.parametrize("lang,text,expected", [
    ("kk", "Қазақстанның Қытаймен сауда айналымы өсті, кездесу Астанада өтті.",
     [("Қазақстанның", "KAZ"), ("Қытаймен", "CHN"), ("Астанада", "KAZ:астана")]),
    ("kk", "ҚР-да Өзбекстанға, Қырғызстанға және Түрікменстанға жол ашылды.",
     [("Өзбекстанға", "UZB"), ("Қырғызстанға", "KGZ"), ("Түрікменстанға", "TKM")]),
    ("ky", "Кыргызстандын борбору Бишкекте Кытай менен Тажикстандын өкүлдөрү жолукту.",
     [("Кыргызстандын", "KGZ"), ("Бишкекте", "KGZ:бишкек"), ("Кытай", "CHN"),
      ("Тажикстандын", "TJK")]),
    ("uz", "Oʻzbekistonda va Toshkentda Xitoy bilan yangi loyiha boshlandi.",
     [("Oʻzbekistonda", "UZB"), ("Toshkentda", "UZB:toshkent"), ("Xitoy", "CHN")]),
    ("uz", "O'zbekistonning Qozog‘iston bilan savdosi", [("O'zbekistonning", "UZB"),
                                                        ("Qozog‘iston", "KAZ")]),
    ("uz", "Ўзбекистон ва Хитой ўртасидаги Тошкентдаги учрашув",
     [("Ўзбекистон", "UZB"), ("Хитой", "CHN"), ("Тошкентдаги", "UZB:тошкент")]),
    ("tg", "Тоҷикистонро бо Чин ва Душанбе пайванд мекунад.",
     [("Тоҷикистонро", "TJK"), ("Чин", "CHN"), ("Душанбе", "TJK:душанбе")]),
    ("tk", "Türkmenistanyň gazy Aşgabatdan Hytaýa gidýär.",
     [("Türkmenistanyň", "TKM"), ("Aşgabatdan", "TKM:aşgabat"), ("Hytaýa", "CHN")]),
    ("zh", "哈萨克斯坦总统在阿斯塔纳会见吉尔吉斯斯坦、塔吉克斯坦、土库曼斯坦和乌兹别克斯坦代表。",
     [("哈萨克斯坦", "KAZ"), ("阿斯塔纳", "KAZ:阿斯塔纳"), ("吉尔吉斯斯坦", "KGZ"),
      ("塔吉克斯坦", "TJK"), ("土库曼斯坦", "TKM"), ("乌兹别克斯坦", "UZB")]),
])
def test_region_names_with_suffixes(surface, lang, text, expected):
    (analysis,) = surface.analyse([text], lang)
    assert [pair for pair in ids(analysis) if pair in expected] == expected


def test_a_longer_word_that_starts_with_a_name_is_not_the_name(surface):
    (analysis,) = surface.analyse(["Ошпаз Чинордан келди, Қытайтанушы жазды."], "kk")
    assert ids(analysis) == []


@pytest.mark.parametrize("lang,text,project", [
    ("kk", "Бір белдеу, бір жол бастамасы аясында Қорғас құрғақ порты салынды.", "khorgos_gateway"),
    ("uz", "Angren – Pop temir yoʻli Qamchiq tunneli orqali oʻtadi.", "angren_pap"),
    ("zh", "中吉乌铁路和中国—中亚天然气管道是“一带一路”的重点项目。", "cku_railway"),
])
def test_projects_and_bri_in_local_languages(surface, lang, text, project):
    (analysis,) = surface.analyse([text], lang)
    assert project in {m.canonical_id for m in analysis.mentions}
    assert {"bri", "bri_projects"} & {t.id for t in analysis.targets}


def test_chinese_organisations_are_not_china(surface):
    text = "中国石油、中国银行和中国进出口银行在哈萨克斯坦投资，中国中铁承建铁路。中国政府表示支持。"
    (analysis,) = surface.analyse([text], "zh")
    orgs = {m.text: m.canonical_id for m in analysis.mentions if m.label == "ORG"}
    assert orgs == {"中国石油": "cnpc", "中国银行": None, "中国进出口银行": "china_exim",
                    "中国中铁": None}
    countries = [(m.text, m.start) for m in analysis.mentions if m.label == "COUNTRY"]
    assert countries == [("哈萨克斯坦", text.index("哈萨克斯坦")), ("中国", text.index("中国政府"))]
    assert [t.text for t in analysis.targets if t.id == "china"] == ["中国"]


def test_china_with_a_particle_is_still_china(surface):
    (analysis,) = surface.analyse(["中国的银行和中国与哈萨克斯坦公司合作。"], "zh")
    assert [m.canonical_id for m in analysis.mentions] == ["CHN", "CHN", "KAZ"]


def test_chinese_organisations_keep_china_as_country(code_texts):
    (codes, _), = code_texts(["中国银行在阿拉木图开设分行。"], langs=["zh"])
    assert [c["value"] for c in codes["country"]] == ["KAZ"]


def _sectors(code_texts, text, lang):
    (codes, _), = code_texts([text], langs=[lang])
    return {c["value"]: c for c in codes.get("sector", [])}


def test_russian_sector_patterns_on_lemmas(code_texts):
    found = _sectors(code_texts, "Строительство газопроводов и железных дорог привлекло инвестиции.", "ru")
    assert {"energy_oil_gas", "transport", "trade_investment"} <= set(found)


def test_chinese_sector_patterns(code_texts):
    found = _sectors(code_texts, "中哈两国在天然气管道、铁路和跨境电商领域的合作不断深化，"
                                 "并向哈方学生提供奖学金。", "zh")
    assert {"energy_oil_gas", "transport", "digital", "culture_education"} <= set(found)


def test_local_sector_patterns(code_texts):
    assert "transport" in _sectors(code_texts, "Қазақстанда жаңа темір жол салынды.", "kk")
    assert "trade_investment" in _sectors(code_texts, "Oʻzbekiston Xitoyga eksportni oshirdi.", "uz")


class _Analysis:
    def __init__(self, sectors, context=()):
        self.sectors, self.context = list(sectors), list(context)


def _hit(sector, text, generic=False):
    from stancemap.nlp.analysis import Hit

    return Hit(0, len(text), sector, text, generic)


def test_generic_word_alone_does_not_code(codebook):
    stage = SectorStage(codebook)
    assert stage.code_passage(_Analysis([_hit("security", "security", True)]), {}) == []
    assert stage.code_passage(_Analysis([_hit("security", "security", True)]), {"security": 0.1}) == []
    two_generic = _Analysis([_hit("security", "security", True), _hit("security", "stability", True)])
    assert stage.code_passage(two_generic, {}) == []


@pytest.mark.parametrize("analysis,similarity", [
    (_Analysis([_hit("security", "security", True), _hit("security", "terrorism")]), {}),
    (_Analysis([_hit("security", "security", True)], [_hit("security", "Afghanistan")]), {}),
    (_Analysis([_hit("security", "security", True)]), {"security": 0.45}),
])
def test_generic_word_with_context_codes(codebook, analysis, similarity):
    (code,) = SectorStage(codebook).code_passage(analysis, similarity)
    assert code.value == "security" and "security" in code.details["patterns"]
    assert code.details["generic"] == sorted({h.text for h in analysis.sectors if h.generic})


def test_generic_alone_is_the_old_behaviour(codebook):
    stage = SectorStage(codebook, generic_alone=True)
    assert [c.value for c in stage.code_passage(_Analysis([_hit("security", "security", True)]), {})] == ["security"]


def test_generic_words_in_real_passages(code_texts):
    found = _sectors(code_texts, "The Security Council must reform.", "en")
    assert "security" not in found
    found = _sectors(code_texts, "Terrorism and drug trafficking from Afghanistan threaten "
                                 "the security of Central Asia.", "en")
    assert "security" in found and found["security"]["details"]["generic"] == ["security"]
    assert "energy_oil_gas" not in _sectors(code_texts, "We will devote all our energy to peace.", "en")
    assert "energy_oil_gas" in _sectors(code_texts, "Energy exports through the new pipeline grew.", "en")


def test_surface_matcher_joins_words_with_any_dash_or_comma():
    matcher = SurfaceMatcher([("Бір белдеу – бір жол", Entry("entity", "ORG", "bri"))], ["kk"])
    for text in ("Бір белдеу, бір жол", "бір белдеу - бір жолдың", "Бір белдеу бір жол"):
        assert [e.canonical_id for _, _, e in matcher.find(text)] == ["bri"], text


# the region's names as they are written (issue: 中哈, One Belt-One Road, ChinaKyrgyzstan, CPEC)
def _countries(code_texts, text, lang):
    (codes, _), = code_texts([text], langs=[lang])
    return sorted(c["value"] for c in codes.get("country", [])), \
        sorted(c["value"] for c in codes.get("region", []))


@pytest.mark.parametrize("text,countries,regions", [
    ("中哈关系发展良好。", ["CHN", "KAZ"], []),
    ("中吉乌铁路项目开工。", ["CHN", "KGZ", "UZB"], []),
    ("中塔边境口岸恢复通关。", ["CHN", "TJK"], []),
    ("中亚五国领导人出席峰会。", [], ["central_asia"]),
    ("其中哈萨克斯坦的出口增长。", ["KAZ"], []),  # the 哈 of 哈萨克斯坦, not 中哈
    ("其中吉林省和哈尔滨的企业。", [], []),  # Jilin and Harbin are not Kyrgyzstan and Kazakhstan
    ("中乌合作", [], []),  # 乌 alone is also Ukraine: only in 中吉乌 and the like
])
def test_chinese_short_forms(code_texts, text, countries, regions):
    assert _countries(code_texts, text, "zh") == (countries, regions)


@pytest.mark.parametrize("text,expected", [
    ("Officials praised the One Belt-One Road plan.", "bri"),
    ("Officials praised the One Belt, One Road plan.", "bri"),
    ("Critics of One Belt–One Road spoke.", "bri"),
    ("The China-Kyrgyzstan-Uzbekistan railroad will open.", "bri_projects"),
    ("CPEC brought power plants to Pakistan.", "bri_projects"),
    ("The Padma rail link opened in 2023.", "bri_projects"),
    ("Chinese loans paid for the Hambantota port.", "bri_projects"),
])
def test_bri_names_in_english_variants_and_projects_beyond_the_region(text, expected, coder):
    (analysis,) = coder.analyser.english.analyse([text])
    assert expected in {t.id for t in analysis.targets}


def test_words_run_together_by_pdf_extraction(coder):
    (analysis,) = coder.analyser.english.analyse(["The ChinaKyrgyzstanUzbekistan railway and talks "
                                              "withKazakhstan went on; PetroChina bid."])
    found = [(m.text, m.canonical_id) for m in analysis.mentions if m.canonical_id]
    assert found == [("China", "CHN"), ("Kyrgyzstan", "KGZ"), ("Uzbekistan", "UZB"),
                     ("Kazakhstan", "KAZ"), ("PetroChina", "cnpc")]
    # the company's name holds "China" but is no stance target China; "withChina" is
    (analysis,) = coder.analyser.english.analyse(["PetroChina bid, and talks withChina went on."])
    assert [(t.text, t.id) for t in analysis.targets] == [("China", "china")]
    assert analysis.targets[0].start == len("PetroChina bid, and talks with")


def test_a_project_abroad_names_its_host_as_data_not_as_a_country_code(code_texts, codebook):
    assert codebook.projects["cpec"].countries == ["PAK"]
    assert codebook.projects["padma_rail_link"].countries == ["BGD"]
    countries, _ = _countries(code_texts, "CPEC and the Gwadar Port were discussed.", "en")
    assert countries == []  # Pakistan is not a codebook country: no about_country code



@pytest.mark.parametrize("text, lang, found", [
    ("Влияние Поднебесной в регионе растёт.", "ru", "Поднебесной"),  # Russian media's name for China
    ("北京方面表示反对。", "zh", "北京"),  # Beijing for its government, as in English
    ("Sino-Kazakh relations are strong.", "en", "Sino"),
])
def test_the_press_names_for_china_are_the_china_target(text, lang, found, coder):
    (analysis,) = coder.analyser.analyse([text], [lang])
    assert [(t.text, t.id) for t in analysis.targets] == [(found, "china")]


# SurfaceMatcher tries only the names that can begin where it stands: the same matches as one
# regex alternating every name, longest first (what it was before)
_EDGE_CASES = [
    "The ChinaKyrgyzstanUzbekistan railway and talks withKazakhstan went on; PetroChina bid.",
    "One Belt, One Road; one belt-one road; the One Belt One Road Initiative; Belt and Road.",
    "Қазақстанның Қытаймен сауда айналымы өсті, Астанада; Қазақстан-Қытай; Ошпаз не Ош.",
    "Кыргызстандын борбору Бишкекте; Oʻzbekistonda, O'zbekistonning Qozog‘iston bilan.",
    "Россия и Казахстан, Китаем и Узбекистане; Türkmenistanyň gazy Aşgabatdan Hytaýa.",
    "中哈关系发展良好。哈萨克斯坦总统在阿斯塔纳会见吉尔吉斯斯坦代表。中国银行与中国的银行。",
    "KAZAKHSTAN, kazakhstan's and Kazakhstani; the SCO, CPEC and the Khorgos dry port.",
    "", "China", "中", "—", "Sino-Kazakh ties, Chinese–Kazakh trade, China–Central Asia summit.",
]


def _one_regex(matcher: SurfaceMatcher, text: str) -> list[tuple[int, int, str]]:
    regex = re.compile("|".join(matcher.patterns), re.IGNORECASE)
    return [(m.start(), m.end(), e.canonical_id) for m in regex.finditer(text)
            for e in matcher.entries[matcher.ordered[m.lastindex - 1]]]


@pytest.mark.slow
@pytest.mark.parametrize("names", [entity_names, target_names, sector_names])
def test_surface_matcher_finds_what_one_alternation_finds(codebook, names):
    en, every = SurfaceMatcher(names(codebook)["en"]), merged(names(codebook))
    texts = _EDGE_CASES + [(DATA / "briefing.md").read_text("utf-8")[:1000]]
    for matcher in (en, every):
        for text in texts:
            assert [(s, e, x.canonical_id) for s, e, x in matcher.find(text)] == \
                _one_regex(matcher, text), text


def test_surface_matcher_edge_cases():
    china, kaz = Entry("entity", "COUNTRY", "CHN", "CHN"), Entry("entity", "COUNTRY", "KAZ", "KAZ")
    matcher = SurfaceMatcher([("China", china), ("Kazakhstan", kaz), ("Қазақстан", kaz),
                              ("中国", china), ("One Belt, One Road", Entry("entity", "ORG", "bri")),
                              ("- –", china)], ["en", "en", "kk", "zh", "en", "en"])
    found = lambda text: [(text[s:e], x.canonical_id) for s, e, x in matcher.find(text)]  # noqa: E731
    assert found("ChinaKazakhstan, withChina") == [("China", "CHN"), ("Kazakhstan", "KAZ"),
                                                   ("China", "CHN")]
    assert found("Chinatown, Indochina, CHINA") == [("CHINA", "CHN")]
    assert found("one belt one road, One Belt-One Road") == [("one belt one road", "bri"),
                                                             ("One Belt-One Road", "bri")]
    assert found("Қазақстанның, Қазақстандағы, Қазақстанбек") == [("Қазақстанның", "KAZ"),
                                                                   ("Қазақстандағы", "KAZ")]
    assert found("在中国和中国人") == [("中国", "CHN"), ("中国", "CHN")]  # no word ends in Chinese
    assert found("- – —") == []  # a name of dashes alone names nothing
    assert SurfaceMatcher([]).find("China") == []
