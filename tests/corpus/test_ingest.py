"""Ingestion end to end on real files: accounting, metadata, versions, duplicates, offsets."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import DATA, EXAMPLES, HOSTILE, needs_shared
from stancemap.config import Config, IngestConfig
from stancemap.corpus.ingest import STATUSES
from stancemap.corpus.store import Store, documents, file_events, passages

CORPUS = EXAMPLES / "corpus"


def all_passages(project):
    store = Store(project, create=False)
    try:
        for document in store.iter_documents(include_retired=True):
            for passage in store.passages_of(document["doc_id"]):
                yield document, passage
    finally:
        store.dispose()


def assert_offsets_hold(project):
    count = 0
    for document, passage in all_passages(project):
        assert document["text"][passage["start"]:passage["end"]] == passage["text"], passage
        count += 1
    assert count


def table_rows(project, table, *columns):
    store = Store(project, create=False)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*[table.c[c] for c in columns])).all()
    store.dispose()
    return sorted(tuple(r) for r in rows)


def test_example_corpus_with_manifest(ingest_folder):
    report, project = ingest_folder(CORPUS, manifest=EXAMPLES / "manifest.csv")
    statuses = {f.path: f.status for f in report.files}
    assert len(statuses) == 9
    assert statuses["news/2025-06-18_astana_summit_wire_copy.html"] == "near_duplicate"
    assert report.counts["ingested"] == 8 and report.exit_code == 0 and report.warnings == []
    docs = {d["title"]: d for d in Store(project).iter_documents()}
    interview = docs["Interview KZ-07 — logistics manager, Khorgos Gateway dry port"]
    assert interview["kind"] == "interview" and interview["date"] == "2024-03-14"
    assert interview["meta"] == {"country": "KAZ", "stakeholder_group": "business"}
    assert interview["extraction"]["transcript"] is True
    russian = docs["Казахстан и Китай запускают новый контейнерный маршрут"]
    assert russian["lang"] == "ru" and russian["kind"] == "news" and russian["meta"]["country"] == "KAZ"
    copy = docs["China–Central Asia Summit opens in Astana (wire)"]
    original = docs["Second China–Central Asia Summit opens in Astana with focus on transport and energy"]
    assert copy["near_duplicate_of"] == original["doc_id"]
    assert copy["cluster_id"] == original["cluster_id"] == original["doc_id"]
    assert_offsets_hold(project)


def test_survey_languages_per_passage(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "survey" / "stakeholder_survey_2024.csv", folder)
    _, project = ingest_folder(folder)
    langs = [p["lang"] for _, p in all_passages(project)]
    assert langs.count("ru") == 6 and langs.count("en") == 9
    (document,) = Store(project).iter_documents()
    assert document["kind"] == "survey" and document["extraction"]["languages"].keys() == {"en", "ru"}


def test_pattern_metadata_and_unmatched_warning(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    (folder / "KAZ" / "news").mkdir(parents=True)
    (folder / "loose.txt").parent.mkdir(exist_ok=True)
    shutil.copy(DATA / "policy_note.md", folder / "KAZ" / "news" / "note.md")
    (folder / "loose.txt").write_text("A loose file about Tashkent and Beijing.", encoding="utf-8")
    report, project = ingest_folder(folder, pattern="{country}/{kind}/*")
    docs = {d["source_path"].rsplit("/", 1)[1]: d for d in Store(project).iter_documents()}
    assert docs["note.md"]["meta"] == {"country": "KAZ"} and docs["note.md"]["kind"] == "news"
    assert docs["loose.txt"]["meta"] == {}
    assert report.warnings == ["1 file(s) did not match the pattern '{country}/{kind}/*' and got "
                               "no metadata from it: loose.txt"]
    assert report.to_json()["unmatched_pattern"] == ["loose.txt"]


def test_readme_license_hidden_and_ignored_files_are_excluded_and_listed(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    (folder / "drafts").mkdir(parents=True)
    for name in ("KAZ_70_2015.txt", "KGZ_70_2015.txt"):
        (folder / name).write_text(f"Speech {name} on trade with China and the region.", "utf-8")
    (folder / "README_UNGDC.txt").write_text("About this corpus: 36 speeches.", "utf-8")
    (folder / "LICENSE").write_text("CC BY 4.0", "utf-8")
    (folder / "NOTES.md").write_text("# How we collected the speeches", "utf-8")
    (folder / ".DS_Store").write_bytes(b"\0\1")
    (folder / "drafts" / "KAZ_70_2015.txt").write_text("An unfinished draft about Astana.", "utf-8")
    (folder / ".stancemapignore").write_text("# not inputs\ndrafts/\n", "utf-8")
    report, project = ingest_folder(folder, pattern="{country}_{session}_{year}.txt")
    assert sorted(f.path for f in report.files) == ["KAZ_70_2015.txt", "KGZ_70_2015.txt"]
    excluded = {e["path"]: e["rule"] for e in report.to_json()["excluded"]}
    assert excluded == {".DS_Store": ".*", ".stancemapignore": ".*", "LICENSE": "/LICENSE*",
                        "NOTES.md": "/*.md (root, not matching --pattern)",
                        "README_UNGDC.txt": "/README*", "drafts/": "drafts/"}
    assert report.warnings == [] and report.counts["excluded"] == 6


def test_a_readme_deeper_down_is_an_input(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    (folder / "KAZ").mkdir(parents=True)
    (folder / "KAZ" / "README.txt").write_text("Officials in Astana describe the new port.", "utf-8")
    report, _ = ingest_folder(folder, config=Config(ingest={"exclude": ["/README*", "*.tmp"]}))
    assert [f.path for f in report.files] == ["KAZ/README.txt"] and report.excluded == []


def test_speaker_rows_of_a_manifest_describe_respondents(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "interview_named.txt", folder / "fg2.txt")
    manifest = tmp_path / "meta.csv"
    manifest.write_text("path,speaker,country,stakeholder_group\n"
                        "fg2.txt,,KGZ,\n"
                        "fg2.txt,Aibek Toktogulov,,business\n"
                        "fg2.txt,Gulnara Osmonova,KAZ,local_community\n", encoding="utf-8")
    report, project = ingest_folder(folder, manifest=manifest)
    assert report.warnings == []
    (document,) = Store(project).iter_documents()
    assert document["meta"] == {"country": "KGZ"}
    turns = [(p["speaker"], p["role"], p["meta"]) for p in Store(project).passages_of(document["doc_id"])]
    assert turns == [
        (None, "context", {}), ("Moderator", "question", {}),
        ("Aibek Toktogulov", "respondent", {"stakeholder_group": "business"}),
        ("Gulnara Osmonova", "respondent", {"country": "KAZ", "stakeholder_group": "local_community"}),
        ("Moderator", "question", {}), ("Aibek Toktogulov", "respondent", {"stakeholder_group": "business"})]


def test_reingest_unchanged_does_nothing(ingest_folder, tmp_path):
    first, project = ingest_folder(CORPUS, manifest=EXAMPLES / "manifest.csv")
    before = table_rows(project, passages, "passage_id", "text")
    second, _ = ingest_folder(CORPUS, project, manifest=EXAMPLES / "manifest.csv")
    assert all(f.unchanged for f in second.files)
    assert [f.status for f in second.files] == [f.status for f in first.files]
    assert second.counts["passages"] == 0 and second.warnings == []  # every manifest row used
    assert table_rows(project, passages, "passage_id", "text") == before
    assert len(Store(project).run_log(second.run_id)) == 9
    edited = tmp_path / "manifest.csv"
    edited.write_text((EXAMPLES / "manifest.csv").read_text("utf-8").replace(
        "kz_khorgos_logistics_manager.txt,KAZ,interview,business,2024-03-14",
        "kz_khorgos_logistics_manager.txt,KGZ,interview,business,2024-03-15"), "utf-8")
    third, _ = ingest_folder(CORPUS, project, manifest=edited)
    changed = [f for f in third.files if not f.unchanged]
    assert [f.path for f in changed] == ["interviews/kz_khorgos_logistics_manager.txt"]
    assert changed[0].status == "ingested" and "1 document(s) updated" in changed[0].reason
    assert third.warnings == [] and third.counts["passages"] == 0
    (document,) = [d for d in Store(project).iter_documents() if d["doc_id"] == changed[0].doc_ids[0]]
    assert document["meta"]["country"] == "KGZ" and document["date"] == "2024-03-15"
    assert table_rows(project, passages, "passage_id", "text") == before


def test_changed_file_gets_a_new_version_and_the_old_one_is_retired(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / "note.md"
    shutil.copy(DATA / "policy_note.md", target)
    first, project = ingest_folder(folder)
    old_id = first.files[0].doc_id
    target.write_text(target.read_text("utf-8") + "\n\nA new paragraph on Kuryk port.", "utf-8")
    second, _ = ingest_folder(folder, project)
    new_id = second.files[0].doc_id
    assert new_id != old_id and second.files[0].status == "ingested"
    rows = {r[0]: r for r in table_rows(project, documents, "doc_id", "version", "retired_at",
                                         "superseded_by")}
    assert rows[old_id][1] == 1 and rows[old_id][2] is not None and rows[old_id][3] == new_id
    assert rows[new_id][1] == 2 and rows[new_id][2] is None
    assert Store(project).counts()["documents"] == 1  # only the current version is active
    shutil.copy(DATA / "policy_note.md", target)  # reverting brings the first version back
    third, _ = ingest_folder(folder, project)
    assert third.files[0].doc_id == old_id
    assert {r[0]: r[2] for r in table_rows(project, documents, "doc_id", "version", "retired_at")}[old_id] is None


def test_exact_duplicates_are_not_stored_twice(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "policy_note.md", folder / "a.txt")  # as text: a .md file is read as Markdown
    (folder / "b.txt").write_text((DATA / "policy_note.md").read_text("utf-8").replace("\n", "\r\n") + "  \n",
                                  encoding="utf-16")
    report, project = ingest_folder(folder)
    assert [f.status for f in report.files] == ["ingested", "duplicate"]
    assert report.files[1].doc_id == report.files[0].doc_id
    assert "a.txt" in report.files[1].reason
    assert Store(project).counts()["documents"] == 1
    assert report.exit_code == 0


def test_limits_skip_big_and_slow_files(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "big.txt").write_text("Astana " * 200_000, encoding="utf-8")
    shutil.copy(CORPUS / "policy" / "digital_silk_road_brief.pdf", folder)
    config = Config(ingest=IngestConfig(max_file_mb=1, timeout_s=0.001, timeout_per_page_s=0))
    report, _ = ingest_folder(folder, config=config)
    reasons = {f.path: (f.status, f.reason) for f in report.files}
    assert reasons["big.txt"][0] == "skipped" and "over the 1 MB limit" in reasons["big.txt"][1]
    status, reason = reasons["digital_silk_road_brief.pdf"]
    assert status == "skipped" and "longer than 0.001 s" in reason
    assert report.exit_code == 3


def test_tiny_fixtures_keep_offsets(ingest_folder):
    report, project = ingest_folder(DATA)
    statuses = {f.path: f.status for f in report.files}
    assert statuses.pop("ru_koi8r.txt") == "duplicate"  # same text as ru_cp1251.txt
    assert statuses.pop("privacy/focus_group_osh.txt") == "duplicate"  # = interview_named.txt
    # NewsMTSC's labelled sentences are JSONL without a text field: refused, and said why
    assert statuses.pop("labelled/newsmtsc/train.jsonl") == "failed"
    reasons = {f.path: f.reason for f in report.files}
    assert "no line has a 'text' field" in reasons["labelled/newsmtsc/train.jsonl"]
    assert set(statuses.values()) == {"ingested"}
    assert_offsets_hold(project)


@needs_shared
@pytest.mark.slow
def test_every_hostile_file_is_accounted_for(ingest_folder):
    report, project = ingest_folder(HOSTILE)
    discovered = sorted(p.relative_to(HOSTILE).as_posix() for p in HOSTILE.rglob("*") if p.is_file())
    assert sorted(f.path for f in report.files) == discovered
    for result in report.files:
        assert result.status in STATUSES
        if result.status not in ("ingested",):
            assert result.reason, result
    statuses = {f.path: f.status for f in report.files}
    assert statuses["pdfplumber/password-example.pdf"] == "failed"
    assert statuses["pdfplumber/empty.pdf"] == "skipped"
    assert statuses["unstructured/fake-text-utf-32.txt"] == "duplicate"
    assert report.exit_code == 3
    log = Store(project).run_log(report.run_id)
    assert sorted(row["path"].split("hostile-inputs/")[1] for row in log) == discovered
    docs = {d["source_path"].rsplit("/", 1)[1]: d for d in Store(project).iter_documents()}
    federal = docs["federal-register-2020-17221.pdf"]
    assert len(federal["pages"]) == 15 and federal["pages"][0] == 0
    assert all(federal["text"][start - 2:start] == "\n\n" for start in federal["pages"][1:])
    # three columns are read one after another, not across
    federal_passages = [p["text"] for p in Store(project).passages_of(federal["doc_id"])]
    assert any(p.startswith("Hatta International Airport in Jakarta,\nIndonesia, resulting in 189 "
                            "fatalities.") for p in federal_passages)
    udhr = docs["language-docs_UDHR_first_article_all.txt"]
    langs = {p["lang"] for p in Store(project).passages_of(udhr["doc_id"])}
    assert {"ru", "zh", "en", "kk"} <= langs
    assert_offsets_hold(project)
    with Store(project).engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(file_events)).scalar() == len(discovered)


def test_a_file_excluded_since_the_last_ingest_leaves_the_project(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "KAZ_70_2015.txt").write_text("Kazakhstan welcomes the new railway to China.", "utf-8")
    (folder / "README_UNGDC.txt").write_text("About this corpus: speeches by country.", "utf-8")
    old = Config(ingest={"exclude": []})  # as before exclusions existed
    first, project = ingest_folder(folder, config=old)
    assert first.counts["ingested"] == 2
    second, _ = ingest_folder(folder, project)
    assert second.excluded == [{"path": "README_UNGDC.txt", "rule": "/README*", "retired_documents": 1}]
    store = Store(project)
    assert [Path(d["source_path"]).name for d in store.iter_documents()] == ["KAZ_70_2015.txt"]
    (event,) = [e for e in store.run_log(second.run_id) if e["path"].endswith("README_UNGDC.txt")]
    assert event["status"] == "skipped" and "excluded by /README*" in event["reason"]
