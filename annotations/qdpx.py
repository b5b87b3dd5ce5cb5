"""REFI-QDA exchange (`.qdpx`, read by QualCoder, NVivo, ATLAS.ti, MAXQDA): the documents as
text sources, the codebook as a code tree, each review item as a text selection, and the model's
codes as codings by a "stancemap model" user with its scores in notes. Coders add codings as
themselves; importing reads those back, one coder per coding's user.

GUIDs are derived from names (uuid5, written in RFC 4122's canonical lower-case form), so the
same item, code or document always has the same GUID. Code names are unique paths ("stance ›
china › favour"): QualCoder keys codes by name, and a program that gives codes new GUIDs
(QualCoder does on export) still names them. Sources are named "TITLE [DOC-ID-PREFIX]" so a
coding in a program's own selection is found by its document and character offsets."""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from stancemap import __version__
from stancemap.annotations.codebook import Codebook
from stancemap.annotations.review import Item, Reading, allowed_values, review_dimensions, text_hash
from stancemap.corpus.atomic import replacing
from stancemap.corpus.zipsafety import read_entry, xml_refusal

NS = "urn:QDA-XML:project:1.0"
_GUID_NAMESPACE = uuid.UUID("5b0c7c0e-3d55-4f69-9a8e-2f7b1d6a0c11")
MODEL_USER = "stancemap model"
SEP = " › "
ENTRY_LIMIT = 200 * 2**20


def guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{key}"))


def code_name(dimension: str, target: str = "", value: str | None = None) -> str:
    """The unique name of a code: "stance › china › favour", "sector › energy"."""
    return SEP.join(p for p in (dimension, target, value) if p)


def code_tree(codebook: Codebook, dims: list[str]) -> list[tuple[str, str, list]]:
    """(guid, name, children) for dimension > [target >] value; leaves are codable."""
    tree = []
    for dimension in dims:
        targets = list(codebook.stance_targets) if dimension == "stance" else [""]
        leaves = {t: [(guid("code", f"{dimension}|{t}|{v}"), code_name(dimension, t, v), [])
                      for v in allowed_values(dimension, codebook)] for t in targets}
        children = ([(guid("code", f"stance|{t}"), code_name("stance", t), leaves[t]) for t in targets]
                    if dimension == "stance" else leaves[""])
        tree.append((guid("code", dimension), dimension, children))
    return tree


def code_index(codebook: Codebook) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """(GUID -> (dimension, target, value), normalised name -> the same) for every codable code."""
    by_guid, by_name = {}, {}
    for dimension in review_dimensions(codebook):
        targets = list(codebook.stance_targets) if dimension == "stance" else [""]
        for target in targets:
            for value in allowed_values(dimension, codebook):
                by_guid[guid("code", f"{dimension}|{target}|{value}")] = (dimension, target, value)
                by_name[_norm(code_name(dimension, target, value))] = (dimension, target, value)
    return by_guid, by_name


def _norm(name: str) -> str:
    parts = [p.strip() for p in name.replace(">", "›").replace("/", "›").split("›")]
    return SEP.join(p for p in parts if p).casefold()


def source_name(doc_id: str, title: str | None) -> str:
    return f"{title or 'document'} [{doc_id[:12]}]"


def _codes_xml(tree, depth: int = 3) -> str:
    out = []
    for code_guid, name, children in tree:
        pad = "  " * depth
        if children:
            out.append(f'{pad}<Code guid="{code_guid}" name={quoteattr(name)} isCodable="false">')
            out.append(_codes_xml(children, depth + 1))
            out.append(f"{pad}</Code>")
        else:
            out.append(f'{pad}<Code guid="{code_guid}" name={quoteattr(name)} isCodable="true"/>')
    return "\n".join(out)


def write_qdpx(items: list[Item], path: Path, codebook: Codebook, doc_texts: dict[str, str],
               doc_titles: dict[str, str | None]) -> list[Path]:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    model_user = guid("user", MODEL_USER)
    by_model = f'creatingUser="{model_user}" creationDateTime="{stamp}"'
    dims = sorted({i.dimension for i in items})
    by_doc: dict[str, list[Item]] = {}
    for item in items:
        by_doc.setdefault(item.doc_id, []).append(item)
    sources, notes = [], []
    for doc_id in sorted(by_doc):
        source_guid = guid("source", doc_id)
        selections = []
        for item in by_doc[doc_id]:
            codings = []
            for value in item.model_values:
                note_guid = guid("note", f"{item.item_id}|{value}")
                codings.append(
                    f'        <Coding guid="{guid("coding", f"{item.item_id}|{value}")}" {by_model}>'
                    f'<CodeRef targetGUID="{guid("code", f"{item.dimension}|{item.target}|{value}")}"/>'
                    f'<NoteRef targetGUID="{note_guid}"/></Coding>')
                notes.append(f'    <Note guid="{note_guid}" name={quoteattr("model score " + item.item_id)} '
                             f'{by_model}><PlainTextContent>'
                             f'{escape(f"{item.model_source}: score {item.model_score}")}'
                             f"</PlainTextContent></Note>")
            label = f"{item.dimension}{' toward ' + item.target if item.target else ''}"
            selections.append(
                f'      <PlainTextSelection guid="{guid("selection", item.item_id)}" '
                f'name={quoteattr(item.item_id)} startPosition="{item.start}" endPosition="{item.end}" '
                f"{by_model}>"
                f"<Description>{escape(f'stancemap item: {label}; text_sha={item.text_sha}')}</Description>"
                + "".join("\n" + c for c in codings) + "\n      </PlainTextSelection>")
        sources.append(f'    <TextSource guid="{source_guid}" '
                       f'name={quoteattr(source_name(doc_id, doc_titles.get(doc_id)))} '
                       f'plainTextPath="internal://{source_guid}.txt" {by_model}>\n'
                       + "\n".join(selections) + "\n    </TextSource>")
    xml = (f'<?xml version="1.0" encoding="utf-8"?>\n'
           f'<Project xmlns="{NS}" name="stancemap review" origin="stancemap {__version__}" '
           f'creatingUserGUID="{model_user}" creationDateTime="{stamp}">\n'
           f'  <Users>\n    <User guid="{model_user}" name="{MODEL_USER}"/>\n  </Users>\n'
           f"  <CodeBook>\n    <Codes>\n{_codes_xml(code_tree(codebook, dims))}\n    </Codes>\n  </CodeBook>\n"
           f"  <Sources>\n" + "\n".join(sources) + "\n  </Sources>\n"
           + (f"  <Notes>\n" + "\n".join(notes) + "\n  </Notes>\n" if notes else "")
           + "</Project>\n")
    with replacing(path) as (part,), \
            zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for doc_id in sorted(by_doc):
            archive.writestr(f"sources/{guid('source', doc_id)}.txt", doc_texts[doc_id])
    return [path]


# reading -----------------------------------------------------------------------------------
@dataclass
class Located:
    """A coder's selection placed in the project: its passage and that passage's text hash."""

    passage_id: str
    text_sha: str


# (doc-id prefix from the source name, the source's text, start, end) -> the passage, or a reason
Locator = Callable[[str, str | None, int, int], "Located | str"]


def _project_xml(path: Path):
    """project.qde parsed safely (streamed with an inflate cap, defusedxml), and the archive's
    text sources by upper-cased file stem."""
    from defusedxml import DefusedXmlException, ElementTree

    with zipfile.ZipFile(path) as archive:
        if "project.qde" not in archive.namelist():
            raise ValueError("no project.qde inside")
        data = read_entry(archive, "project.qde", ENTRY_LIMIT)
        texts = {}
        for name in archive.namelist():
            parts = PurePosixPath(name).parts
            if len(parts) == 2 and parts[0].lower() == "sources" and name.lower().endswith(".txt"):
                texts[PurePosixPath(name).stem.lower()] = read_entry(archive, name, ENTRY_LIMIT).decode(
                    "utf-8-sig", "replace")
    try:
        return ElementTree.fromstring(data), texts
    except DefusedXmlException as err:
        raise ValueError(f"project.qde: {xml_refusal(err)}") from None
    except ElementTree.ParseError as err:
        raise ValueError(f"project.qde is not well-formed XML ({err}): a half-written or damaged "
                         f"file") from None


def _codes(root, q: str, problems: list[str]) -> dict[str, str]:
    """Every code's GUID (lower case) -> its name path ("stance › china › favour"); a GUID
    given to two codes is a problem (which one a coding means cannot be told)."""
    found = {}

    def walk(element, prefix: list[str]) -> None:
        for code in element.findall(f"{q}Code"):
            name = (code.get("name") or "").strip()
            path = prefix + [name.split("›")[-1].strip()]
            key = (code.get("guid") or "").strip("{}").lower()
            if key in found:
                problems.append(f"code GUID {key} names two codes, {found[key][1]!r} and "
                                f"{SEP.join(path)!r}; every code needs its own GUID")
            found[key] = (name, SEP.join(path))
            walk(code, path)

    for codes in root.iter(f"{q}Codes"):
        walk(codes, [])
    return found


def _users(root, q: str, problems: list[str]) -> dict[str, str]:
    """Every user's GUID (lower case) -> name. Coders are told apart by GUID and by name: one
    GUID with two names, or one name with two GUIDs, would credit one coder's work to another."""
    users: dict[str, str] = {}
    guids: dict[str, str] = {}
    for user in root.iter(f"{q}User"):
        key, name = (user.get("guid") or "").strip("{}").lower(), (user.get("name") or "").strip()
        if users.get(key, name) != name:
            problems.append(f"user GUID {key} is given to two users, {users[key]!r} and {name!r}")
        elif guids.get(name.casefold(), key) != key:
            problems.append(f"two users are named {name!r} (GUIDs {guids[name.casefold()]} and "
                            f"{key}); give each coder a name of their own")
        users.setdefault(key, name)
        guids.setdefault(name.casefold(), key)
    return users


def read_qdpx(path: Path, annotator: str | None, codebook: Codebook,
              locate: Locator | None = None) -> Reading:
    """Codings by anyone but the model user become decisions, one coder per coding's user.
    A coding is placed on its item by stancemap's selection (named by item id), else — for a
    program's own selections — by its source's document and the selection's offsets."""
    root, texts = _project_xml(path)
    q = f"{{{NS}}}"
    reading = Reading(kind="a REFI-QDA project")
    users = _users(root, q, reading.problems)
    model_user = guid("user", MODEL_USER)
    by_guid, by_name = code_index(codebook)
    names = _codes(root, q, reading.problems)
    found: dict[tuple[str, str], list] = {}
    selections: dict[tuple[str, str], list[str]] = {}  # item, coder -> the selections coding it
    for source in root.iter(f"{q}TextSource"):
        stem = (source.get("plainTextPath") or "").removeprefix("internal://").removesuffix(".txt")
        text = texts.get(stem.lower())
        label = source.get("name") or ""
        doc_key = label.rsplit("[", 1)[-1].rstrip("]") if label.endswith("]") else ""
        for selection in source.iter(f"{q}PlainTextSelection"):
            item_id = selection.get("name") or ""
            where = f"selection {item_id if item_id.count('|') == 2 else selection.get('guid')}"
            for coding in selection.findall(f"{q}Coding"):
                creator = (coding.get("creatingUser") or selection.get("creatingUser") or "").strip("{}").lower()
                if creator == model_user or users.get(creator) == MODEL_USER:
                    continue
                ref = coding.find(f"{q}CodeRef")
                target_guid = (ref.get("targetGUID") if ref is not None else "") or ""
                name, name_path = names.get(target_guid.strip("{}").lower(), ("", ""))
                code = (by_guid.get(target_guid.strip("{}").lower()) or by_name.get(_norm(name))
                        or by_name.get(_norm(name_path)))
                if code is None:
                    reading.problems.append(
                        f"{where}: a coding refers to code {name or target_guid!r}, which is not in "
                        f"stancemap's code tree (codes are matched by GUID, then by name path)")
                    continue
                dimension, target, value = code
                if item_id.count("|") == 2:
                    passage_id, sha = item_id.split("|")[0], None
                    if item_id.split("|")[1:] != [dimension, target]:
                        reading.problems.append(f"{where}: a {code_name(dimension, target)} code on a "
                                                f"{SEP.join(p for p in item_id.split('|')[1:] if p)} item")
                        continue
                    if text is not None:
                        start, end = _offsets(selection)
                        sha = text_hash(text[start:end]) if start is not None else None
                else:
                    start, end = _offsets(selection)
                    place = (locate(doc_key, text, start, end) if locate and start is not None
                             else "its source is not a document stancemap exported")
                    if isinstance(place, str):
                        reading.problems.append(f"{where} in source {label!r}: {place}")
                        continue
                    passage_id, sha = place.passage_id, place.text_sha
                coder = users.get(creator) or annotator or creator or None
                key = (f"{passage_id}|{dimension}|{target}", coder)
                entry = found.setdefault(key, [where, sha, []])
                if value not in entry[2]:
                    entry[2].append(value)
                places = selections.setdefault(key, [])
                if not places or places[-1][0] is not selection:
                    places.append((selection, selection.get("guid") or where))
    for (item_id, coder), places in selections.items():
        if len(places) > 1:  # as in every format: an item twice from one coder is refused
            reading.problems.append(
                f"item {item_id} is coded in {len(places)} selections by coder {coder}: "
                + ", ".join(shown for _, shown in places[:5]) + (" …" if len(places) > 5 else "")
                + "; keep one")
    if not found and not reading.problems:
        codes = [c.get("name") for c in root.iter(f"{q}Code")]
        sources = len(list(root.iter(f"{q}TextSource")))
        raise ValueError(f"a REFI-QDA project with {len(codes)} code(s) ({', '.join(codes[:3])}"
                         f"{' …' if len(codes) > 3 else ''}) and {sources} text source(s), but no "
                         f"coder's codings on stancemap review items")
    for (item_id, coder), (where, sha, values) in found.items():
        reading.decide(where, {"item_id": item_id, "text_sha": sha}, values, coder)
    return reading


def _offsets(selection) -> tuple[int | None, int | None]:
    try:
        return int(selection.get("startPosition")), int(selection.get("endPosition"))
    except (TypeError, ValueError):
        return None, None


def qdpx_codes(path: Path) -> tuple[str, list[str]]:
    """The project's name and its codable codes as paths ("Parent > Child"), in file order."""
    root, _ = _project_xml(path)
    q = f"{{{NS}}}"
    paths: list[str] = []

    def walk(element, prefix: str) -> None:
        for code in element.findall(f"{q}Code"):
            name = (code.get("name") or "").strip()
            path = f"{prefix} > {name}" if prefix else name
            if (code.get("isCodable") or "true").lower() == "true" and path not in paths:
                paths.append(path)
            walk(code, path)

    for codes in root.iter(f"{q}Codes"):
        walk(codes, "")
    return root.get("name") or Path(path).stem, paths


def codebook_from_qdpx(path: Path, dimension: str | None = None) -> dict | None:
    """A codebook (extending the default) with the QDA project's code tree as a dimension of
    its own; None when the project has no codes."""
    import re

    name, paths = qdpx_codes(path)
    if not paths:
        return None
    slug = dimension or re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "qda_codes"
    if not slug[0].isalpha():
        slug = f"qda_{slug}"
    return {"extends": "default", "name": f"china-central-asia+{slug}", "version": "1.0",
            "dimensions": {slug: {"label": name, "description": f"Code tree of {Path(path).name}",
                                  "values": paths, "multi": True}}}
