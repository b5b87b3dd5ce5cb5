"""REFI-QDA exchange (`.qdpx`, read by NVivo, ATLAS.ti, MAXQDA, QualCoder): the documents as
text sources, the codebook as a code tree, each review item as a text selection, and the model's
codes as codings by a "stancemap model" user with its scores in notes. Coders add codings as
themselves; importing reads those back.

GUIDs are derived from names (uuid5), so the same item, code or document always has the same
GUID and a file comes back to the item it was made for."""

from __future__ import annotations

import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from stancemap import __version__
from stancemap.annotations.codebook import Codebook
from stancemap.annotations.review import Decision, Item, allowed_values, review_dimensions, text_hash

NS = "urn:QDA-XML:project:1.0"
_GUID_NAMESPACE = uuid.UUID("5b0c7c0e-3d55-4f69-9a8e-2f7b1d6a0c11")
MODEL_USER = "stancemap model"


def guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{key}")).upper()


def code_tree(codebook: Codebook, dims: list[str]) -> list[tuple[str, str, list]]:
    """(guid, name, children) for dimension > [target >] value; leaves are codable."""
    tree = []
    for dimension in dims:
        if dimension == "stance":
            targets = [(t, [(guid("code", f"stance|{t}|{v}"), v, []) for v in allowed_values("stance", codebook)])
                       for t in codebook.stance_targets]
            children = [(guid("code", f"stance|{t}"), f"stance: {t}", leaves) for t, leaves in targets]
        else:
            children = [(guid("code", f"{dimension}||{v}"), v, []) for v in allowed_values(dimension, codebook)]
        tree.append((guid("code", dimension), dimension, children))
    return tree


def code_index(codebook: Codebook) -> dict[str, tuple[str, str, str]]:
    """GUID -> (dimension, target, value) for every codable code stancemap writes."""
    index = {}
    for dimension in review_dimensions(codebook):
        targets = list(codebook.stance_targets) if dimension == "stance" else [""]
        for target in targets:
            for value in allowed_values(dimension, codebook):
                index[guid("code", f"{dimension}|{target}|{value}")] = (dimension, target, value)
    return index


def _codes_xml(tree, depth: int = 3) -> str:
    out = []
    for code_guid, name, children in tree:
        pad = "  " * depth
        codable = "false" if children else "true"
        if children:
            out.append(f'{pad}<Code guid="{code_guid}" name={quoteattr(name)} isCodable="{codable}">')
            out.append(_codes_xml(children, depth + 1))
            out.append(f"{pad}</Code>")
        else:
            out.append(f'{pad}<Code guid="{code_guid}" name={quoteattr(name)} isCodable="{codable}"/>')
    return "\n".join(out)


def write_qdpx(items: list[Item], path: Path, codebook: Codebook, doc_texts: dict[str, str],
               doc_titles: dict[str, str | None]) -> list[Path]:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    model_user = guid("user", MODEL_USER)
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
                coding_guid = guid("coding", f"{item.item_id}|{value}")
                note_guid = guid("note", f"{item.item_id}|{value}")
                codings.append(
                    f'        <Coding guid="{coding_guid}" creatingUser="{model_user}" '
                    f'creationDateTime="{stamp}"><CodeRef targetGUID="'
                    f'{guid("code", f"{item.dimension}|{item.target}|{value}")}"/>'
                    f'<NoteRef targetGUID="{note_guid}"/></Coding>')
                notes.append(f'    <Note guid="{note_guid}" name={quoteattr("model score " + item.item_id)} '
                             f'creatingUser="{model_user}"><PlainTextContent>{escape(f"{item.model_source}: score {item.model_score}")}'
                             f"</PlainTextContent></Note>")
            label = f"{item.dimension}{' toward ' + item.target if item.target else ''}"
            selections.append(
                f'      <PlainTextSelection guid="{guid("selection", item.item_id)}" '
                f'name={quoteattr(item.item_id)} startPosition="{item.start}" endPosition="{item.end}">'
                f"<Description>{escape(f'stancemap item: {label}; text_sha={item.text_sha}')}</Description>"
                + "".join("\n" + c for c in codings) + "\n      </PlainTextSelection>")
        name = doc_titles.get(doc_id) or doc_id[:12]
        sources.append(f'    <TextSource guid="{source_guid}" name={quoteattr(name)} '
                       f'plainTextPath="internal://{source_guid}.txt">\n' + "\n".join(selections)
                       + "\n    </TextSource>")
    xml = (f'<?xml version="1.0" encoding="utf-8"?>\n'
           f'<Project xmlns="{NS}" name="stancemap review" origin="stancemap {__version__}" '
           f'creationDateTime="{stamp}">\n'
           f'  <Users>\n    <User guid="{model_user}" name="{MODEL_USER}"/>\n  </Users>\n'
           f"  <CodeBook>\n    <Codes>\n{_codes_xml(code_tree(codebook, dims))}\n    </Codes>\n  </CodeBook>\n"
           f"  <Sources>\n" + "\n".join(sources) + "\n  </Sources>\n"
           + (f"  <Notes>\n" + "\n".join(notes) + "\n  </Notes>\n" if notes else "")
           + "</Project>\n")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for doc_id in sorted(by_doc):
            archive.writestr(f"sources/{guid('source', doc_id)}.txt", doc_texts[doc_id])
    return [path]


def read_qdpx(path: Path, annotator: str, codebook: Codebook) -> list[Decision]:
    """Codings by anyone but the model user on stancemap's selections become decisions."""
    from defusedxml import ElementTree

    with zipfile.ZipFile(path) as archive:
        if "project.qde" not in archive.namelist():
            raise ValueError("no project.qde inside")
        root = ElementTree.fromstring(archive.read("project.qde"))
        texts = {Path(n).stem.upper(): archive.read(n).decode("utf-8")
                 for n in archive.namelist() if n.startswith("sources/") and n.endswith(".txt")}
    q = f"{{{NS}}}"
    users = {u.get("guid", "").upper(): u.get("name") or u.get("guid") for u in root.iter(f"{q}User")}
    model_user = guid("user", MODEL_USER)
    humans = sorted({g for g in users if g != model_user})
    index = code_index(codebook)
    found: dict[tuple[str, str], list] = {}
    order: list[tuple[str, str]] = []
    for source in root.iter(f"{q}TextSource"):
        text = texts.get((source.get("plainTextPath") or "").removeprefix("internal://").removesuffix(".txt").upper())
        for selection in source.iter(f"{q}PlainTextSelection"):
            item_id = selection.get("name") or ""
            for coding in selection.findall(f"{q}Coding"):
                creator = (coding.get("creatingUser") or "").upper()
                if creator == model_user:
                    continue
                ref = coding.find(f"{q}CodeRef")
                code = index.get((ref.get("targetGUID") if ref is not None else "").upper())
                if code is None:
                    raise ValueError(f"selection {item_id!r}: a coding refers to code "
                                     f"{ref.get('targetGUID') if ref is not None else '?'} that is not in "
                                     f"stancemap's code tree")
                key = (item_id, creator)
                if key not in found:
                    order.append(key)
                    sha = None
                    if text is not None:
                        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                        sha = text_hash(text[start:end])
                    found[key] = [code, sha]
                    found[key].append([])
                found[key][2].append(code[2])
    if not order:
        codes = [c.get("name") for c in root.iter(f"{q}Code")]
        sources = len(list(root.iter(f"{q}TextSource")))
        raise ValueError(f"a REFI-QDA project with {len(codes)} code(s) ({', '.join(codes[:3])}"
                         f"{' …' if len(codes) > 3 else ''}) and {sources} text source(s), but no "
                         f"coder's codings on stancemap review items")
    decisions = []
    for item_id, creator in order:
        (dimension, target, _), sha, values = found[(item_id, creator)]
        parts = item_id.split("|")
        if len(parts) != 3:
            raise ValueError(f"selection {item_id!r} is not a stancemap item")
        name = annotator if len(humans) <= 1 else f"{annotator}-{users.get(creator, creator)}"
        decisions.append(Decision(f"selection {item_id}", parts[0], parts[1], parts[2], values, sha,
                                  None, name))
    return decisions


def qdpx_codes(path: Path) -> tuple[str, list[str]]:
    """The project's name and its codable codes as paths ("Parent > Child"), in file order."""
    from defusedxml import ElementTree

    with zipfile.ZipFile(path) as archive:
        if "project.qde" not in archive.namelist():
            raise ValueError("no project.qde inside")
        root = ElementTree.fromstring(archive.read("project.qde"))
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
