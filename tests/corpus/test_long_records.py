"""A table row or JSON record longer than a passage is cut into paragraph passages, as a
document is; each keeps its offsets and the record's id and metadata. Short survey answers
stay one passage each."""

import csv
import json

import pytest

from stancemap.config import Config
from stancemap.corpus.ingest import ingest
from stancemap.corpus.store import Store


def article(topic: str, paragraphs: int = 30) -> str:
    """About 20,000 characters in paragraphs of about 660, as a news site's export has them."""
    sentence = (f"The {topic} project near Khorgos was discussed by officials from China and "
                f"Kazakhstan, who said freight volumes would grow next year. ")
    return "\n\n".join(f"Paragraph {n}. " + sentence * 5 for n in range(paragraphs))


def stored(project):
    store = Store(project, create=False)
    try:
        return [(document, store.passages_of(document["doc_id"])) for document in store.iter_documents()]
    finally:
        store.dispose()


@pytest.fixture
def limit():
    return Config().ingest.max_passage_chars


def test_long_csv_articles_become_paragraph_passages(tmp_path, limit):
    folder = tmp_path / "in"
    folder.mkdir()
    with (folder / "news.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "outlet", "date", "text"])
        writer.writerow(["a1", "Daily Star", "2023-05-01", article("rail")])
        writer.writerow(["a2", "Prothom Alo", "2023-06-01", article("port")])
    report = ingest(folder, tmp_path / "p", config=Config())
    assert report.counts["ingested"] == 1
    (document, passages), = stored(tmp_path / "p")
    assert len(article("rail")) > 19_000
    assert all(p["end"] - p["start"] <= limit for p in passages)
    assert len(passages) >= 2 * (19_000 // limit)
    for passage in passages:  # offsets into the document text, the record's id and metadata
        assert document["text"][passage["start"]:passage["end"]] == passage["text"]
        assert passage["meta"]["outlet"] in ("Daily Star", "Prothom Alo")
        assert passage["speaker"] == passage["meta"]["respondent_id"]
    first = [p for p in passages if p["meta"]["outlet"] == "Daily Star"]
    assert {p["speaker"] for p in first} == {"a1"} and first[0]["text"].startswith("Paragraph 0.")
    assert "\n\n" not in first[0]["text"]  # cut at paragraphs, not at an arbitrary length


def test_short_survey_answers_stay_one_passage_each(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    answer = "Chinese investment brought jobs to our town, but the debt worries me.\n\nA lot."
    (folder / "survey.csv").write_text(
        "respondent_id,country,q1\n" + "".join(f'r{i},KAZ,"{answer} ({i})"\n' for i in range(5)),
        encoding="utf-8")
    ingest(folder, tmp_path / "p", config=Config())
    (_, passages), = stored(tmp_path / "p")
    assert len(passages) == 5 and all("\n\nA lot." in p["text"] for p in passages)


def test_long_jsonl_records_become_paragraph_passages(tmp_path, limit):
    folder = tmp_path / "in"
    folder.mkdir()
    records = [{"id": "n1", "text": article("gas"), "outlet": "Xinhua"},
               {"id": "n2", "text": article("power"), "outlet": "Reuters"}]
    (folder / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    ingest(folder, tmp_path / "p", config=Config())
    found = stored(tmp_path / "p")
    assert sorted(d["meta"]["id"] for d, _ in found) == ["n1", "n2"]
    for document, passages in found:
        assert len(passages) > 1 and all(p["end"] - p["start"] <= limit for p in passages)
        assert all(document["text"][p["start"]:p["end"]] == p["text"] for p in passages)
