"""The newcomer's path (issue 13): a project remembers its choices, messages name the real
cause and the fix, a researcher's own labels come in by id, repeated records keep their ids,
help texts read as a researcher expects, and long work shows progress in a log."""

import json
import shutil

import pytest

from conftest import DATA, invoke
from stancemap.errors import Errors

HILLARY = """\
extends: default
stance_targets:
  hillary:
    label: Hillary Clinton
    aliases: [Hillary, Clinton]
"""


def one_line(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def small_project(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "policy_note.md", folder)
    project = tmp_path / "p"
    assert invoke("ingest", folder, "--project", project, "--quiet").exit_code == 0
    return folder, project


def info(project) -> dict:
    return json.loads(invoke("info", "--project", project, "--json").stdout)["remembered"]


def test_the_project_remembers_its_codebook_and_a_new_one_is_an_explicit_choice(small_project, tmp_path):
    _, project = small_project
    mine = tmp_path / "mine.yaml"
    mine.write_text(HILLARY, encoding="utf-8")
    out = tmp_path / "passages.csv"
    first = invoke("export", "--project", project, "--codebook", mine, "--out", out)
    assert first.exit_code == 0 and "warning" not in first.output
    assert info(project)["codebook"]["path"] == str(mine.resolve())
    again = invoke("export", "--project", project, "--out", out)  # no --codebook: the project's
    assert again.exit_code == 0 and "warning" not in again.output and "note" not in again.output
    other = tmp_path / "other.yaml"
    other.write_text(HILLARY.replace("hillary", "trump").replace("Hillary Clinton", "Donald Trump"),
                     encoding="utf-8")
    switched = invoke("export", "--project", project, "--codebook", other, "--out", out)
    assert switched.exit_code == 0
    assert "is not the project's codebook" in one_line(switched.output)
    assert "re-codes every passage" in one_line(switched.output)
    assert info(project)["codebook"]["path"] == str(other.resolve())  # saved as the new choice
    text = one_line(invoke("info", "--project", project).output)
    assert "Remembered choices" in text and "other.yaml" in text
    other.unlink()
    missing = invoke("export", "--project", project, "--out", out)
    assert missing.exit_code == 2
    assert "The project's codebook" in one_line(missing.output) and "is missing" in one_line(missing.output)
    assert "--codebook FILE" in one_line(missing.output) and "Traceback" not in missing.output


def test_the_same_codebook_at_another_path_is_no_switch(small_project, tmp_path):
    _, project = small_project
    mine, copy = tmp_path / "mine.yaml", tmp_path / "copy.yaml"
    mine.write_text(HILLARY, encoding="utf-8")
    copy.write_text(HILLARY, encoding="utf-8")
    out = tmp_path / "x.csv"
    assert invoke("export", "--project", project, "--codebook", mine, "--out", out).exit_code == 0
    moved = invoke("export", "--project", project, "--codebook", copy, "--out", out)
    assert moved.exit_code == 0 and "warning" not in moved.output


def test_reingest_uses_the_remembered_pattern(tmp_path):
    folder = tmp_path / "in" / "KAZ"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "policy_note.md", folder)
    project = tmp_path / "p"
    assert invoke("ingest", tmp_path / "in", "--project", project, "--pattern", "{country}/*",
                  "--quiet").exit_code == 0
    assert info(project)["ingest"]["pattern"] == "{country}/*"
    assert info(project)["config"] == {"path": None, "since": info(project)["config"]["since"]}
    again = invoke("ingest", tmp_path / "in", "--project", project, "--json")
    assert again.exit_code == 0
    assert "using the project's --pattern '{country}/*'" in one_line(again.stderr)
    dropped = invoke("ingest", tmp_path / "in", "--project", project, "--pattern", "", "--quiet")
    assert dropped.exit_code == 0 and info(project)["ingest"]["pattern"] is None


def test_nothing_to_review_before_coding_says_to_code(small_project, tmp_path):
    _, project = small_project
    result = invoke("review", "export", "--project", project, "--dims", "stance", "--out", tmp_path / "r.csv")
    assert result.exit_code == 2
    assert one_line(result.output) == "Error: " + Errors.E166.format(project=project)


def test_nothing_to_review_after_coding_names_the_missing_targets(tmp_path, coder, codebook):
    from stancemap.annotations.review_project import export_review
    from stancemap.config import Config
    from stancemap.corpus.ingest import ingest
    from stancemap.errors import ReviewError
    from stancemap.nlp.pipeline import code_project

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "weather.txt").write_text("The harvest was good this year and the rains came early.",
                                        encoding="utf-8")
    ingest(folder, tmp_path / "p", config=Config())
    report = code_project(tmp_path / "p", Config(), codebook, coder=coder)
    assert report.to_json()["stages"] and all(
        s["seconds"] >= 0 for s in report.to_json()["stages"].values())
    with pytest.raises(ReviewError) as found:
        export_review(tmp_path / "p", tmp_path / "r.csv", codebook, dims=["stance"])
    message = str(found.value)
    assert "coding has run" in message and "no passage names a stance target" in message
    assert "china" in message and "Run `stancemap code` first" not in message


@pytest.fixture
def labelled(tmp_path):
    """The labelled CSV ingested as a survey: it is the corpus and the labels at once."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "stance_labelled.csv", folder)
    project = tmp_path / "p"
    assert invoke("ingest", folder, "--project", project, "--text-columns", "text", "--quiet").exit_code == 0
    return project


def test_unknown_stance_target_hints_at_the_codebook(labelled, tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("id,target,stance\ns001,hillary,against\n", encoding="utf-8")
    args = ("review", "import-labels", labels, "--project", labelled, "--id-column", "id",
            "--label-column", "stance", "--dimension", "stance", "--target-column", "target")
    refused = invoke(*args)
    text = one_line(refused.output)
    assert refused.exit_code == 2 and "row 2: unknown stance target 'hillary'" in text
    assert "The codebook in use is china-central-asia" in text and "pass --codebook FILE once" in text
    mine = tmp_path / "mine.yaml"
    mine.write_text(HILLARY, encoding="utf-8")
    assert invoke(*args, "--codebook", mine).exit_code == 0
    assert info(labelled)["codebook"]["path"] == str(mine.resolve())
    assert invoke(*args).exit_code == 0  # remembered: no --codebook needed any more


def test_unknown_id_field_says_where_ids_come_from(labelled, tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("pid,stance\nx,against\n", encoding="utf-8")
    result = invoke("review", "import-labels", labels, "--project", labelled, "--id-column", "pid",
                    "--label-column", "stance", "--dimension", "sentiment")
    assert result.exit_code == 2 and "carries a metadata field 'pid'" in one_line(result.output)
    assert "respondent_id" in result.output


def test_labels_with_ids_import_and_train_without_a_join(labelled):
    project = labelled
    untrained = invoke("train", "--project", project, "--task", "sentiment")
    assert untrained.exit_code == 2 and "No human codes for sentiment yet" in one_line(untrained.output)
    assert "only one class" not in untrained.output
    imported = invoke("review", "import-labels", DATA / "stance_labelled.csv", "--project", project,
                      "--id-column", "id", "--label-column", "stance", "--dimension", "stance",
                      "--target-column", "target", "--annotator", "gold", "--json")
    assert imported.exit_code == 0, imported.output
    report = json.loads(imported.stdout)
    assert report["rows"] == 300 and report["matched"] == 300 and report["unmatched"] == []
    assert report["import"]["annotators"] == ["gold"] and report["import"]["codes"] == 300
    assert report["import"]["statuses"] == {"corrected": 300}  # not coded: no model value to accept
    trained = invoke("train", "--project", project, "--task", "stance", "--model", "tfidf", "--json")
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.stdout)["version"] == "stance-tfidf-1"
    assert json.loads(trained.stdout)["examples"] == 300
    evaluated = invoke("evaluate", "--project", project, "--task", "stance", "--folds", "3")
    assert evaluated.exit_code == 0 and "confusion matrix" in one_line(evaluated.output)
    again = invoke("review", "import-labels", DATA / "stance_labelled.csv", "--project", project,
                   "--id-column", "id", "--label-column", "stance", "--dimension", "stance",
                   "--target-column", "target", "--annotator", "gold")
    text = one_line(again.output)  # a re-import replaces, and the summary adds up
    assert "300 rows: 300 matched a passage, 0 not imported" in text
    assert "300 decisions by gold: 0 kept the model's value, 300 changed it → 300 human codes" in text


def test_repeated_records_keep_their_ids_and_labels_reach_them(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    lines = [{"id": "r1", "target": "china", "text": "China builds the new road to Osh and our traders are glad."},
             {"id": "r2", "target": "bri_projects", "text": "China builds the new road to Osh and our traders are glad."},
             {"id": "r3", "text": "Chinese firms bring their own workers and leave ours idle."},
             {"id": "r4", "text": "Chinese firms bring their own workers and leave ours idle."},
             {"id": "r5", "text": "The minister met the Chinese delegation on Tuesday."}]
    (folder / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in lines), encoding="utf-8")
    project = tmp_path / "p"
    result = invoke("ingest", folder, "--project", project, "--json")
    assert result.exit_code == 0
    found = json.loads(result.stdout)["files"][0]
    assert [(d["id"], d["same_as"], d["part"]) for d in found["duplicate_records"]] == [
        ("r2", "r1", "line 2"), ("r4", "r3", "line 4")]
    assert "line 2 (id r2 = id r1)" in found["reason"] and "line 4 (id r4 = id r3)" in found["reason"]
    shown = one_line(invoke("ingest", folder, "--project", tmp_path / "q").output)
    assert ("feed.jsonl: 2 record(s) repeat the text of another record and refer to its passages: "
            "line 2 (id r2 = id r1), line 4 (id r4 = id r3)") in shown
    from stancemap.corpus.store import Store

    store = Store(project)
    records = {d["meta"]["id"]: d["extraction"]["records"] for d in store.iter_documents()}
    store.dispose()
    assert [(r["id"], r["meta"].get("target")) for r in records["r1"]] == [
        ("r1", "china"), ("r2", "bri_projects")]  # the second target is not lost
    labels = tmp_path / "labels.csv"
    labels.write_text("id,target,stance\nr1,china,favour\nr2,bri_projects,favour\nr3,china,against\n"
                      "r4,china,favour\nr5,china,neutral\nr9,china,neutral\n", encoding="utf-8")
    imported = invoke("review", "import-labels", labels, "--project", project, "--id-column", "id",
                      "--label-column", "stance", "--dimension", "stance", "--target-column", "target",
                      "--json")
    assert imported.exit_code == 0, imported.output
    report = json.loads(imported.stdout)
    assert report["matched"] == 3  # r1, r2 (same passage, other target), r5
    assert [(u["row"], u["id"]) for u in report["unmatched"]] == [(4, "r3"), (5, "r4"), (7, "r9")]
    assert "disagree (against vs favour)" in report["unmatched"][0]["reason"]
    assert report["unmatched"][2]["reason"] == "no passage has id = r9"


def test_out_and_format_must_agree(small_project, tmp_path):
    _, project = small_project
    review = invoke("review", "export", "--project", project, "--format", "qdpx", "--out", tmp_path / "q.csv")
    assert review.exit_code == 2 and not (tmp_path / "q.csv").exists()
    assert "--format qdpx writes a REFI-QDA (ZIP) file, but --out" in one_line(review.output)
    assert "q.qdpx" in review.output
    export = invoke("export", "--project", project, "--format", "parquet", "--out", tmp_path / "x.csv")
    assert export.exit_code == 2 and "Name the file x.parquet" in one_line(export.output)


def _commands(app, prefix=()):
    import typer.main

    group = typer.main.get_command(app)
    stack = [(prefix, group)]
    while stack:
        path, command = stack.pop()
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            stack.append((path + (name,), sub))


def test_every_help_reads_as_a_researcher_expects():
    from stancemap.cli.main import app

    seen = 0
    for path in _commands(app):
        result = invoke(*path, "--help")
        assert result.exit_code == 0, path
        text = result.output
        for python in ("<bool>", "<str>", "<path>", "<int>", "list[", "{folder}", "{path}", "{data_file}"):
            assert python not in text, f"{' '.join(path)} --help shows {python}"
        for local in ("../shared", "corpus-demo", "tests/data"):
            assert local not in text, f"{' '.join(path)} --help names a path of this repository"
        seen += 1
    assert seen >= 16


def test_plain_progress_lines_with_counts_and_time():
    from stancemap.cli._progress import LineProgress

    lines, now = [], [0.0]
    progress = LineProgress("code", lines.append, every_s=5, clock=lambda: now[0])
    with progress:
        task = progress.add_task("documents", total=10)
        for _ in range(10):
            now[0] += 1.5
            progress.update(task, advance=1)
    assert lines[0] == "code documents: 0/10, 0.0 s elapsed"  # before the first item is done
    assert lines[1] == "code documents: 4/10, 6.0 s elapsed, about 9.0 s left"
    assert lines[-1] == "code documents: 10/10, 15.0 s elapsed"
    assert 3 <= len(lines) <= 5  # every five seconds, not every item


def test_ingest_reports_progress_when_stderr_is_not_a_terminal(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "policy_note.md", folder)
    result = invoke("ingest", folder, "--project", tmp_path / "p", "--json")
    assert result.exit_code == 0
    assert "ingest files: 1/1," in result.stderr and "elapsed" in result.stderr


def test_topics_report_each_candidate_fit(monkeypatch):
    from stancemap.cli import _common

    shown = []
    monkeypatch.setattr(_common.err_console, "print", lambda text, **_: shown.append(text))
    _common.topic_progress(False)(6, 2, 5)
    assert shown[0].startswith("topics: fitting k=6 (2/5), ") and shown[0].endswith("elapsed")


def test_first_tfidf_model_is_number_one_after_a_transformer(tmp_path):
    from stancemap.nlp.training import model_folders

    models = tmp_path / "models"
    for name, when in (("stance-transformer-1", "2026-01-01T00:00:00+00:00"),
                       ("stance-tfidf-1", "2026-01-02T00:00:00+00:00"),
                       ("stance-transformer-2", "2026-01-03T00:00:00+00:00")):
        (models / name).mkdir(parents=True)
        (models / name / "meta.json").write_text(json.dumps({"created_at": when}))
    assert [p.name for p in model_folders(tmp_path, "stance")][-1] == "stance-transformer-2"
    assert [p.name for p in model_folders(tmp_path, "stance", "tfidf")] == ["stance-tfidf-1"]


def test_training_reports_steps_in_a_log(capsys):
    from stancemap.cli.train import training_progress

    with training_progress(False) as update:
        update("fold 1/5", 1, 40)
        update("fold 1/5", 40, 40)
    err = capsys.readouterr().err
    assert "train fold 1/5: 0/40, " in err and "train fold 1/5: 40/40, " in err


def test_choices_live_in_the_store_of_either_backend(backend):
    from stancemap.cli._choices import load_choices, save_choices
    from stancemap.corpus.store import Store

    project, url = backend
    if url is None:
        assert load_choices(project, url) is None  # no project yet
    Store(project, url=url).dispose()
    save_choices(project, url, {"ingest": {"pattern": "{country}/*", "manifest": None}})
    assert load_choices(project, url)["ingest"]["pattern"] == "{country}/*"
