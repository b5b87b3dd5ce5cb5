"""Country keys as researchers write them — names, ISO2, ISO3, FIPS 10-4 — resolved to ISO3."""

from __future__ import annotations

import re
import unicodedata

from stancemap.annotations.codebook import Codebook


def _key(value: str) -> str:
    value = unicodedata.normalize("NFKC", str(value)).casefold().strip()
    value = re.sub(r"^the\s+", "", value)
    return re.sub(r"[\s.'’\-–]+", " ", value).strip()


class CountryResolver:
    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self._names: dict[str, str] = {}
        self._iso2: dict[str, str] = {}
        self._fips: dict[str, str] = {}
        for iso3, country in codebook.countries.items():
            self._iso2[country.iso2.upper()] = iso3
            if country.fips:
                self._fips[country.fips.upper()] = iso3
            local = [name for names in country.local.values() for name in names.names]
            for name in [iso3, country.name, *country.aliases, *country.names_ru, *country.names_zh,
                         *local]:
                self._names[_key(name)] = iso3

    def resolve(self, value, codes: str = "auto") -> str | None:
        """ISO3 for a country given in any known form. Two-letter codes are ISO2 unless
        `codes="fips"` (GDELT and some US datasets use FIPS 10-4, where e.g. TI is Tajikistan)."""
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        upper = text.upper()
        if len(upper) == 3 and upper in self.codebook.countries:
            return upper
        if len(upper) == 2 and upper.isascii() and upper.isalpha():
            table = self._fips if codes == "fips" else self._iso2
            return table.get(upper) or (self._fips.get(upper) if codes == "auto" else None)
        return self._names.get(_key(text))
