"""Panel arithmetic against hand-computed values, human-over-model resolution, file formats."""

import json
import math
import shutil

import pandas as pd
import pytest

from stancemap.datasets.export import export_project
from stancemap.annotations.resolution import resolve
from stancemap.datasets.panel import panel_table
from stancemap.datasets.tables import passage_table
from stancemap.corpus.store import Store, codes, now
from stancemap.errors import UsageError


def synthetic_table():
    stances = ["favour"] * 6 + ["against"] * 3 + ["neutral"]
    rows = [{"passage_id": f"p{i}", "doc_id": f"d{i // 2}", "about_country": "KAZ" if i < 10 else "KAZ;KGZ",
             "sectors": "transport", "year": 2020, "kind": "news", "stakeholder": None, "lang": "en",
             "top_topic": None, "sentiment_score": 0.1 * i if i < 10 else None,
             **{f"stance_{t}": None for t in ("china", "bri", "chinese_investment", "chinese_loans",
                                                "bri_projects")}}
            for i in range(12)]
    for i, value in enumerate(stances):
        rows[i]["stance_china"] = value
    return pd.DataFrame(rows)


def test_panel_counts_shares_and_intervals(codebook):
    """Every passage its own source: Wilson, Agresti-Caffo and a t interval, as by hand."""
    table = synthetic_table().assign(source_id=lambda t: t.passage_id)
    panel = panel_table(table, ["about_country", "year"], codebook)
    kaz = panel[panel.about_country == "KAZ"].iloc[0]
    assert kaz.n_passages == 12 and kaz.n_documents == 6
    assert kaz.sent_n == 10 and kaz.sent_mean == pytest.approx(0.45)
    sd = pd.Series([0.1 * i for i in range(10)]).std(ddof=1)
    assert kaz.sent_lo == pytest.approx(0.45 - 2.262157 * sd / math.sqrt(10))
    assert kaz.st_china_n == 10 and kaz.st_china_fav == pytest.approx(0.6)
    assert (kaz.st_china_fav_lo, kaz.st_china_fav_hi) == pytest.approx((0.31267, 0.83182), abs=1e-4)
    assert kaz.st_china_net == pytest.approx(0.3)
    fav, ag = 7 / 13, 4 / 13  # one pseudo-count per class
    half = 1.959964 * math.sqrt((fav + ag - (fav - ag) ** 2) / 13)
    assert (kaz.st_china_net_lo, kaz.st_china_net_hi) == pytest.approx((fav - ag - half, fav - ag + half), abs=1e-4)
    assert math.isnan(kaz.st_bri_fav) and kaz.st_bri_n == 0
    kgz = panel[panel.about_country == "KGZ"].iloc[0]  # the two passages coded KAZ;KGZ count for both
    assert kgz.n_passages == 2 and kgz.sent_n == 0


def test_passages_of_one_source_are_one_cluster(codebook):
    """Two passages per document (the source): the sentiment interval is the cluster-robust
    one by hand (documents' totals, G/(G-1), t on 4 df), and every interval is wider than
    with each passage its own source."""
    clustered = panel_table(synthetic_table(), ["about_country"], codebook).iloc[0]
    alone = panel_table(synthetic_table().assign(source_id=lambda t: t.passage_id), ["about_country"],
                        codebook).iloc[0]
    totals = [(0.2 * k - 0.45 + 0.2 * k + 0.1 - 0.45) / 10 for k in range(5)]
    half = 2.776445 * math.sqrt(5 / 4 * sum(t * t for t in totals))
    assert clustered.sent_lo == pytest.approx(0.45 - half)
    for column in ("sent", "st_china_fav", "st_china_net"):
        width = clustered[f"{column}_hi"] - clustered[f"{column}_lo"]
        assert width > alone[f"{column}_hi"] - alone[f"{column}_lo"]


def test_net_interval_of_a_tiny_cell_is_wide(codebook):
    """One passage in favour is no evidence of a net stance of exactly 1."""
    kaz = panel_table(synthetic_table().iloc[:1], ["about_country"], codebook).iloc[0]
    assert kaz.st_china_net == 1.0 and kaz.st_china_net_lo < 0 and kaz.st_china_net_hi == 1.0


def test_resolution_prefers_people():
    model = {"value": "positive", "status": "predicted", "source": "model:sentiment_vader@1.0"}
    human = {"value": "negative", "status": "corrected", "source": "human:a"}
    final = {"value": "neutral", "status": "adjudicated", "source": "human:lead"}
    assert resolve([model], False) == ([model], "model")
    assert resolve([model, human], False) == ([human], "human")
    assert resolve([model, human, final], False) == ([final], "adjudicated")
    kaz = {"value": "KAZ", "status": "predicted", "source": "model:countries@1.0"}
    chn = {"value": "CHN", "status": "predicted", "source": "model:countries@1.0"}
    reject = {"value": "CHN", "status": "rejected", "source": "human:a"}
    assert resolve([kaz, chn, reject], True) == ([kaz], "model")


def test_human_codes_win_in_the_passage_export(coded_project, codebook, tmp_path):
    project = tmp_path / "copy"
    shutil.copytree(coded_project, project)
    store = Store(project)
    table = passage_table(store, codebook)
    row = table[table.stance_chinese_loans.notna()].iloc[0]
    with store.engine.begin() as conn:
        conn.execute(codes.insert().values(
            passage_id=row.passage_id, doc_id=row.doc_id, dimension="stance", target="chinese_loans",
            value="neutral", score=None, source="human:aigerim", status="corrected", details={},
            created_at=now(), updated_at=now()))
    again = passage_table(store, codebook).set_index("passage_id").loc[row.passage_id]
    assert again.stance_chinese_loans == "neutral" and again.stance_chinese_loans_source == "human"
    assert row.stance_chinese_loans_source == "model"


@pytest.mark.parametrize("fmt", ["csv", "parquet", "dta", "xlsx"])
def test_every_format_with_dictionary_and_manifest(coded_project, tmp_path, fmt):
    from stancemap.nlp.sectors import SectorStage

    out = tmp_path / f"panel.{fmt}"
    written = export_project(coded_project, "panel", out, by=["about_country", "sector", "year"])
    assert written == [out, tmp_path / f"panel.{fmt}.dictionary.csv", tmp_path / f"panel.{fmt}.manifest.json"]
    reader = {"csv": pd.read_csv, "parquet": pd.read_parquet, "dta": pd.read_stata,
              "xlsx": pd.read_excel}[fmt]
    table = reader(out)
    assert {"about_country", "sector", "year", "n_passages", "n_sources", "st_china_net",
            "st_china_net_lo"} <= set(table.columns)
    assert set(table.about_country.dropna()) - {""} == {"CHN", "KAZ", "KGZ", "TJK", "TKM", "UZB"}
    dictionary = pd.read_csv(written[1])
    assert set(dictionary.column) == set(table.columns)
    net = dictionary.set_index("column").loc["st_china_net"]
    assert "Net stance index toward China" in net.meaning and net.type == "float"
    manifest = json.loads(written[2].read_text("utf-8"))
    assert manifest["codebook"]["name"] == "china-central-asia" and manifest["seed"] == 0
    assert manifest["versions"]["spacy"] and manifest["coding"]["sectors"] == SectorStage.base_version  # patterns only
    assert len(manifest["input_files"]) == 9 and manifest["by"] == ["about_country", "sector", "year"]


def test_stata_export_has_variable_labels(coded_project, tmp_path):
    export_project(coded_project, "passages", tmp_path / "p.dta")
    with pd.io.stata.StataReader(tmp_path / "p.dta") as reader:
        labels = reader.variable_labels()
        data = reader.read()
    assert "Countries the passage speaks about" in labels["about_country"]  # long: name-prefixed, cut
    assert labels["stance_chinese_loans"] == "Stance of the passage toward Chinese loans and debt"
    assert len(data) == 175


def test_codes_export_has_the_issue_columns(coded_project, tmp_path):
    export_project(coded_project, "codes", tmp_path / "codes.csv")
    table = pd.read_csv(tmp_path / "codes.csv")
    assert list(table.columns[:8]) == ["passage_id", "doc_id", "dimension", "target", "value",
                                       "score", "source", "status"]
    assert set(table.status) == {"predicted"}
    assert table.source.str.startswith("model:").all()


def test_bad_level_by_and_format(coded_project, tmp_path):
    with pytest.raises(UsageError, match="Unknown --level 'rows'"):
        export_project(coded_project, "rows", tmp_path / "x.csv")
    with pytest.raises(UsageError, match="Unknown --by dimension 'planet'"):
        export_project(coded_project, "panel", tmp_path / "x.csv", by=["planet"])
    with pytest.raises(UsageError, match="Unknown export format 'json'"):
        export_project(coded_project, "panel", tmp_path / "x.json")
    with pytest.raises(UsageError, match="no topic model yet"):
        export_project(coded_project, "topics", tmp_path / "x.csv")


def test_panel_by_metadata_field(coded_project, tmp_path):
    export_project(coded_project, "panel", tmp_path / "x.csv", by=["stakeholder", "kind"])
    table = pd.read_csv(tmp_path / "x.csv")
    assert {"business", "government", "media", "farmers"} <= set(table.stakeholder.dropna())
