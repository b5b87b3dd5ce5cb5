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
