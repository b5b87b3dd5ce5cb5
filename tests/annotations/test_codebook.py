import pytest
import yaml

from stancemap.annotations.codebook import codebook_yaml, load_codebook
from stancemap.errors import CodebookError


def write(tmp_path, data, name="cb.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_default_codebook_covers_the_study(codebook):
    assert set(codebook.countries) == {"KAZ", "KGZ", "TJK", "TKM", "UZB", "CHN"}
    assert codebook.countries["TJK"].fips == "TI" and codebook.countries["KGZ"].iso2 == "KG"
    assert codebook.regions["central_asia"].members == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    assert {"transport", "energy_oil_gas", "digital", "security"} <= set(codebook.sectors)
    assert {"china", "bri", "chinese_investment", "chinese_loans"} <= set(codebook.stance_targets)
    assert "Казахстан" in codebook.countries["KAZ"].names_ru
    assert "Khorgos Gateway" in codebook.target_names("bri_projects")["en"]
    assert load_codebook().digest == codebook.digest


def test_errors_name_their_key_paths(tmp_path):
    bad = {"name": "x", "version": "1",
           "countries": {"KAZ": {"name": "Kazakhstan", "iso2": "kz"},
                         "Kyrgyzstan": {"name": "Kyrgyzstan", "iso2": "KG"}},
           "sectors": {"energy": {"label": "Energy", "description": "short"}},
           "stance_targets": {"china": {"label": "China"}}}
    with pytest.raises(CodebookError) as err:
        load_codebook(write(tmp_path, bad))
    message = str(err.value)
    assert "countries.KAZ.iso2" in message
    assert "sectors.energy.description" in message
    assert "stance_targets.china" in message and "needs aliases" in message
    assert "countries.Kyrgyzstan.[key]: a key must be an ISO 3166-1 alpha-3 code" in message


def test_unknown_keys_and_dangling_references(tmp_path):
    with pytest.raises(CodebookError, match=r"countries\.KAZ\.capital: Extra inputs"):
        load_codebook(write(tmp_path, {"name": "x", "version": "1", "countries": {
            "KAZ": {"name": "Kazakhstan", "iso2": "KZ", "capital": "Astana"}}}))
    with pytest.raises(CodebookError, match="regions.ca names country 'UZB'"):
        load_codebook(write(tmp_path, {"name": "x", "version": "1", "countries": {
            "KAZ": {"name": "Kazakhstan", "iso2": "KZ"}},
            "regions": {"ca": {"label": "CA", "members": ["KAZ", "UZB"]}}}))


def test_yaml_syntax_error_gives_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nversion: '1'\ncountries:\n  KAZ: {name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="not valid YAML \\(line 5"):
        load_codebook(path)


def test_extending_the_default(tmp_path, codebook):
    extra = {"extends": "default", "name": "mine", "version": "2",
             "sectors": {"health": {"label": "Health", "description": "Hospitals, vaccines and medicine.",
                                    "patterns": ["hospital", "vaccine"]}},
             "stance_targets": {"china": {"label": "China", "aliases": ["China", "Beijing"]}}}
    mine = load_codebook(write(tmp_path, extra))
    assert mine.name == "mine" and "health" in mine.sectors and "transport" in mine.sectors
    assert mine.stance_targets["china"].aliases == ["China", "Beijing"]
    assert mine.digest != codebook.digest
    with pytest.raises(CodebookError, match="only 'default' can be extended"):
        load_codebook(write(tmp_path, {**extra, "extends": "other"}))


def test_replacing_the_default_and_round_trip(tmp_path):
    own = {"name": "russia-eu", "version": "1", "countries": {
        "RUS": {"name": "Russia", "iso2": "RU", "aliases": ["Russian Federation"]}}}
    mine = load_codebook(write(tmp_path, own))
    assert list(mine.countries) == ["RUS"] and not mine.sectors
    again = load_codebook(write(tmp_path, yaml.safe_load(codebook_yaml(mine)), "again.yaml"))
    assert again.digest == mine.digest


def test_missing_file(tmp_path):
    with pytest.raises(CodebookError, match="Codebook not found"):
        load_codebook(tmp_path / "nope.yaml")
