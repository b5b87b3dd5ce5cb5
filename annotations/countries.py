"""Country keys as researchers write them — names, ISO2, ISO3, numeric, FIPS 10-4 — resolved
to ISO3: the codebook's own names (local languages, places' countries) first, then every
ISO 3166-1 country (corpus/countries.py). Sources, metadata and merge all resolve here."""

from __future__ import annotations

from stancemap.annotations.codebook import Codebook
from stancemap.corpus.countries import name_key, world


class CountryResolver:
    def __init__(self, codebook: Codebook | None = None):
        self.codebook = codebook
        self.world = world()
        self._names: dict[str, str] = {}
        self._iso2: dict[str, str] = {}
        self._fips: dict[str, str] = {}
        for iso3, country in (codebook.countries.items() if codebook else ()):
            self._iso2[country.iso2.upper()] = iso3
            if country.fips:
                self._fips[country.fips.upper()] = iso3
            local = [name for names in country.local.values() for name in names.names]
            for name in [iso3, country.name, *country.aliases, *country.names_ru, *country.names_zh,
                         *local]:
                self._names[name_key(name)] = iso3

    def resolve(self, value, codes: str = "auto") -> str | None:
        """ISO3 for a country given in any known form, or None. Two-letter codes are ISO2
        unless `codes="fips"` (GDELT and some US datasets use FIPS 10-4, where e.g. TI is
        Tajikistan); "auto" falls back to the codebook countries' FIPS codes."""
        if value is None or (isinstance(value, float) and value != value):
            return None
        text = str(value).strip()
        if not text:
            return None
        upper = text.upper()
        if len(upper) == 2 and upper.isascii() and upper.isalpha():
            if codes == "fips":
                return self._fips.get(upper)
            return self._iso2.get(upper) or self.world.resolve(upper) or (
                self._fips.get(upper) if codes == "auto" else None)
        return self._names.get(name_key(text)) or self.world.resolve(value)

    def resolve_name(self, text: str) -> str | None:
        """ISO3 for a country *name* (or demonym) found in running text, the whole text and
        nothing else ("the China Chamber of Commerce" is none): short words answer only as
        names ("PRC", "КНР") or as codes in capitals ("US"), never as codes otherwise ("Li",
        "can" are no countries)."""
        key = name_key(text)
        found = self._names.get(key) or self.world.names.get(key)
        if found is None and text.strip().isupper():
            return self.resolve(text)
        return found

