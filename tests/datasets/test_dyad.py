"""The dyadic panel: its counts add up to the panel's, self-pairs are flagged, the stance toward
the destination is the stance toward the target that is that country; merging on origin,
destination and year."""

import json

import pandas as pd
import pytest

from stancemap.datasets.dyad import country_target, dyad_table
from stancemap.datasets.panel import panel_table

TARGETS = ("china", "bri", "chinese_investment", "chinese_loans", "bri_projects")


def passages():
    """Speeches: Kazakh ones about China and Kyrgyzstan, Chinese ones about China (self) and
    Kazakhstan, one without a source country and one about no country."""
    rows = []
    spec = [("KAZ", "CHN", 2014, "favour"), ("KAZ", "CHN", 2014, "against"), ("KAZ", "CHN;KGZ", 2014, "favour"),
            ("KAZ", "KGZ", 2015, None), ("CHN", "CHN", 2014, "favour"), ("CHN", "KAZ", 2014, None),
            (None, "CHN", 2014, "favour"), ("KAZ", None, 2014, None)]
    for i, (source, about, year, stance) in enumerate(spec):
        rows.append({"passage_id": f"p{i}", "doc_id": f"d{i // 2}", "source_id": f"d{i // 2}",
                     "source_country": source, "about_country": about, "about_region": None,
                     "year": year, "role": None, "sentiment_score": 0.1 * i,
                     **{f"stance_{t}": None for t in TARGETS},
                     **{f"stance_{t}_self": None for t in TARGETS}})
        rows[-1]["stance_china"] = stance
        rows[-1]["stance_china_self"] = (source == "CHN") if stance and source else None
    return pd.DataFrame(rows)


def test_dyad_counts_add_up_to_the_panel(codebook):
    table = passages()
    dyads = dyad_table(table, codebook)
    panel = panel_table(table, ["source_country", "about_country", "year"], codebook)
    known = panel.dropna(subset=["source_country", "about_country"])
    for column in ("n_passages", "n_documents", "n_sources", "sent_n", "st_china_n"):
        assert dyads[column].sum() == known[column].sum(), column
    assert list(dyads.columns[:3]) == ["origin", "destination", "year"]
    assert len(dyads) == len(known)
    kaz_chn = dyads[(dyads.origin == "KAZ") & (dyads.destination == "CHN")].iloc[0]
    assert kaz_chn.n_passages == 3 and kaz_chn.dest_target == "china"
    assert kaz_chn.st_dest_net == kaz_chn.st_china_net == pytest.approx(1 / 3)
    assert not kaz_chn.self_pair
    chn_chn = dyads[(dyads.origin == "CHN") & (dyads.destination == "CHN")].iloc[0]
    assert chn_chn.self_pair and chn_chn.st_dest_n == 0  # a Chinese speaker on China is left out
    kaz_kgz = dyads[(dyads.origin == "KAZ") & (dyads.destination == "KGZ")]
    assert kaz_kgz.dest_target.isna().all() and kaz_kgz.st_dest_net.isna().all()  # no target is Kyrgyzstan
    assert dyads.attrs["dyads_left_out"] == {"passages_without_origin": 1,
                                             "passages_without_destination": 1}


def test_the_country_target_is_the_country_not_its_initiatives(codebook):
    assert country_target(codebook, "CHN") == "china"
    assert country_target(codebook, "KAZ") is None
    assert country_target(codebook, None) is None


@pytest.mark.slow
def test_merge_on_origin_destination_year(coded_project, tmp_path):
    from conftest import invoke

    dyads = pd.read_csv(_export(coded_project, tmp_path), keep_default_na=False)
    first = dyads[~dyads.self_pair].iloc[0]
    trade = pd.DataFrame({"exporter": [first.origin, "Narnia"], "importer": [first.destination, "CHN"],
                          "yr": [first.year, first.year], "flow": [123.0, 5.0]})
    trade.to_csv(tmp_path / "trade.csv", index=False)
    result = invoke("merge", tmp_path / "trade.csv", "--project", coded_project, "--on",
                    "origin=exporter,destination=importer,year=yr", "--out", tmp_path / "m.csv", "--json")
    assert result.exit_code == 3, result.output  # one row did not match
    report = json.loads(result.stdout)
    assert report["matched_rows"] == 1 and report["unresolved_countries"] == ["Narnia"]
    merged = pd.read_csv(tmp_path / "m.csv")
    row = merged.iloc[0]
    assert (row.origin_iso3, row.destination_iso3, row.n_passages) == (first.origin, first.destination,
                                                                         first.n_passages)
    assert pd.isna(merged.iloc[1].n_passages)  # no cell: empty, never a number
    dictionary = pd.read_csv(tmp_path / "m.csv.dictionary.csv").set_index("column")["meaning"]
    assert dictionary["origin_iso3"].startswith("ISO3 code of exporter")
    assert dictionary["self_pair"].startswith("Whether origin and destination")


def test_dyads_take_no_by(tmp_path):
    from stancemap.datasets.export import export_project
    from stancemap.errors import UsageError

    with pytest.raises(UsageError, match="--by sector does not apply to --level dyad"):
        export_project(tmp_path / "any", "dyad", tmp_path / "d.csv", by=["sector"])


def test_a_dyadic_merge_needs_both_countries():
    from stancemap.datasets.merge import parse_on
    from stancemap.errors import UsageError

    assert parse_on("origin,destination,year") == [("origin", "origin"), ("destination", "destination"),
                                                   ("year", "year")]
    with pytest.raises(UsageError, match="give origin and destination"):
        parse_on("origin,year")


def _export(project, tmp_path):
    from stancemap.datasets.export import export_project

    out = tmp_path / "dyads.csv"
    export_project(project, "dyad", out)
    return out
