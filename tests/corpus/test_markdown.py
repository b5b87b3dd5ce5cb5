"""Markdown read as Markdown: front matter is metadata, headings are section titles (not
passages), links and emphasis keep their text."""

import shutil

from conftest import DATA
from stancemap.config import Config
from stancemap.corpus.ingest import ingest
from stancemap.corpus.store import Store


def read(folder, project):
    report = ingest(folder, project, config=Config())
    store = Store(project, create=False)
    try:
        (document,) = store.iter_documents()
        return report, document, store.passages_of(document["doc_id"])
    finally:
        store.dispose()


def test_front_matter_headings_and_links(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "briefing.md", folder)
    report, document, passages = read(folder, tmp_path / "p")
    assert report.warnings == []
    assert document["title"] == "Briefing on U.S. engagement with Central Asia"
    assert document["date"] == "2024-09-23"
    assert document["meta"] == {"author": "Office of the Spokesperson; Bureau of South and Central "
                                          "Asian Affairs", "country": "USA", "tags": "C5+1"}
    assert document["extraction"]["library"] == "markdown-it-py"
    texts = [p["text"] for p in passages]
    assert texts[0] == ("The C5+1 format brings Kazakhstan, Kyrgyzstan, Tajikistan,\n"
                        "Turkmenistan and Uzbekistan together with the United States.")
    assert texts[1] == ("Critical minerals: a new dialogue with Kazakhstan.\n"
                        "The Middle Corridor across the Caspian.")
    assert len(texts) == 4 and not any(t.lstrip().startswith(("#", "---", "title:")) for t in texts)
    assert not any("](" in t or "**" in t or "not prose" in t for t in texts)
    assert [p["meta"].get("section") for p in passages] == ["Background briefing", "Trade", "Trade",
                                                            "Trade"]
    for passage in passages:
        assert document["text"][passage["start"]:passage["end"]] == passage["text"]


def test_a_heading_alone_is_a_title_and_bad_front_matter_is_named(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "note.md").write_text("---\ntitle: [unclosed\n---\n# Middle Corridor\n\n"
                                    "Freight through Aktau grew in 2023.\n", encoding="utf-8")
    report, document, passages = read(folder, tmp_path / "p")
    assert document["title"] == "Middle Corridor"
    assert [p["text"] for p in passages] == ["Freight through Aktau grew in 2023."]
    assert "the YAML front matter was not read" in document["extraction"]["warnings"][0]
