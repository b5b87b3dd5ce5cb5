"""A researcher's own labelled table (CSV/XLSX) as human codes: each row is matched to passages
by an id kept from ingestion — a JSONL record's id field (also of records that repeat another's
text), a survey table's id column, or any passage or document metadata field — so no join with
an export is needed. The decisions then go through the same checks and the same all-or-nothing
store path as a coder's review file (importer.py): a label equal to the model's value is
`accepted`, another is `corrected`, the model values it replaces are `rejected`."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.importer import ImportReport, import_decisions
from stancemap.annotations.review import Decision, parse_values, review_dimensions
from stancemap.corpus.encoding import decode
from stancemap.corpus.store import Store
from stancemap.errors import Errors, ReviewError


@dataclass
class LabelImportReport:
    path: str
    rows: int
    matched: int
    unmatched: list[dict] = field(default_factory=list)  # {"row", "id", "reason"}
    merged: int = 0  # rows that repeat another row's decision for the same passage
    imported: ImportReport | None = None
    validation: int = 0  # passages of the validation sample the table was declared part of

    def to_json(self) -> dict:
        return {"path": self.path, "rows": self.rows, "matched": self.matched,
                "merged_rows": self.merged, "unmatched": self.unmatched,
                "validation_sample_passages": self.validation,
                "import": self.imported.to_json() if self.imported else None}


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the first sheet of an XLSX file or of a CSV/TSV file."""
    if not path.is_file():
        raise ReviewError(Errors.E043.format(path=path))
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                rows = [["" if v is None else str(v).strip() for v in row]
                        for row in book.worksheets[0].iter_rows(values_only=True)]
            finally:
                book.close()
        else:
            raw, _ = decode(path.read_bytes())
            try:
                dialect = csv.Sniffer().sniff(raw[:20000], delimiters=",;\t|")
                delimiter = dialect.delimiter
            except csv.Error:
                delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
            rows = [[c.strip() for c in r] for r in
                    csv.reader(io.StringIO(raw, newline=""), csv.excel, delimiter=delimiter)]
    except ReviewError:
        raise
    except Exception as err:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise ReviewError(Errors.E044.format(path=path, reason=f"{type(err).__name__}: {err}")) from err
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ReviewError(Errors.E044.format(path=path, reason="no rows"))
    return rows[0], rows[1:]


def passage_index(store: Store, column: str) -> tuple[dict[str, list[tuple[str, int]]], set[str]]:
    """id -> [(passage_id, passages of the record)] for the metadata field `column`, and every
    field name seen (for the error when none carries it)."""
    index: dict[str, list[tuple[str, int]]] = defaultdict(list)
    fields: set[str] = set()
    for document in store.iter_documents():
        doc_meta = document["meta"] or {}
        rows = store.passages_of(document["doc_id"])
        fields.update(doc_meta)
        record_ids = {str(doc_meta[column])} if column in doc_meta else set()
        for record in (document["extraction"] or {}).get("records") or []:
            meta = record.get("meta") or {}
            fields.update(meta)
            if column in meta:
                record_ids.add(str(meta[column]))
        for record_id in record_ids:  # a record's id names all of its passages
            index[record_id] += [(row["passage_id"], len(rows)) for row in rows]
        for row in rows:
            meta = row["meta"] or {}
            fields.update(meta)
            value = meta.get(column)
            if value is None and doc_meta.get("id_column") == column:
                value = meta.get("respondent_id")  # a survey's id column, kept per passage
            if value is not None and str(value) not in record_ids:
                index[str(value)].append((row["passage_id"], 1))
    return index, fields


def _label_map(pairs: list[str] | None) -> dict[str, str]:
    found = {}
    for pair in pairs or []:
        source, _, target = pair.partition("=")
        if not target:
            raise ReviewError(Errors.E174.format(pair=pair))
        found[source.strip().lower()] = target.strip()
    return found


def import_labels(project: Path, path: Path, codebook: Codebook, *, id_column: str,
                  label_column: str, dimension: str, target: str | None = None,
                  target_column: str | None = None, annotator: str | None = None,
                  label_map: list[str] | None = None, db_url: str | None = None,
                  validation: str | None = None) -> LabelImportReport:
    """`validation`: the name of the validation sample the table's passages join, declared a
    simple random sample of the project's passages."""
    path = Path(path)
    if dimension not in review_dimensions(codebook):
        raise ReviewError(Errors.E050.format(name=dimension, known=", ".join(review_dimensions(codebook))))
    if dimension == "stance" and not (target or target_column):
        raise ReviewError(Errors.E171)
    mapping = _label_map(label_map)
    header, rows = read_table(path)
    for column in (id_column, label_column, target_column):
        if column and column not in header:
            raise ReviewError(Errors.E045.format(column=column, path=path, columns=", ".join(header)))
    at = {name: header.index(name) for name in header[::-1]}  # first column of a repeated name
    width = len(header)
    store = Store(Path(project), url=db_url, create=False)
    try:
        index, fields = passage_index(store, id_column)
    finally:
        store.dispose()
    if not index:
        raise ReviewError(Errors.E170.format(column=id_column, path=path,
                                             fields=", ".join(sorted(fields)) or "none"))
    report = LabelImportReport(str(path), len(rows), 0)
    who = annotator or path.stem
    chosen: dict[tuple[str, str], tuple[Decision, str]] = {}
    conflicts: dict[tuple[str, str], list[tuple[Decision, str]]] = defaultdict(list)
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        row = (row + [""] * width)[:width]
        record_id, raw = row[at[id_column]], row[at[label_column]]
        where = f"row {number}"
        if not record_id:
            report.unmatched.append({"row": number, "id": "", "reason": "no id"})
            continue
        if not raw:
            report.unmatched.append({"row": number, "id": record_id, "reason": "no label"})
            continue
        found = index.get(record_id)
        if not found:
            report.unmatched.append({"row": number, "id": record_id,
                                     "reason": f"no passage has {id_column} = {record_id}"})
            continue
        if found[0][1] > 1:
            report.unmatched.append({"row": number, "id": record_id, "reason": Errors.R_RECORD_SPLIT.format(
                passages=found[0][1])})
            continue
        if len(found) > 1:
            report.unmatched.append({"row": number, "id": record_id, "reason": Errors.R_ID_AMBIGUOUS.format(
                column=id_column, passages=len(found))})
            continue
        row_target = (row[at[target_column]] if target_column else target) if dimension == "stance" else ""
        values = parse_values(mapping.get(raw.lower(), raw), dimension)
        report.matched += 1
        for passage_id, _ in found:
            decision = Decision(where, passage_id, dimension, row_target, values, None, None, who)
            key = (passage_id, row_target)
            if key in chosen:  # e.g. two records repeating one text, for the same target
                earlier, earlier_id = chosen[key]
                if sorted(earlier.values) != sorted(values):
                    conflicts[key] += [(earlier, earlier_id), (decision, record_id)]
                else:
                    report.merged += 1
                continue
            chosen[key] = (decision, record_id)
    for key, pairs in conflicts.items():  # no one decided which label is right: neither is stored
        chosen.pop(key, None)
        labels = " vs ".join(sorted({";".join(d.values) for d, _ in pairs}))
        for decision, record_id in {d.where: (d, i) for d, i in pairs}.values():
            report.matched -= 1
            report.unmatched.append({"row": int(decision.where.split()[1]), "id": record_id,
                                     "reason": Errors.R_LABEL_CONFLICT.format(labels=labels)})
    report.unmatched.sort(key=lambda u: u["row"])
    if not report.matched:
        raise ReviewError(Errors.E172.format(rows=len(rows), path=path, column=id_column,
                                             ids=", ".join(u["id"] or "(none)" for u in report.unmatched[:5])))
    report.imported = import_decisions(project, [d for d, _ in chosen.values()], codebook,
                                       path=str(path), db_url=db_url)
    if validation:
        from stancemap.annotations.validation import declare

        store = Store(Path(project), url=db_url, create=False)
        try:
            report.validation = declare(store, validation, {pid for pid, _ in chosen},
                                        store.counts()["passages"], path.name)
        finally:
            store.dispose()
    return report
