import pandas as pd
import pytest

from stancemap.datasets.merge import merge_panel
from stancemap.errors import UsageError


@pytest.fixture
def project(coded_project):
    return coded_project


@pytest.fixture
def country_year(tmp_path):
    path = tmp_path / "gravity.csv"
    path.write_text("country,year,ecom_index\nKazakhstan,2024,0.41\nKG,2024,0.22\n"
                    "Kyrgyz Republic,2023,0.20\nUZ,2024,0.35\nTX,2024,0.05\nAtlantis,2024,0.9\n"
                    "CHN,1999,0.3\n", encoding="utf-8")
    return path


def test_names_iso2_and_fips_match_and_unknowns_are_reported(project, country_year, tmp_path):
    report = merge_panel(project, country_year, "country,year", tmp_path / "merged.dta")
    merged = pd.read_stata(tmp_path / "merged.dta")
    assert list(merged.iso3) == ["KAZ", "KGZ", "KGZ", "UZB", "TKM", "", "CHN"]
    assert report.unresolved_countries == ["Atlantis"]
    assert ["CHN", 1999] in report.to_json()["unmatched_keys"]
    kaz = merged[merged.country == "Kazakhstan"].iloc[0]
    assert kaz.n_passages > 0 and kaz.ecom_index == pytest.approx(0.41)
    assert report.rows == 7 and report.matched_rows == 5  # Atlantis and CHN 1999 do not match


def test_column_mapping_and_fips_mode(project, tmp_path):
    path = tmp_path / "gdelt.csv"
    path.write_text("fips;yr;events\nTI;2023;3\nKZ;2024;9\n", encoding="utf-8")
    report = merge_panel(project, path, "country=fips,year=yr", tmp_path / "m.csv", country_codes="fips")
    merged = pd.read_csv(tmp_path / "m.csv")
    assert list(merged.iso3) == ["TJK", "KAZ"] and report.unresolved_countries == []


def test_clear_errors(project, country_year, tmp_path):
    with pytest.raises(UsageError, match="Data file not found"):
        merge_panel(project, tmp_path / "none.csv", "country,year", tmp_path / "m.csv")
    with pytest.raises(UsageError, match="Column 'yr' is not in"):
        merge_panel(project, country_year, "country,year=yr", tmp_path / "m.csv")
    with pytest.raises(UsageError, match="the first key must be the country"):
        merge_panel(project, country_year, "year,country", tmp_path / "m.csv")


@pytest.fixture
def world_table(tmp_path):
    """Every ISO 3166 country by code and by name for two years, values nobody can resolve,
    and columns of the researcher's that stancemap also writes (iso3, n_passages)."""
    import pycountry

    rows = []
    for index, country in enumerate(sorted(pycountry.countries, key=lambda c: c.alpha_3)):
        for year in (2023, 2024):
            given = country.alpha_3 if index % 2 else country.name
            rows.append({"country": given, "year": year, "iso3": f"user-{country.alpha_3}",
                         "n_passages": -1, "gdp": index + year / 10_000})
    for odd in ("Atlantis", "", "Euro area", "Russian Federation", "Türkiye", "Kyrgyz Republic"):
        rows.append({"country": odd, "year": 2024, "iso3": "user", "n_passages": -1, "gdp": 1.0})
    path = tmp_path / "world.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_a_world_table_keeps_every_row_and_column_and_invents_nothing(project, world_table, tmp_path):
    import sqlalchemy as sa
    from stancemap.annotations.codebook import load_codebook
    from stancemap.config import Config
    from stancemap.corpus.store import Store, documents
    from stancemap.datasets.export import build_table

    store = Store(project, create=False)
    with store.engine.begin() as conn:  # two files lose their country: a panel cell of no source
        for doc_id, meta in conn.execute(sa.select(documents.c.doc_id, documents.c.meta)).all()[:2]:
            conn.execute(documents.update().where(documents.c.doc_id == doc_id).values(
                meta={k: v for k, v in (meta or {}).items() if k != "country"}))
    panel = build_table(store, load_codebook(), Config(), "panel", ["source_country", "year"])
    store.dispose()
    assert panel["source_country"].isna().any(), "the test needs a panel cell without a source"
    data = pd.read_csv(world_table, keep_default_na=False)
    report = merge_panel(project, world_table, "country,year", tmp_path / "m.csv")
    merged = pd.read_csv(tmp_path / "m.csv", keep_default_na=False, na_values=[""])

    assert len(merged) == len(data) == report.rows  # one row per row of the data, in its order
    assert list(merged["gdp"]) == list(data["gdp"])
    assert list(merged["iso3"].fillna("")) == list(data["iso3"])  # the user's own iso3 survives
    assert list(merged["n_passages"]) == [-1] * len(data)
    assert report.renamed_columns == {"iso3": "iso3_stancemap", "n_passages": "n_passages_stancemap"}
    assert report.unresolved_countries == ["Atlantis", "Euro area"]
    odd = merged.iloc[-6:].set_index("country", drop=False)
    assert list(odd["iso3_stancemap"].fillna("")) == ["", "", "", "RUS", "TUR", "KGZ"]
    # rows whose country resolves to nothing never take a panel cell (no empty-to-empty join)
    assert odd.loc[["Atlantis", "Euro area"], "n_passages_stancemap"].isna().all()
    assert merged.iloc[-5]["n_passages_stancemap"] != merged.iloc[-5]["n_passages_stancemap"]

    # every matched row carries exactly its panel cell, every other row nothing
    cells = panel.dropna(subset=["source_country"]).set_index(["source_country", "year"])
    for _, row in merged.iterrows():
        key = (row["iso3_stancemap"], row["year"])
        if key in cells.index:
            assert row["n_passages_stancemap"] == cells.loc[key, "n_passages"]
        else:
            assert pd.isna(row["n_passages_stancemap"]) and pd.isna(row["sent_mean"])
    assert report.matched_rows == sum(k in cells.index for k in
                                      zip(merged["iso3_stancemap"], merged["year"]))
    assert report.matched_rows > 0

    dictionary = pd.read_csv(tmp_path / "m.csv.dictionary.csv").set_index("column")["meaning"]
    assert dictionary["iso3"] == "From world.csv" and dictionary["gdp"] == "From world.csv"
    assert dictionary["iso3_stancemap"].startswith("ISO3 code of country")
    assert "renamed: world.csv has a column n_passages" in dictionary["n_passages_stancemap"]


def test_every_country_key_resolves_through_the_same_resolver(project, tmp_path):
    """Two country keys (who speaks, whom about): each resolved to ISO3 and written as
    iso3_<dimension>; a row matches only where both resolve."""
    path = tmp_path / "dyads.csv"
    path.write_text("origin,partner,year,flow\nKazakhstan,China,2024,5\nKZ,Народная Республика,2024,1\n"
                    "Kyrgyz Republic,中国,2023,2\n", encoding="utf-8")
    report = merge_panel(project, path, "country=origin,about_country=partner,year", tmp_path / "d.csv")
    merged = pd.read_csv(tmp_path / "d.csv", keep_default_na=False, na_values=[""])
    assert list(merged["iso3_source_country"]) == ["KAZ", "KAZ", "KGZ"]
    assert list(merged["iso3_about_country"].fillna("")) == ["CHN", "", "CHN"]
    assert report.unresolved_countries == ["Народная Республика"]
    assert pd.isna(merged.loc[1, "n_passages"])  # half a key matches nothing
    assert report.matched_rows == merged["n_passages"].notna().sum()
