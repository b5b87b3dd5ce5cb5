"""Names from the codebook, as entries the analysers can match in any language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stancemap.annotations.codebook import Codebook


@dataclass(frozen=True)
class Entry:
    layer: str  # entity | target | sector
    label: str  # COUNTRY, PLACE, DEMONYM, REGION, ORG, PROJECT; the target or sector id
    canonical_id: str
    country: str | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "_", text.lower()).strip("_")


def entity_names(codebook: Codebook) -> dict[str, list[tuple[str, Entry]]]:
    """Per script family ("en" covers every Latin-script alias), (name, entry) pairs."""
    names: dict[str, list[tuple[str, Entry]]] = {"en": [], "ru": [], "zh": []}
    for iso3, country in codebook.countries.items():
        as_country = Entry("entity", "COUNTRY", iso3, iso3)
        for name in [country.name, *country.aliases]:
            names["en"].append((name, as_country))
        for name in country.demonyms:
            names["en"].append((name, Entry("entity", "DEMONYM", iso3, iso3)))
        for name in country.places:
            names["en"].append((name, Entry("entity", "PLACE", f"{iso3}:{_slug(name)}", iso3)))
        for name in country.names_ru:
            label = "COUNTRY" if name == country.names_ru[0] else "PLACE"
            names["ru"].append((name, Entry("entity", label, iso3 if label == "COUNTRY"
                                            else f"{iso3}:{_slug(name)}", iso3)))
        for name in country.demonyms_ru:
            names["ru"].append((name, Entry("entity", "DEMONYM", iso3, iso3)))
        for name in country.names_zh:
            label = "COUNTRY" if name == country.names_zh[0] else "PLACE"
            names["zh"].append((name, Entry("entity", label, iso3 if label == "COUNTRY"
                                            else f"{iso3}:{name}", iso3)))
    groups = (("REGION", codebook.regions), ("ORG", codebook.organisations),
              ("PROJECT", codebook.projects))
    for label, section in groups:
        for key, item in section.items():
            entry = Entry("entity", label, key)
            aliases = getattr(item, "aliases", [])
            for script, values in (("en", [item.label, *aliases]), ("ru", item.names_ru),
                                   ("zh", item.names_zh)):
                names[script].extend((value, entry) for value in values)
    return names


def target_names(codebook: Codebook) -> dict[str, list[tuple[str, Entry]]]:
    names: dict[str, list[tuple[str, Entry]]] = {"en": [], "ru": [], "zh": []}
    for key in codebook.stance_targets:
        entry = Entry("target", key, key)
        for script, values in codebook.target_names(key).items():
            names[script].extend((value, entry) for value in values)
    return names


def sector_names(codebook: Codebook) -> dict[str, list[tuple[str, Entry]]]:
    names: dict[str, list[tuple[str, Entry]]] = {"en": [], "ru": [], "zh": []}
    for key, sector in codebook.sectors.items():
        entry = Entry("sector", key, key)
        names["en"].extend((p, entry) for p in sector.patterns)
        names["ru"].extend((p, entry) for p in sector.patterns_ru)
    return names


def region_members(codebook: Codebook) -> dict[str, list[str]]:
    return {key: list(region.members) for key, region in codebook.regions.items()}


class SurfaceMatcher:
    """Case-insensitive matching of surface forms, whole words only (any position for
    scripts written without spaces). Longest names win; matches do not overlap."""

    def __init__(self, names: list[tuple[str, Entry]]):
        self.entries: dict[str, list[Entry]] = {}
        for name, entry in names:
            bucket = self.entries.setdefault(name.casefold(), [])
            if entry not in bucket:
                bucket.append(entry)
        ordered = sorted(self.entries, key=len, reverse=True)
        parts = [self._pattern(name) for name in ordered]
        self.regex = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    @staticmethod
    def _pattern(name: str) -> str:
        escaped = re.escape(name)
        if re.search(r"[\u3040-\u9fff]", name):
            return escaped
        return rf"(?<!\w){escaped}(?!\w)"

    def find(self, text: str) -> list[tuple[int, int, Entry]]:
        if self.regex is None:
            return []
        return [(m.start(), m.end(), entry) for m in self.regex.finditer(text)
                for entry in self.entries[m.group(0).casefold()]]
