import pytest

from stancemap.annotations.countries import CountryResolver


@pytest.mark.parametrize("value,codes,expected", [
    ("Kyrgyz Republic", "auto", "KGZ"), ("KG", "auto", "KGZ"), ("KGZ", "auto", "KGZ"),
    ("kazakhstan", "auto", "KAZ"), ("the Kyrgyz Republic", "auto", "KGZ"), ("Киргизия", "auto", "KGZ"),
    ("中国", "auto", "CHN"), ("People's Republic of China", "auto", "CHN"),
    ("TJ", "auto", "TJK"), ("TI", "auto", "TJK"), ("TX", "auto", "TKM"), ("CH", "fips", "CHN"),
    ("CN", "iso2", "CHN"), ("CH", "iso2", "CHE"), ("Atlantis", "auto", None), ("", "auto", None),
    (None, "auto", None),
])
def test_resolves_names_and_codes(codebook, value, codes, expected):
    assert CountryResolver(codebook).resolve(value, codes) == expected
