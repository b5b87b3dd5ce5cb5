"""Label Studio exports read back: JSON (tasks with annotations), JSON-MIN and CSV (one flat
record per annotation). Each `completed_by` / `annotator` is a coder of their own, named by
the e-mail or name the export carries; bare user ids fall back to --annotator."""

from __future__ import annotations

import json

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.review import Reading, review_dimensions
from stancemap.errors import Errors, ReviewError


def _item_dimension(reading: Reading, where: str, record: dict) -> str | None:
    """The dimension a stancemap item id names, or None once the malformed id is reported."""
    item_id = record.get("item_id")
    if not isinstance(item_id, str) or item_id.count("|") != 2:
        reading.decide(where, record, None, None)  # names what is wrong with the item id
        return None
    return item_id.split("|")[1]


def _coder(raw) -> tuple[str | None, str]:
    """(a name from the export, or None when it gives only a user id; the id or name as key)."""
    if isinstance(raw, dict):
        name = raw.get("email") or " ".join(
            str(raw.get(k) or "") for k in ("first_name", "last_name")).strip() or raw.get("username")
        return (str(name) if name else None), str(raw.get("id", name))
    if isinstance(raw, str) and raw.strip() and not raw.strip().isdigit():
        return raw.strip(), raw.strip()
    return None, str(raw if raw not in (None, "") else "?")


def _names(keys: dict[str, str | None], annotator: str | None, path_hint: str) -> dict[str, str]:
    """Coder key -> stored name: the export's own name, else --annotator (suffixed with the
    user id when several bare ids share the file)."""
    bare = sorted(k for k, name in keys.items() if name is None)
    if bare and not annotator:
        raise ReviewError(Errors.E180.format(ids=", ".join(bare[:10]), what=path_hint))
    out = {k: name for k, name in keys.items() if name is not None}
    for key in bare:
        out[key] = annotator if len(bare) == 1 else f"{annotator}-{key}"
    return out


def read_labelstudio(data, annotator: str | None, codebook: Codebook) -> Reading:
    """A JSON export: a list of tasks (JSON), or of flat records (JSON-MIN)."""
    if not isinstance(data, list):
        raise ValueError("a Label Studio export is a JSON list of tasks")
    if data and all(isinstance(t, dict) and "data" not in t and "item_id" in t for t in data):
        return _read_flat(data, annotator, codebook, "Label Studio JSON-MIN export",
                          lambda n: f"record {n}")
    reading, pending = Reading(kind="a Label Studio JSON export"), []
    dims = set(review_dimensions(codebook))
    keys: dict[str, str | None] = {}
    for number, task in enumerate(data, start=1):
        if reading.full:
            break
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            reading.problems.append(f"task #{number}: not a Label Studio task (tasks are objects "
                                    f"with a 'data' object)")
            continue
        where = f"task {task.get('id', '#' + str(number))}"
        record = task["data"]
        annotations = task.get("annotations", task.get("completions", []))
        if not isinstance(annotations, list):
            reading.problems.append(f"{where}: 'annotations' is a {type(annotations).__name__}, not a list")
            continue
        if "item_id" not in record:
            kinds = sorted({str(r.get("type", "?")) for a in annotations if isinstance(a, dict)
                            for r in (a.get("result") if isinstance(a.get("result"), list) else [])
                            if isinstance(r, dict)})
            reading.problems.append(f"{where}: no stancemap item_id in its data (a task of "
                                    f"{', '.join(kinds) or 'no'} results, not made by "
                                    f"`stancemap review export`)")
            continue
        item_dim = _item_dimension(reading, where, record)
        if item_dim is None:
            continue
        for annotation in annotations:
            if not isinstance(annotation, dict):
                reading.problems.append(f"{where}: an annotation that is a {type(annotation).__name__}, "
                                        f"not an object")
                continue
            if annotation.get("was_cancelled") or annotation.get("skipped"):
                reading.skip("skipped in Label Studio", where)
                continue
            name, key = _coder(annotation.get("completed_by"))
            keys.setdefault(key, name)
            results = annotation.get("result", [])
            if not isinstance(results, list):
                reading.problems.append(f"{where}: the annotation's result is a "
                                        f"{type(results).__name__}, not a list")
                continue
            chosen = None
            for result in results:
                value = result.get("value") if isinstance(result, dict) else None
                if not isinstance(value, dict):
                    reading.problems.append(f"{where}: a result{' value' if isinstance(result, dict) else ''}"
                                            f" that is a {type(value if isinstance(result, dict) else result).__name__},"
                                            f" not an object")
                    continue
                source = result.get("from_name")
                if source != item_dim:
                    if source in dims:
                        reading.problems.append(
                            f"{where}: a {source} choice {value.get('choices')!r} on a {item_dim} item; "
                            f"choose in the {item_dim} block only")
                    continue
                if "choices" not in value:
                    reading.problems.append(f"{where}: result of type {result.get('type')!r}, not choices")
                    continue
                chosen = value["choices"]
            if chosen is None:
                reading.skip("no choice made", where)
                continue
            pending.append((where, record, chosen, key))
    names = _names(keys, annotator, "this Label Studio export") if pending else {}
    for where, record, chosen, key in pending:
        reading.decide(where, record, chosen, names[key])
    return reading


def _flat_value(raw):
    """A JSON-MIN/CSV cell: "favour", {"choices": [...]}, a list, or JSON text of those."""
    if isinstance(raw, str) and raw.strip()[:1] in ("{", "["):
        try:
            raw = json.loads(raw)
        except ValueError:
            return raw
    if isinstance(raw, dict):
        return raw.get("choices", raw)
    return raw


def _read_flat(records, annotator: str | None, codebook: Codebook, what: str, where_of) -> Reading:
    reading, pending = Reading(kind=f"a {what}"), []
    dims = set(review_dimensions(codebook))
    keys: dict[str, str | None] = {}
    for number, record in enumerate(records, start=1):
        if reading.full:
            break
        where = where_of(number)
        if not isinstance(record, dict):
            reading.problems.append(f"{where}: a {type(record).__name__} where an object belongs")
            continue
        item_dim = _item_dimension(reading, where, record)
        if item_dim is None:
            continue
        for other in sorted(dims & set(record) - {item_dim}):
            if record[other] not in (None, "", []):
                reading.problems.append(f"{where}: a {other} choice {record[other]!r} on a {item_dim} "
                                        f"item; choose in the {item_dim} block only")
        value = _flat_value(record.get(item_dim))
        if value in (None, "", []):
            reading.skip("no choice made", where)
            continue
        name, key = _coder(record.get("annotator"))
        keys.setdefault(key, name)
        pending.append((where, record, value, key))
    names = _names(keys, annotator, f"this {what}") if pending else {}
    for where, record, value, key in pending:
        reading.decide(where, record, value, names[key])
    return reading


def read_labelstudio_rows(header: list[str], rows, annotator: str | None, codebook: Codebook) -> Reading:
    """A CSV (or TSV) export: one row per annotation, a column per Choices block."""
    return _read_flat((dict(zip(header, row)) for row in rows), annotator, codebook,
                      "Label Studio CSV export", lambda n: f"row {n + 1}")
