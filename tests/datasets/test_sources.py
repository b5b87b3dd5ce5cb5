"""Who speaks: sources from any country are kept, a value that names no country is kept as
written and listed, a folder ingested without its sources' countries says so, and a byline
naming an office and its country sets the source a document's metadata does not give."""

import shutil

import pandas as pd
from conftest import DATA

from stancemap.config import Config
from stancemap.corpus.ingest import ingest
from stancemap.corpus.store import Store
from stancemap.datasets.export import build_table, export_project
from stancemap.datasets.sources import SourceResolver, missing_sources
from stancemap.datasets.tables import passage_table

TEXT = "The new railway to China will help our exporters, the minister said in {place}."


def test_sources_outside_the_codebook_are_kept_and_unknown_ones_listed(tmp_path, codebook):
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [("us.txt", "USA"), ("bd.txt", "Bangladesh"), ("ru.txt", "Russian Federation"),
            ("tr.txt", "Türkiye"), ("kz.txt", "Қазақстан"), ("x.txt", "Narnia")]
    for index, (name, _) in enumerate(rows):
        (folder / name).write_text(TEXT.format(place=f"city {index}"), encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,country\n" + "".join(f"{n},{c}\n" for n, c in rows), encoding="utf-8")
    report = ingest(folder, tmp_path / "p", manifest=manifest, config=Config())
    assert report.unresolved_countries == [{"value": "Narnia", "files": ["x.txt"]}]
    assert any("Narnia" in w and "as written" in w for w in report.warnings)
    assert report.to_json()["unresolved_countries"] == report.unresolved_countries
    assert report.suggested_pattern is None  # a manifest gives the metadata

    store = Store(tmp_path / "p", create=False)
    try:
        table = passage_table(store, codebook)
    finally:
        store.dispose()
    by_file = dict(zip(table["source_path"].map(lambda p: p.rsplit("/", 1)[-1]), table["source_country"]))
    assert by_file == {"us.txt": "USA", "bd.txt": "BGD", "ru.txt": "RUS", "tr.txt": "TUR",
                       "kz.txt": "KAZ", "x.txt": "Narnia"}


def test_source_country_resolution(codebook):
    sources = SourceResolver(codebook)
    assert [sources.country(v) for v in ("Kyrgyz Republic", "kg", "  United  Kingdom ", "643",
                                          "Кыргызстан", "Korea, Rep.", "", None, "Mars  base")] == \
        ["KGZ", "KGZ", "GBR", "RUS", "KGZ", "KOR", None, None, "Mars base"]


def test_speeches_without_a_pattern_get_a_suggestion_and_a_note(tmp_path, codebook):
    folder = tmp_path / "ungdc"
    folder.mkdir()
    for name in ("KAZ_74_2019.txt", "UZB_74_2019.txt", "USA_75_2020.txt"):
        (folder / name).write_text(TEXT.format(place=name[:3]), encoding="utf-8")
    report = ingest(folder, tmp_path / "p", config=Config())
    assert report.suggested_pattern == "{country}_{session}_{year}.txt"
    assert any("--pattern '{country}_{session}_{year}.txt'" in w for w in report.warnings)

    store = Store(tmp_path / "p", create=False)
    try:
        table = passage_table(store, codebook)
    finally:
        store.dispose()
    note = missing_sources(table)
    assert note.startswith("3 of 3 passages have no source country")
    assert "--pattern" in note and "KAZ_74_2019.txt" in note
    told = []
    export_project(tmp_path / "p", "panel", tmp_path / "panel.csv", codebook=codebook, echo=told.append)
    assert told == [note]
    assert missing_sources(table.assign(source_country="KAZ")) is None

    again = ingest(folder, tmp_path / "q", pattern="{country}_{session}_{year}.txt", config=Config())
    assert again.suggested_pattern is None and again.unresolved_countries == []


def test_no_suggestion_for_names_that_are_not_country_year(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("notes_2019.txt", "ABC_1_2019.txt", "interview.txt"):
        (folder / name).write_text(TEXT.format(place=name), encoding="utf-8")
    assert ingest(folder, tmp_path / "p", config=Config()).suggested_pattern is None


def _write_letter(path, author: str, text: str) -> None:
    import docx

    letter = docx.Document()
    letter.add_paragraph(text)
    letter.core_properties.author = author
    letter.save(path)


def _bylines_folder(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(DATA / "bylines", folder)
    _write_letter(folder / "letter.docx", "Chargé d'affaires of the Russian Federation in Uzbekistan",
                  "Russia and Uzbekistan agreed to build a nuclear power plant together. It will "
                  "supply clean energy to Uzbek homes for sixty years.")
    _write_letter(folder / "note.docx", "admin", "Minutes of the Tashkent logistics forum: "
                  "speakers discussed rail tariffs and customs windows.")
    return folder


def _by_file(table, column):
    first = table[~table["source_path"].str.endswith((".jsonl", ".csv"))].drop_duplicates("source_path")
    values = first[column].astype(object).where(first[column].notna(), None)
    return dict(zip(first["source_path"].map(lambda p: p.rsplit("/", 1)[-1]), values))


def test_a_byline_sets_the_source_and_the_panel_counts_it_there(tmp_path, codebook):
    ingest(_bylines_folder(tmp_path), tmp_path / "p", config=Config())
    store = Store(tmp_path / "p", create=False)
    try:
        table = passage_table(store, codebook)
        panel = build_table(store, codebook, Config(), "panel", ["source_country"])
        off = passage_table(store, codebook, bylines=False)
    finally:
        store.dispose()
    assert _by_file(table, "source_country") == {
        "oped_ambassador.html": "CHN", "oped_tail_line.txt": "CHN", "letter.docx": "RUS",
        "note.docx": None, "local_report.txt": None, "column.md": "CHN"}
    wire = table[table["source_path"].str.endswith("wire.jsonl")].set_index("title")  # a record each
    assert wire["source_country"].fillna("none").to_dict() == {
        "Tashkent forum backs new rail corridor": "UZB", "Almaty cafés face higher rents": "none"}
    rows = table[table["source_path"].str.endswith("news.csv")]  # an author column is metadata
    assert rows["source_country"].fillna("none").tolist() == ["CHN", "none"]
    assert _by_file(table, "source_from") == {
        "oped_ambassador.html": "byline", "oped_tail_line.txt": "byline", "letter.docx": "byline",
        "note.docx": None, "local_report.txt": None, "column.md": "byline"}
    evidence = _by_file(table, "source_evidence")
    assert evidence["oped_tail_line.txt"] == ("byline_line: 'The writer is the Chinese Ambassador to "
                                              "Kazakhstan.' (diplomat: 'Ambassador' of 'Chinese' = CHN)")
    assert evidence["oped_ambassador.html"].startswith("author: \"Li Jiming, Ambassador of the People's")
    assert _by_file(table, "stakeholder")["letter.docx"] == "government"
    cells = panel.set_index("source_country")
    assert cells.loc["CHN", "n_documents"] == 4 and cells.loc["RUS", "n_documents"] == 1
    assert off["source_country"].isna().all() and off["source_from"].isna().all()


def test_a_given_source_wins_over_the_byline(tmp_path, codebook):
    folder = _bylines_folder(tmp_path)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,country,stakeholder\noped_ambassador.html,Bangladesh,media\n"
                        "oped_tail_line.txt,,\n", encoding="utf-8")
    ingest(folder, tmp_path / "p", manifest=manifest, config=Config())
    store = Store(tmp_path / "p", create=False)
    try:
        table = passage_table(store, codebook)
    finally:
        store.dispose()
    assert _by_file(table, "source_country")["oped_ambassador.html"] == "BGD"
    assert _by_file(table, "source_from")["oped_ambassador.html"] == "metadata"
    assert _by_file(table, "stakeholder")["oped_ambassador.html"] == "media"
    assert _by_file(table, "source_evidence")["oped_ambassador.html"] is None
    assert _by_file(table, "source_country")["oped_tail_line.txt"] == "CHN"  # an empty cell gives none
