"""JSON Lines dumps (news scrapes, exports): one document per line."""

from __future__ import annotations

import json
from pathlib import Path

from stancemap.corpus.document import KINDS, RawDocument, normalise
from stancemap.corpus.encoding import decode
from stancemap.corpus.limits import limited_rows
from stancemap.errors import Errors, FileProblem

TEXT_FIELDS = ("text", "content", "body")


def read_jsonl(path: Path, options: dict) -> list[RawDocument]:
    raw, encoding = decode(path.read_bytes())
    lines = raw.splitlines()
    stripped = raw.strip()
    if stripped.startswith("[") and path.suffix.lower() == ".json":
        try:  # a plain JSON array of records is accepted too
            lines = [json.dumps(item) for item in json.loads(stripped)]
        except json.JSONDecodeError:
            pass
    documents, bad, total = [], [], 0
    for number, line in limited_rows(enumerate(lines, start=1), options, "lines"):
        if not line.strip():
            continue
        total += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            bad.append(f"line {number}: not JSON ({err.msg})")
            continue
        if not isinstance(record, dict):
            bad.append(f"line {number}: not a JSON object")
            continue
        field = next((f for f in TEXT_FIELDS if isinstance(record.get(f), str)), None)
        text = normalise(record.pop(field)) if field else ""
        if not text:
            bad.append(f"line {number}: no non-empty 'text' field")
            continue
        kind = record.pop("kind", None)
        documents.append(RawDocument(
            text=text,
            title=_as_text(record.pop("title", None)),
            date=_as_text(record.pop("date", None)),
            kind=kind if kind in KINDS else None,
            meta={k: v for k, v in record.items() if v is not None},
            source_part=f"line {number}",
            encoding=encoding,
        ))
    if not documents:
        raise FileProblem("failed", Errors.R_JSONL_NO_TEXT.format(bad=len(bad), total=total))
    if bad:
        documents[0].warnings.extend(bad[:50])
    return documents


def _as_text(value) -> str | None:
    return None if value is None else str(value)
