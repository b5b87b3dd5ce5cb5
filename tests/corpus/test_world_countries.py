"""Every ISO 3166 country by code and by the names data tables and speakers use."""

import pycountry
import pytest

from stancemap.corpus.countries import world


@pytest.mark.parametrize("value,expected", [
    ("Russian Federation", "RUS"), ("Russia", "RUS"), ("Россия", "RUS"), ("Российская Федерация", "RUS"),
    ("Ресей", "RUS"), ("俄罗斯", "RUS"), ("Kyrgyz Republic", "KGZ"), ("Киргизия", "KGZ"),
    ("Türkiye", "TUR"), ("Turkey", "TUR"), ("Turkiye", "TUR"), ("Турция", "TUR"),
    ("United States", "USA"), ("USA", "USA"), ("US", "USA"), ("美国", "USA"), ("Bangladesh", "BGD"),
    ("Korea, Rep.", "KOR"), ("Egypt, Arab Rep.", "EGY"), ("Lao PDR", "LAO"), ("Viet Nam", "VNM"),
    ("Côte d’Ivoire", "CIV"), ("Hong Kong SAR, China", "HKG"), ("398", "KAZ"), (398, "KAZ"),
    (398.0, "KAZ"), ("4", "AFG"), ("the Netherlands", "NLD"),
    # abbreviations the press uses that neither ISO nor CLDR lists
    ("США", "USA"), ("КНР", "CHN"), ("РФ", "RUS"), ("UK", "GBR"), ("ҚХР", "CHN"), ("XXR", "CHN"),
    # aggregates, regions and made-up places are no country
    ("Euro area", None), ("Central Asia", None), ("World", None), ("Atlantis", None), ("", None),
    (None, None), (float("nan"), None), ("2019", None),
    # demonyms (countryinfo): a shared one goes to the one UN member, or to none
    ("Chinese", "CHN"), ("Russian", "RUS"), ("American", "USA"), ("British", "GBR"),
    ("Bangladeshi", "BGD"), ("Kyrgyzstani", "KGZ"), ("Congolese", None),
])
def test_world_names_and_codes(value, expected):
    assert world().resolve(value) == expected


def test_every_iso_country_by_each_code_and_name():
    table = world()
    for country in pycountry.countries:
        for value in (country.alpha_2, country.alpha_3, country.numeric, country.name):
            assert table.resolve(value) == country.alpha_3, value
