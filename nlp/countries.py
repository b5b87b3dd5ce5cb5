"""Which countries and regions a passage speaks about — its subject, never its source."""

from __future__ import annotations

from stancemap.annotations.codebook import Codebook
from stancemap.nlp.analysis import Analysis
from stancemap.nlp.base import Batch, CodeOut, PassageInput, Stage
from stancemap.nlp.registry import StageContext, stages


class CountryStage(Stage):
    """From mentions: country names, places and demonyms map to their country, a
    single-country project to its country. A region ("Central Asia") is coded as the region
    (dimension `region`), not as its members: whether it counts for each member is a choice
    the panel makes (`panel.spread_regions`). Who speaks (the `country` of a manifest or path
    pattern) is the passage's source, kept apart from these codes."""

    name = "countries"
    version = "2.0"
    dimension = "country"

    def __init__(self, codebook: Codebook):
        self.codebook = codebook

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        return {i: self.code_passage(batch.passages[i], batch.analyses[i]) for i in indices}

    def code_passage(self, passage: PassageInput, analysis: Analysis) -> list[CodeOut]:
        countries: dict[str, set[str]] = {}
        regions: dict[str, set[str]] = {}
        for mention in analysis.mentions:
            if mention.country:
                countries.setdefault(mention.country, set()).add(mention.text)
            elif mention.label == "REGION" and mention.canonical_id in self.codebook.regions:
                regions.setdefault(mention.canonical_id, set()).add(mention.text)
            elif mention.label == "PROJECT" and mention.canonical_id in self.codebook.projects:
                members = self.codebook.projects[mention.canonical_id].countries
                if len(members) == 1 and members[0] in self.codebook.countries:
                    countries.setdefault(members[0], set()).add(mention.text)
        codes = [CodeOut("country", iso3, 1.0, details={"via": "mention", "mentions": sorted(found)})
                 for iso3, found in sorted(countries.items())]
        codes += [CodeOut("region", region, 1.0, details={
            "via": "mention", "regional": True, "members": self.codebook.regions[region].members,
            "mentions": sorted(found)}) for region, found in sorted(regions.items())]
        return codes


@stages.register("country", "mentions")
def make_country_stage(ctx: StageContext, arg: str | None) -> CountryStage:
    return CountryStage(ctx.codebook)
