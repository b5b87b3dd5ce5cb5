"""A dyadic panel for gravity models: one row per (origin, destination, year), where origin is
the source country (who speaks) and destination the country spoken about — how sources of
country i speak of country j that year. It is the panel by source_country, about_country,
year, renamed and shaped: passages without a known origin or destination are no dyad and are
counted in `attrs["left_out"]`, a country speaking of itself is flagged (`self_pair`), and the
stance toward the destination is taken from the target that names that country."""

from __future__ import annotations

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.config import PanelConfig
from stancemap.datasets.panel import panel_table

DYAD_BY = ["source_country", "about_country", "year"]
DYAD_KEYS = ["origin", "destination", "year"]
_DESTINATION_PARTS = ("n", "net", "net_lo", "net_hi")


def country_target(codebook: Codebook, iso3: str | None) -> str | None:
    """The stance target that is the country itself (`china` for CHN), not one of its
    initiatives (`bri` is China's too, but is not China)."""
    if not iso3 or iso3 not in codebook.countries:
        return None
    country = codebook.countries[iso3]
    names = {iso3.casefold(), country.name.casefold(), *(a.casefold() for a in country.aliases)}
    for target_id, target in codebook.stance_targets.items():
        if codebook.target_country(target_id) == iso3 and (
                target_id.casefold() in names or target.label.casefold() in names):
            return target_id
    return None


def dyad_table(table: pd.DataFrame, codebook: Codebook,
               options: PanelConfig | None = None) -> pd.DataFrame:
    """The panel by source_country, about_country, year as dyads (see the module)."""
    panel = panel_table(table, DYAD_BY, codebook, options)
    known = panel["source_country"].notna() & panel["about_country"].notna()
    left_out = {"passages_without_origin": _passages(panel[panel["source_country"].isna()]),
                "passages_without_destination": _passages(panel[panel["about_country"].isna()])}
    dyads = panel[known].rename(columns={"source_country": "origin",
                                         "about_country": "destination"}).reset_index(drop=True)
    dyads.insert(3, "self_pair", dyads["origin"] == dyads["destination"])
    targets = dyads["destination"].map(lambda c: country_target(codebook, c))
    dyads.insert(4, "dest_target", targets)
    for part in _DESTINATION_PARTS:
        dyads[f"st_dest_{part}"] = [row.get(f"st_{t}_{part}") if t else None
                                    for t, row in zip(targets, dyads.to_dict("records"))]
        dyads[f"st_dest_{part}"] = pd.to_numeric(dyads[f"st_dest_{part}"], errors="coerce")
    dyads["st_dest_n"] = dyads["st_dest_n"].astype("Int64")
    dyads.attrs = {**panel.attrs, "dyads_left_out": left_out}
    return dyads


def _passages(cells: pd.DataFrame) -> int:
    """Passage rows in the cells (a passage about two countries counts in each)."""
    return int(cells["n_passages"].sum())


DYAD_MEANINGS = {
    "origin": "Origin: the source country (who speaks or writes), ISO3 (the panel's source_country)",
    "destination": "Destination: the country the passages speak about, ISO3 (the panel's "
                   "about_country; a passage about two countries counts in both dyads)",
    "self_pair": "Whether origin and destination are the same country (a country speaking of "
                 "itself); keep or drop these rows in a gravity model as the design needs",
    "dest_target": "The stance target that is the destination country itself (china for CHN); "
                   "empty when the codebook has none, and then st_dest_* are empty",
    "st_dest_n": "Passages with a stance toward the destination (dest_target); self-references "
                 "left out unless panel.include_self",
    "st_dest_net": "Net stance toward the destination: share in favour minus share against, in [-1, 1]",
    "st_dest_net_lo": "Lower bound of the 95% interval (adjusted Wald) of the net stance toward "
                      "the destination",
    "st_dest_net_hi": "Upper bound of the 95% interval of the net stance toward the destination",
    "sent_mean": "Mean sentiment polarity of the dyad's passages (the passage's tone, not "
                 "directed at the destination)",
}
