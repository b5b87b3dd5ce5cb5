"""Pseudonymised exports and review files: no name, respondent id, e-mail address or phone number
from the interview and survey fixtures survives, and pseudonyms agree across files."""

import json
import shutil
import zipfile

import pandas as pd
import pytest

from conftest import DATA, invoke
from stancemap.config import Config

ORIGINALS = ["Aibek", "Toktogulov", "Gulnara", "Osmonova", "Айгерим", "Бекова", "Ерлан",
             "Сагинтаев", "a.bekova@example.kz", "+7 701 555 12 34", "Daniyar", "Akhmetov",
             "R-1001", "R-1002", "+996 555 123 456"]
FAST = {"sectors": {"embeddings": False}, "topics": {"enabled": False}}


@pytest.fixture(scope="module")
def private_project(tmp_path_factory, codebook):
    from stancemap.corpus.ingest import ingest
    from stancemap.nlp.pipeline import code_project

    base = tmp_path_factory.mktemp("privacy")
    shutil.copytree(DATA / "privacy", base / "in")
    config = Config.model_validate(FAST)
    ingest(base / "in", base / "p", config=config)
    code_project(base / "p", config, codebook)
    return base / "p"


def _text_of(path):
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    return path.read_text("utf-8")


def test_no_original_survives_in_any_pseudonymised_output(private_project, tmp_path):
    outs = []
    for level, name in (("passages", "p.csv"), ("passages", "p.xlsx"), ("codes", "c.csv"),
                        ("passages", "p.parquet")):
        result = invoke("export", "--project", private_project, "--level", level,
                        "--pseudonymise", "--out", tmp_path / name)
        assert result.exit_code == 0, result.output
        outs += [tmp_path / name, tmp_path / f"{name}.dictionary.csv", tmp_path / f"{name}.manifest.json"]
    for fmt, name in (("csv", "r.csv"), ("labelstudio", "r.json"), ("doccano", "r.jsonl")):
        result = invoke("review", "export", "--project", private_project, "--format", fmt,
                        "--dims", "stance,sentiment,sector", "--pseudonymise", "--out", tmp_path / name)
        assert result.exit_code == 0, result.output
        outs.append(tmp_path / name)
    parquet = pd.read_parquet(tmp_path / "p.parquet")
    texts = {p: _text_of(p) for p in outs if p.suffix != ".parquet"}
    texts["parquet"] = parquet.to_csv()
    for where, text in texts.items():
        left = [name for name in ORIGINALS if name in text]
        assert not left, f"{where} still holds {left}"
    passages = pd.read_csv(tmp_path / "p.csv")
    assert {"Respondent-01", "Respondent-02"} <= set(passages.speaker.dropna())
    assert passages.text.str.contains("Person-").any()
    assert "Moderator" in set(passages.speaker)  # a role is not a person


def test_pseudonyms_are_stable_across_files_and_the_key_is_only_written_on_request(
        private_project, tmp_path):
    from stancemap.datasets.export import export_project

    first = export_project(private_project, "passages", tmp_path / "a.csv", pseudonymise=True)
    assert not any("key" in p.name for p in first)
    export_project(private_project, "passages", tmp_path / "b.csv", pseudonymise=True,
                   key_out=tmp_path / "key.csv")
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    assert a.speaker.equals(b.speaker) and a.text.equals(b.text)
    key = pd.read_csv(tmp_path / "key.csv")
    assert {"Aibek Toktogulov", "Айгерим Бекова", "R-1001"} <= set(key.original)
    aibek = key.set_index("original").loc["Aibek Toktogulov", "pseudonym"]
    assert aibek in set(a.speaker)
    manifest = json.loads((tmp_path / "a.csv.manifest.json").read_text("utf-8"))
    assert manifest["pseudonymised"]["respondent"] >= 4
    assert "Aibek" not in json.dumps(manifest, ensure_ascii=False)


def test_without_the_flag_nothing_is_replaced(private_project, tmp_path):
    from stancemap.datasets.export import export_project

    export_project(private_project, "passages", tmp_path / "plain.csv")
    assert "Aibek Toktogulov" in set(pd.read_csv(tmp_path / "plain.csv").speaker)


def test_pseudonymised_review_file_imports_back(private_project, tmp_path):
    """Coders see pseudonyms; the import still matches the passages (original text hashes)."""
    project = tmp_path / "copy"
    shutil.copytree(private_project, project)
    out = tmp_path / "r.csv"
    assert invoke("review", "export", "--project", project, "--dims", "sentiment",
                  "--pseudonymise", "--out", out).exit_code == 0
    table = pd.read_csv(out, keep_default_na=False)
    table["coder_value"] = "neutral"
    table.to_csv(out, index=False)
    result = invoke("review", "import", out, "--project", project, "--annotator", "aida")
    assert result.exit_code == 0, result.output


def test_qdpx_refuses_pseudonymising(private_project, tmp_path):
    result = invoke("review", "export", "--project", private_project, "--format", "qdpx",
                    "--pseudonymise", "--out", tmp_path / "r.qdpx")
    assert result.exit_code != 0 and "qdpx" in result.output and "Traceback" not in result.output


def test_an_uncoded_project_cannot_be_pseudonymised(tmp_path):
    from stancemap.corpus.ingest import ingest

    shutil.copytree(DATA / "privacy", tmp_path / "in")
    ingest(tmp_path / "in", tmp_path / "p", config=Config.model_validate(FAST))
    result = invoke("export", "--project", tmp_path / "p", "--pseudonymise", "--out", tmp_path / "x.csv")
    assert result.exit_code != 0 and "stancemap code" in result.output
