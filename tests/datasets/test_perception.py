"""Perception panels count who perceives what: sources, not mentions; respondents, not the
interviewer; other countries' views, not a country's view of itself."""

import shutil

import pandas as pd
import pytest
from conftest import DATA, UNGDC, needs_shared
from stancemap.corpus.ingest import ingest
from stancemap.corpus.store import Store
from stancemap.datasets.export import export_project
from stancemap.datasets.panel import panel_table
from stancemap.datasets.tables import passage_table
from stancemap.nlp.pipeline import code_project

from stancemap.config import Config, PanelConfig

TARGETS = ("china", "bri", "chinese_investment", "chinese_loans", "bri_projects")


def passages(rows):
    base = {"doc_id": "d0", "source_id": None, "source_country": "KAZ", "role": None, "year": 2020,
            "about_country": None, "about_region": None, "sectors": None, "sentiment_score": None,
            **{f"stance_{t}": None for t in TARGETS}, **{f"stance_{t}_self": None for t in TARGETS}}
    table = pd.DataFrame([{**base, "passage_id": f"p{i}", **row} for i, row in enumerate(rows)])
    table["source_id"] = table["source_id"].fillna(table["doc_id"])
    return table


def test_question_passages_and_self_stances_are_left_out_and_counted(codebook):
    table = passages([
        {"source_country": "CHN", "stance_china": "favour", "stance_china_self": True},
        {"source_country": "CHN", "stance_china": "favour", "stance_china_self": True},
        {"source_country": "CHN", "stance_chinese_loans": "against", "stance_chinese_loans_self": True},
        {"source_country": "KAZ", "doc_id": "d1", "stance_china": "against", "stance_china_self": False},
        {"source_country": "KAZ", "doc_id": "d1", "role": "question", "stance_china": "favour"},
    ])
    panel = panel_table(table, ["source_country"], codebook).set_index("source_country")
    assert panel.loc["CHN", "n_passages"] == 3 and panel.loc["CHN", "st_china_n"] == 0
    assert panel.loc["CHN", "st_china_self_n"] == 2 and pd.isna(panel.loc["CHN", "st_china_net"])
    assert panel.loc["KAZ", "n_passages"] == 1 and panel.loc["KAZ", "st_china_ag"] == 1.0
    assert panel.attrs["left_out"] == {"question_passages": 1, "self_stances": {
        "china": 2, "bri": 0, "chinese_investment": 0, "chinese_loans": 1, "bri_projects": 0}}
    asked = panel_table(table, ["source_country"], codebook,
                        PanelConfig(include_self=True, include_questions=True)).set_index("source_country")
    assert asked.loc["CHN", "st_china_n"] == 2 and asked.loc["KAZ", "n_passages"] == 2


def test_distinct_sources_are_speakers_not_passages(codebook):
    interview = [{"doc_id": "i1", "source_id": "i1/R1"}] * 40 + [{"doc_id": "i1", "source_id": "i1/R2"}]
    speeches = [{"doc_id": "s1"}, {"doc_id": "s1"}, {"doc_id": "s2"}]
    panel = panel_table(passages(interview + speeches), ["year"], codebook).iloc[0]
    assert (panel.n_passages, panel.n_documents, panel.n_sources) == (44, 3, 4)


def test_a_region_is_not_its_members_unless_spread(codebook):
    table = passages([{"about_region": "central_asia"}, {"about_country": "KAZ"}])
    plain = panel_table(table, ["about_country"], codebook)
    assert plain.about_country.fillna("-").tolist() == ["KAZ", "-"] and plain.n_passages.tolist() == [1, 1]
    spread = panel_table(table, ["about_country"], codebook, PanelConfig(spread_regions=True))
    assert dict(zip(spread.about_country, spread.n_passages)) == {
        "KAZ": 2, "KGZ": 1, "TJK": 1, "TKM": 1, "UZB": 1}
    regions = panel_table(table, ["about_region"], codebook)
    assert dict(zip(regions.about_region.fillna("-"), regions.n_passages)) == {"central_asia": 1, "-": 1}


def test_panel_by_target_has_one_row_per_target(codebook):
    table = passages([{"stance_china": "favour", "stance_bri": "against"},
                      {"stance_china": "against"}, {"stance_china": "favour"}])
    panel = panel_table(table, ["source_country", "target"], codebook).set_index("target")
    assert panel.loc["china", "st_n"] == 3 and panel.loc["china", "st_fav"] == pytest.approx(2 / 3)
    assert panel.loc["bri", "n_passages"] == 1 and panel.loc["bri", "st_ag"] == 1.0
    assert "st_china_n" not in panel


@pytest.fixture
def interviews(tmp_path, coder, codebook):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("interview_q.txt", "interview_interviewer.txt", "interview_named.txt"):
        shutil.copy(DATA / name, folder / name)
    manifest = tmp_path / "meta.csv"
    manifest.write_text("path,speaker,kind,country,stakeholder_group\n"
                        "interview_q.txt,,interview,UZB,business\n"
                        "interview_interviewer.txt,,interview,KGZ,farmers\n"
                        "interview_named.txt,,interview,KGZ,\n"
                        "interview_named.txt,Aibek Toktogulov,,,business\n"
                        "interview_named.txt,Gulnara Osmonova,,,local community\n", encoding="utf-8")
    project = tmp_path / "p"
    ingest(folder, project, manifest=manifest)
    code_project(project, Config(), codebook, coder=coder)
    return project


def test_questions_get_no_stance_or_sentiment_and_respondents_their_group(interviews, codebook):
    table = passage_table(Store(interviews), codebook)
    questions = table[table.role == "question"]
    assert set(questions.speaker) == {"Q", "Interviewer", "Moderator"} and len(questions) == 6
    opinion_columns = ["sentiment", *(f"stance_{t}" for t in TARGETS)]
    assert questions[opinion_columns].isna().all().all()
    assert set(questions.source_kind) == {"interviewer"}
    respondents = table[table.role == "respondent"]
    assert respondents[opinion_columns].notna().any().any()  # their turns are coded
    groups = dict(zip(respondents.speaker, respondents.stakeholder))
    assert groups == {"A": "business", "Respondent": "farmers", "Aibek Toktogulov": "business",
                      "Gulnara Osmonova": "local_community"}
    assert set(respondents.source_kind) == {"interview_respondent"}
    assert respondents.groupby("speaker").source_id.nunique().eq(1).all()
    panel = panel_table(table, ["source_country"], codebook).set_index("source_country")
    assert panel.loc["KGZ", "n_sources"] == 3  # Respondent, Aibek, Gulnara (the moderator is not counted)
    assert panel.attrs["left_out"]["question_passages"] == 8  # 6 questions, 2 headers
    headers = table[table.role == "context"]
    assert len(headers) == 2 and headers[opinion_columns].isna().all().all()


def test_mentions_export_points_into_the_documents(interviews, tmp_path):
    export_project(interviews, "mentions", tmp_path / "m.csv")
    mentions = pd.read_csv(tmp_path / "m.csv", keep_default_na=False)
    assert list(mentions.columns) == ["passage_id", "doc_id", "start", "end", "label", "canonical_id",
                                      "entity_country", "surface", "source"]
    texts = {d["doc_id"]: d["text"] for d in Store(interviews).iter_documents()}
    assert len(mentions) > 5
    assert all(texts[m.doc_id][m.start:m.end] == m.surface for m in mentions.itertuples())
    assert "CHN" in set(mentions.entity_country)
    dictionary = pd.read_csv(tmp_path / "m.csv.dictionary.csv").set_index("column")
    assert dictionary.loc["start", "meaning"].startswith("Character offset where the mention starts")


@needs_shared
@pytest.mark.slow
def test_ungdc_panel_by_source_country_and_year(tmp_path, ungdc_coded, ungdc_project):
    """The speeches' own country-years, one source per speech, China's self-praise set apart."""
    project, report = ungdc_project, ungdc_coded[1]
    assert [e["path"] for e in report.excluded] == ["README_UNGDC.txt"] and report.warnings == []
    out = tmp_path / "panel.csv"
    export_project(project, "panel", out)
    panel = pd.read_csv(out)
    speeches = sorted((p.name[:3], int(p.stem[-4:])) for p in UNGDC.glob("???_??_????.txt"))
    assert sorted(zip(panel.source_country, panel.year)) == speeches and ("UZB", 2015) not in speeches
    assert (panel.n_sources == 1).all() and (panel.n_documents == 1).all()
    china = panel[panel.source_country == "CHN"]
    assert china.st_china_self_n.sum() > 0 and (china.st_china_n == 0).all()
    others = panel[panel.source_country != "CHN"]
    assert (others.st_china_self_n == 0).all()
    import json
    manifest = json.loads((tmp_path / "panel.csv.manifest.json").read_text("utf-8"))
    assert manifest["by"] == ["source_country", "year"]
    assert manifest["panel"]["left_out"]["self_stances"]["china"] == china.st_china_self_n.sum()
