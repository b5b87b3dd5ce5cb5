"""Which countries a passage speaks about."""

from __future__ import annotations

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.countries import CountryResolver
from stancemap.nlp.analysis import Analysis
from stancemap.nlp.base import Batch, CodeOut, PassageInput, Stage
from stancemap.nlp.registry import StageContext, stages


class CountryStage(Stage):
    """From mentions: country names, places and demonyms map to their country, a
    single-country project to its country; a region ("Central Asia") to its members, flagged
    as regional. When a passage names none, the document's (or survey row's) `country`
    metadata is used and marked as such."""

    name = "countries"
    version = "1.0"
    dimension = "country"

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.resolver = CountryResolver(codebook)

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        return {i: self.code_passage(batch.passages[i], batch.analyses[i]) for i in indices}

    def code_passage(self, passage: PassageInput, analysis: Analysis) -> list[CodeOut]:
        found: dict[str, dict] = {}
        for mention in analysis.mentions:
            countries, regional = [], False
            if mention.country:
                countries = [mention.country]
            elif mention.label == "REGION" and mention.canonical_id in self.codebook.regions:
                countries, regional = self.codebook.regions[mention.canonical_id].members, True
            elif mention.label == "PROJECT" and mention.canonical_id in self.codebook.projects:
                members = self.codebook.projects[mention.canonical_id].countries
                countries = members if len(members) == 1 else []
            for iso3 in countries:
                entry = found.setdefault(iso3, {"mentions": [], "regional": True})
                entry["mentions"].append(mention.text)
                entry["regional"] = entry["regional"] and regional
        if found:
            return [CodeOut("country", iso3, 1.0, details={
                "via": "region" if info["regional"] else "mention", "regional": info["regional"],
                "mentions": sorted(set(info["mentions"]))}) for iso3, info in sorted(found.items())]
        raw = passage.meta.get("country") or passage.doc_meta.get("country")
        iso3 = self.resolver.resolve(raw)
        if iso3:
            return [CodeOut("country", iso3, 1.0, details={"via": "metadata", "regional": False,
                                                           "metadata_value": raw})]
        return []


@stages.register("country", "mentions")
def make_country_stage(ctx: StageContext, arg: str | None) -> CountryStage:
    return CountryStage(ctx.codebook)
