"""Every ISO 3166-1 country, as researchers write it: ISO2, ISO3 or numeric codes, English
names with their common variants ("Russian Federation", "Kyrgyz Republic", "Turkey",
"Türkiye", "Korea, Rep."), and the names in Russian, Chinese, the region's languages and a few
languages data tables often come in. The codes, official names and their translations come
from pycountry (the ISO 3166 data Debian ships, with its gettext catalogues); the common names
in each language (Россия, 俄罗斯, Ресей) from Unicode CLDR through Babel; the English variants
(World Bank and UN styles) are country_converter's regular expressions; English demonyms
("Chinese", "British", as a byline writes "the Chinese Ambassador") are countryinfo's. The
codebook's own local names sit on top of this (annotations/countries.py)."""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

# the project's languages, then languages data tables often use for country names
NAME_LANGUAGES = ("ru", "zh_CN", "zh_TW", "kk", "ky", "uz", "tg", "tk", "fr", "de", "es")
# Abbreviations that the press and data tables use but neither ISO 3166 nor CLDR lists, each
# naming one country only: ISO's exceptionally reserved "UK", Russian initialisms (США, КНР,
# РФ) and Chinese short forms. Ambiguous ones (РК: Kazakhstan or Korea) are left out.
ABBREVIATIONS = {"UK": "GBR", "США": "USA", "С.Ш.А.": "USA", "РФ": "RUS", "КНР": "CHN",
                 "КНДР": "PRK", "ФРГ": "DEU", "РУз": "UZB", "АҚШ": "USA", "ҚХР": "CHN",
                 "АКШ": "USA", "КЭР": "CHN", "AQSH": "USA", "XXR": "CHN", "美利坚合众国": "USA"}


def name_key(value: str) -> str:
    """A name compared without case, accents of form (NFKC), a leading 'the', dots,
    apostrophes and hyphens: 'the Kyrgyz-Republic' and 'kyrgyz republic' are one key."""
    value = unicodedata.normalize("NFKC", str(value)).casefold().strip()
    value = re.sub(r"^the\s+", "", value)
    return re.sub(r"[\s.,'’\-–()]+", " ", value).strip()


@dataclass
class World:
    """Lookup tables of every ISO 3166-1 country, keyed to its alpha-3 code."""

    alpha3: set[str] = field(default_factory=set)
    alpha2: dict[str, str] = field(default_factory=dict)
    numeric: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # name_key -> ISO3
    patterns: list[tuple[re.Pattern, str]] = field(default_factory=list)

    def add_name(self, name: str | None, iso3: str, ambiguous: set[str]) -> None:
        if not name:
            return
        key = name_key(name)
        if not key or key in ambiguous:
            return
        if self.names.setdefault(key, iso3) != iso3:  # one name, two countries: neither
            ambiguous.add(key)
            del self.names[key]

    def resolve(self, value, codes: str = "auto") -> str | None:
        """The ISO3 code of a country given as a code or a name; None when no country (or
        more than one) answers to it. Two-letter codes are ISO2 (`codes="fips"` is the
        codebook resolver's business)."""
        text = _as_text(value)
        if text is None:
            return None
        upper = text.upper()
        if len(upper) == 3 and upper in self.alpha3:
            return upper
        if text in ABBREVIATIONS:
            return ABBREVIATIONS[text]
        if len(upper) == 2 and upper.isascii() and upper.isalpha():
            return self.alpha2.get(upper) if codes != "fips" else None
        if text.isdigit() and len(text) <= 3:
            return self.numeric.get(text.zfill(3))
        found = self.names.get(name_key(text))
        if found:
            return found
        matches = {iso3 for pattern, iso3 in self.patterns if pattern.search(text)}
        return matches.pop() if len(matches) == 1 else None


def _as_text(value) -> str | None:
    """A cell as text: None for empty and missing values; 398.0 (a numeric code a spreadsheet
    made a float) as '398'."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            value = int(value)
    text = str(value).strip()
    return text or None


@functools.cache
def world() -> World:
    """Built once per process (a few tens of milliseconds)."""
    import gettext

    import pycountry

    table = World()
    ambiguous: set[str] = set()
    members: set[str] = set()  # UN member states, which a demonym two countries share goes to
    catalogues = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang],
                                      fallback=True) for lang in NAME_LANGUAGES]
    for country in pycountry.countries:
        iso3 = country.alpha_3
        table.alpha3.add(iso3)
        table.alpha2[country.alpha_2] = iso3
        table.numeric[country.numeric] = iso3
        english = [country.name, getattr(country, "official_name", None),
                   getattr(country, "common_name", None)]
        for name in english:
            table.add_name(name, iso3, ambiguous)
            for catalogue in catalogues:
                if name:
                    table.add_name(catalogue.gettext(name), iso3, ambiguous)
    from babel import Locale

    for lang in ("en", *NAME_LANGUAGES):  # CLDR's common names: Россия, 俄罗斯, Ресей
        territories = Locale.parse(lang.replace("zh_CN", "zh").replace("zh_TW", "zh_Hant")).territories
        for alpha2, name in territories.items():
            if alpha2 in table.alpha2:
                table.add_name(name, table.alpha2[alpha2], ambiguous)
    # country_converter's table, read as text without importing the package (which imports
    # pandas, and whose loader turns Namibia's "NA" into a missing value under pandas 3)
    package = importlib.util.find_spec("country_converter").submodule_search_locations[0]
    with open(Path(package) / "country_data.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            iso3 = row["ISO3"]
            if iso3 not in table.alpha3:  # Kosovo (XKX) and the like: not ISO 3166-1
                continue
            table.add_name(row["name_short"], iso3, ambiguous)
            table.add_name(row["name_official"], iso3, ambiguous)
            table.patterns.append((re.compile(row["regex"], re.IGNORECASE), iso3))
            if row.get("UNmember"):
                members.add(iso3)
    _add_demonyms(table, members)
    return table


def _add_demonyms(table: World, members: set[str]) -> None:
    """countryinfo's English demonym of each country, read as data (its JSON files) without
    importing the package. A demonym several countries share goes to the one UN member among
    them ("Chinese": China, not Hong Kong or Macao; "American": not American Samoa); shared by
    two members ("Congolese") or already another country's name, it names none."""
    import json

    package = Path(importlib.util.find_spec("countryinfo").submodule_search_locations[0])
    found: dict[str, set[str]] = {}
    for path in sorted((package / "data").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        iso3 = (record.get("ISO") or {}).get("alpha3")
        if record.get("demonym") and iso3 in table.alpha3:
            found.setdefault(name_key(record["demonym"]), set()).add(iso3)
    for key, countries in found.items():
        if len(countries) > 1:
            countries &= members
        if len(countries) == 1 and key not in table.names:
            table.names[key] = countries.pop()
