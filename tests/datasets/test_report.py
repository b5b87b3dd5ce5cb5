"""The report on the example corpus and the UNGDC demo: offline, the export's numbers, every mark
linked to its cell's passages, a capped browser that says so, the network readable by Gephi's format."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import UNGDC
from report_checks import cell_rows, check_report, report_data, resource_references
from stancemap.corpus.store import Store
from stancemap.datasets.report.build import build_report
from stancemap.datasets.report.network import cooccurrence_graph, entity_mentions

from stancemap.config import Config


@pytest.fixture(scope="module")
def example_report(coded_project, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    lines = []
    result = build_report(coded_project, out, echo=lines.append)
    return result, lines


def test_example_report_matches_the_exports(example_report, coded_project, codebook, tmp_path):
    result, _ = example_report
    data = check_report(coded_project, result.path, codebook, tmp_path)
    sections = {f["section"] for f in data["figures"]}
    assert sections == {"overview", "perception", "sectors", "map", "network", "review"}
    ids = {f["id"] for f in data["figures"]}
    assert {"coverage", "stance-china", "sector-stance", "sources", "sector-share", "map-stance",
            "map-about", "network", "review-coded"} <= ids
    titles = {f["id"]: f["title"] for f in data["figures"]}
    for figure_id in ("stance-china", "sector-stance", "map-stance"):  # no validation sample here
        assert titles[figure_id].endswith("(model-only: not validated)"), titles[figure_id]
    assert not data["passages"]["capped"] and data["passages"]["embedded"] == result.passages


def test_example_report_progress_lines(example_report):
    _, lines = example_report
    assert lines[0] == "[1/9] passage table …"
    assert any(line.startswith("[1/9] passage table: ") and " passages" in line for line in lines)
    assert lines[-1].startswith("[9/9] writing HTML: ")


def test_browser_records_hold_codes_mentions_and_context(example_report, coded_project):
    result, _ = example_report
    passages = report_data(result.path)["passages"]
    records = [r for r in passages["records"] if r]
    with_mentions = [r for r in records if r["m"]]
    assert with_mentions
    for record in with_mentions:
        for start, end, _, _ in record["m"]:
            assert 0 <= start < end <= len(record["t"])
    sources = {code[4] for r in records for code in r["c"]}
    assert any(s.startswith("model:") and "@" in s for s in sources)  # the model and its version
    opinions = [r for r in records if r["l"] == "en" and r["r"] not in ("question", "context")]
    assert opinions and all(r["c"] for r in opinions)  # questions and headers get no stance
    # context: the neighbour's position, in the same document, one passage along
    for position, record in enumerate(passages["records"]):
        if record and "nx" in record:
            neighbour = passages["records"][record["nx"]]
            assert neighbour["d"] == record["d"] and neighbour["s"] == record["s"] + 1
    store = Store(coded_project, create=False)
    try:
        assert passages["total"] == store.counts()["passages"]
    finally:
        store.dispose()


def test_capped_report_says_so_and_keeps_every_cell_listed(coded_project, codebook, tmp_path):
    from stancemap.datasets.tables import passage_table

    out = tmp_path / "capped.html"
    result = build_report(coded_project, out, max_passages=10, echo=lambda line: None)
    data = report_data(out)
    passages = data["passages"]
    assert passages["capped"] and passages["embedded"] == result.embedded == 10
    assert sum(r is not None for r in passages["records"]) == 10
    assert "holds the text of 10 of" in out.read_text(encoding="utf-8")
    # cells still list all their passages (not only the embedded ones): every opinion, since
    # panels leave interviewer questions and transcript headers out
    store = Store(coded_project, create=False)
    try:
        roles = passage_table(store, codebook)["role"]
    finally:
        store.dispose()
    opinions = int((~roles.isin(["question", "context"])).sum())
    assert opinions < result.passages
    total = next(f for f in data["figures"] if f["id"] == "corpus-kind")
    assert sum(len(data["cells"][r["_cell"]]["p"]) for r in cell_rows(total["spec"])) == opinions
    # round-robin: the first cells each got an embedded passage
    first = [c for c in data["cells"] if c["p"]][:5]
    assert all(passages["records"][c["p"][0]] is not None for c in first)


def test_topics_over_time_with_their_terms(coded_project, codebook, tmp_path):
    import shutil

    from stancemap.nlp.pipeline import fit_topics

    project = tmp_path / "p"
    shutil.copytree(coded_project, project)
    config = Config()
    config.topics.num_topics = 4
    fit_topics(project, config, codebook)
    out = tmp_path / "topics.html"
    build_report(project, out, config=config, echo=lambda line: None)
    data = report_data(out)
    figure = next(f for f in data["figures"] if f["id"] == "topic-share")
    assert len(figure["topics"]) == 4 and all(t["terms"] for t in figure["topics"])
    rows = figure["spec"]["data"]["values"]
    assert all(r["share_lo"] <= r["share"] <= r["share_hi"] for r in rows)
    # a mark opens the passages of its year whose main topic it is
    passages = data["passages"]
    for row in rows:
        for position in data["cells"][row["_cell"]]["p"]:
            record = passages["records"][position]
            assert [c[2] for c in record["c"] if c[0] == "topic"]  # the passage has topic codes
    html = out.read_text(encoding="utf-8")
    assert "Topics: top terms per language" in html and figure["topics"][0]["terms"][0] in html
    store = Store(project, create=False)
    shown = store.passage_texts(set(figure["topics"][0]["representatives"]))
    store.dispose()
    assert len(shown) == 3  # the topic's three most representative passages are in the report
    assert all(" ".join(text.split())[:80] in html for text in shown.values())


def test_network_files_read_back_with_the_same_graph(example_report, coded_project):
    result, _ = example_report
    store = Store(coded_project, create=False)
    try:
        graph = cooccurrence_graph(entity_mentions(store))
    finally:
        store.dispose()
    assert graph.number_of_nodes() > 5 and graph.number_of_edges() > 0
    gexf, graphml = result.network
    assert gexf.suffix == ".gexf" and graphml.suffix == ".graphml"
    for back in (nx.read_gexf(gexf), nx.read_graphml(graphml)):
        assert set(back.nodes) == set(graph.nodes)
        assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in graph.edges}
        for a, b, weight in graph.edges(data="weight"):
            assert back.edges[a, b]["weight"] == weight
    types = {t for _, t in graph.nodes(data="type")}
    assert {"organisation", "project", "place"} <= types


@pytest.mark.slow
@pytest.mark.skipif(not UNGDC.is_dir(), reason=f"UNGDC demo corpus not found at {UNGDC}")
def test_ungdc_report(tmp_path, codebook, ungdc_project):
    project = ungdc_project
    out = tmp_path / "ungdc.html"
    result = build_report(project, out, config=Config(), echo=lambda line: None)
    data = check_report(project, out, codebook, tmp_path)
    assert resource_references(out) == []
    figures = {f["id"]: f for f in data["figures"]}
    six = {"CHN", "KAZ", "KGZ", "TJK", "TKM", "UZB"}
    # README_UNGDC.txt is excluded at ingestion (README*): every bar is a speaker's country
    assert {r["source_country"] for r in cell_rows(figures["corpus-source_country"]["spec"])} == six
    assert {r["year"] for r in cell_rows(figures["corpus-year"]["spec"])} - {None} == set(range(2013, 2019))
    assert {r["source_country"] for r in cell_rows(figures["stance-china"]["spec"])} <= six
    assert {r["about_country" if "about_country" in r else "country"]
            for r in cell_rows(figures["map-about"]["spec"])} >= six
    assert result.passages == data["passages"]["total"]


def test_a_corpus_without_source_countries_is_drawn_as_all_sources(tmp_path, coder, codebook):
    """Speeches ingested without --pattern: the report says how to give them their countries,
    and the pooled cell is "all sources", not a "—" country."""
    from stancemap.corpus.ingest import ingest
    from stancemap.nlp.pipeline import code_project

    folder = tmp_path / "ungdc"
    folder.mkdir()
    speech = ("We welcome the Belt and Road Initiative. China's investment in our railways has "
              "helped our exporters reach new markets, and we thank our partners.")
    for name in ("KAZ_74_2019.txt", "UZB_74_2019.txt", "KGZ_75_2020.txt"):
        (folder / name).write_text(f"{speech} ({name[:3]})", encoding="utf-8")
    project = tmp_path / "p"
    ingest(folder, project, config=Config())
    code_project(project, Config(), codebook, coder=coder)
    result = build_report(project, tmp_path / "r.html", config=Config(), echo=lambda line: None)
    assert result.sources.startswith("3 of 3 passages have no source country")
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "--pattern &quot;{country}_{session}_{year}.txt&quot;" in html or \
        '--pattern "{country}_{session}_{year}.txt"' in html
    figures = {f["id"]: f for f in report_data(tmp_path / "r.html")["figures"]}
    labels = {r["source_country_label"] for r in cell_rows(figures["corpus-source_country"]["spec"])}
    assert labels == {"all sources"}
    assert {r["_group"] for r in cell_rows(figures["stance-china"]["spec"])} == {"all sources"}


def test_report_cells_follow_the_projects_panel_settings(coded_project, codebook, tmp_path):
    """A project that counts sources' stances toward themselves gets that in its report too:
    each stance mark holds the value `export --level panel` gives with the same settings."""
    import pandas as pd

    from stancemap.datasets.export import export_project

    config = Config()
    config.panel.include_self = True
    report = build_report(coded_project, tmp_path / "r.html", by=["source_country"], config=config,
                          codebook=codebook, echo=lambda line: None)
    export_project(coded_project, "panel", tmp_path / "p.csv", by=["source_country"], config=config,
                   codebook=codebook)
    default = build_report(coded_project, tmp_path / "d.html", by=["source_country"], codebook=codebook,
                           echo=lambda line: None)
    exported = pd.read_csv(tmp_path / "p.csv").set_index("source_country")
    figure = next(f for f in report_data(report.path)["figures"] if f["id"] == "stance-china")
    before = next(f for f in report_data(default.path)["figures"] if f["id"] == "stance-china")
    rows = cell_rows(figure["spec"])
    for row in rows:
        assert row["st_china_n"] == exported.loc[row["source_country"], "st_china_n"]
    # the Chinese sources' own stances toward China are counted only with include_self
    assert sum(r["st_china_n"] for r in rows) > sum(r["st_china_n"] for r in cell_rows(before["spec"]))
