"""doccano exports read back: JSONL (one item per line) or the ZIP doccano writes when each
coder labels alone (one `USER.jsonl` per coder, named for them).

doccano turns the pre-annotation it was given into the importing user's labels, so a label
equal to the model's is not by itself a coder's decision: such an item counts as reviewed only
when it carries a review mark — a comment on the item (doccano exports comments with it; "ok"
will do) — and is otherwise reported as "not reviewed" and not imported. A changed label is a
decision. An item with no label is reported, not imported."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path, PurePosixPath

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.review import Reading, parse_values
from stancemap.corpus.zipsafety import read_entry

NOT_REVIEWED = "not reviewed (label equals the model's pre-annotation and no comment marks it reviewed)"
NO_LABEL = "no label (not coded)"
ENTRY_LIMIT = 200 * 2**20


def _reviewed(record: dict) -> bool:
    comments = record.get("Comments", record.get("comments"))
    return isinstance(comments, list) and any(comments) or bool(record.get("reviewed") is True)


def read_doccano(lines, annotator: str | None, codebook: Codebook, reading: Reading | None = None,
                 prefix: str = "") -> Reading:
    reading = reading or Reading(kind="a doccano JSONL export")
    for number, line in enumerate(lines, start=1):
        if reading.full:
            reading.problems.append(f"{prefix}line {number} and after: not checked (too many problems)")
            break
        if not line.strip():
            continue
        where = f"{prefix}line {number}"
        try:
            record = json.loads(line)
        except RecursionError:
            reading.problems.append(f"{where}: JSON nested too deeply")
            continue
        except ValueError as err:
            reading.problems.append(f"{where}: not JSON ({err})")
            continue
        if not isinstance(record, dict):
            reading.problems.append(f"{where}: a {type(record).__name__} where an object belongs")
            continue
        meta = record.get("meta", record)  # stancemap's own file nests it; doccano's export does not
        if not isinstance(meta, dict):
            reading.problems.append(f"{where}: 'meta' is a {type(meta).__name__}, not an object")
            continue
        if "item_id" not in meta and "item_id" in record:
            meta = record
        labels = record.get("label", record.get("labels"))
        if labels is None or labels == [] or labels == "":
            if "label" not in record and "labels" not in record:
                reading.problems.append(f"{where}: no 'label' list")
            else:
                reading.skip(NO_LABEL, where)
            continue
        model = meta.get("model_values")
        if isinstance(model, list) and isinstance(labels, list) and isinstance(meta.get("item_id"), str) \
                and meta["item_id"].count("|") == 2:
            dimension = meta["item_id"].split("|")[1]
            same = sorted(parse_values(labels, dimension)) == sorted(parse_values(model, dimension))
            if same and not _reviewed(record):
                reading.skip(NOT_REVIEWED, where)
                continue
        reading.decide(where, meta, labels, annotator)
    return reading


def read_doccano_zip(path: Path, annotator: str | None, codebook: Codebook) -> Reading:
    """One coder per `NAME.jsonl` entry; `all.jsonl` (collaborative projects) is --annotator's."""
    reading = Reading(kind="a doccano export")
    with zipfile.ZipFile(path) as archive:
        for name in sorted(n for n in archive.namelist() if n.endswith(".jsonl")):
            stem = PurePosixPath(name).stem
            coder = annotator if stem == "all" else stem
            text = read_entry(archive, name, ENTRY_LIMIT).decode("utf-8-sig")
            read_doccano(text.splitlines(), coder, codebook, reading, prefix=f"{name} ")
    return reading
