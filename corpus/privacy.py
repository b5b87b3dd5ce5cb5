"""Pseudonyms for what identifies a person in interview and survey material: speaker labels and
respondent ids, person names found by the entities stage (stored as PERSON/PER mentions, also
the single names inside them), names given in metadata fields, e-mail addresses and phone
numbers. The same original always gets the same pseudonym in every file, because the key is
kept in the project (`privacy/pseudonyms.json`, never exported); `write_key` hands it out only
when the user asks for it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable

import sqlalchemy as sa

from stancemap.corpus.atomic import replacing, write_text
from stancemap.corpus.store import Store, coded_documents, documents, mentions, passages

KEY_FILE = Path("privacy") / "pseudonyms.json"
PERSON_LABELS = ("PERSON", "PER")
# speaker labels that name a role, not a person
ROLES = {"interviewer", "moderator", "facilitator", "q", "question", "a", "answer", "respondent",
         "интервьюер", "модератор", "вопрос", "ответ", "ведущий", "主持人", "采访者", "问", "答"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])\+?\d[\d ()\-]{7,}\d(?!\w)")
KINDS = {"respondent": "Respondent", "person": "Person", "email": "Email", "phone": "Phone"}


class Pseudonymiser:
    """`fields`: metadata fields whose values identify a person (respondent ids, names)."""

    def __init__(self, project: Path, names: Iterable[str] = (), speakers: Iterable[str] = (),
                 fields: Iterable[str] = ()):
        self.key_path = Path(project) / KEY_FILE
        self.key: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
        if self.key_path.exists():
            stored = json.loads(self.key_path.read_text("utf-8"))
            for kind in KINDS:
                self.key[kind].update(stored.get(kind, {}))
        self.fields = {f.casefold() for f in fields}
        self._surfaces: dict[str, str] = {}  # text to replace -> pseudonym
        for speaker in sorted(set(speakers)):
            if not is_role(speaker):
                pseudonym = self.pseudonym("respondent", speaker)
                self._surfaces.setdefault(speaker, pseudonym)
                for part in re.findall(r"\w{3,}", speaker):
                    if part[0].isupper():  # "Aibek" alone, after the turns of "Aibek Toktogulov"
                        self._surfaces.setdefault(part, pseudonym)
        for name in sorted(set(names), key=lambda n: (-len(n), n)):
            self._surfaces.setdefault(name, self.pseudonym("person", name))
        self._pattern = _alternation(self._surfaces)

    def pseudonym(self, kind: str, original: str) -> str:
        table = self.key[kind]
        if original not in table:
            table[original] = f"{KINDS[kind]}-{len(table) + 1:02d}"
        return table[original]

    def speaker(self, value: str | None) -> str | None:
        if not isinstance(value, str) or not value or is_role(value):
            return value
        return self.pseudonym("respondent", value)

    def text(self, value: str | None) -> str | None:
        if not isinstance(value, str) or not value:
            return value
        value = EMAIL.sub(lambda m: self.pseudonym("email", m.group()), value)
        value = PHONE.sub(lambda m: self.pseudonym("phone", m.group()), value)
        if self._pattern is not None:
            value = self._pattern.sub(lambda m: self._surfaces[m.group()], value)
        return value

    def field(self, name: str, value):
        """A metadata value: identifying fields become pseudonyms, other text is cleaned."""
        if not isinstance(value, str):
            return value
        if name.casefold() in self.fields:
            return self.pseudonym("respondent", value)
        return self.text(value)

    def save(self) -> None:
        self.key_path.parent.mkdir(parents=True, exist_ok=True)
        write_text(self.key_path, json.dumps(self.key, indent=1, ensure_ascii=False))

    def write_key(self, path: Path) -> Path:
        """pseudonym,kind,original — the file that undoes the pseudonyms; keep it apart."""
        import csv

        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as (part,), part.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["pseudonym", "kind", "original"])
            for kind, table in self.key.items():
                for original, pseudonym in sorted(table.items(), key=lambda kv: kv[1]):
                    writer.writerow([pseudonym, kind, original])
        return path


def is_role(label: str) -> bool:
    return label.strip().casefold() in ROLES or bool(re.fullmatch(r"[QAIМ]\d*", label.strip()))


def _alternation(surfaces: dict[str, str]):
    if not surfaces:
        return None
    ordered = sorted(surfaces, key=lambda s: (-len(s), s))
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in ordered) + r")(?!\w)")


def pseudonymiser_for(store: Store, fields: Iterable[str]) -> Pseudonymiser:
    """Built from the project: its speakers and the person names its coding found. Documents
    that were never coded have no person mentions, so they cannot be pseudonymised safely."""
    from stancemap.errors import Errors, UsageError

    with store.engine.connect() as conn:
        active = sa.select(documents.c.doc_id).where(documents.c.retired_at.is_(None))
        uncoded = conn.execute(sa.select(sa.func.count()).select_from(documents)
                               .where(documents.c.retired_at.is_(None),
                                      documents.c.doc_id.not_in(sa.select(coded_documents.c.doc_id)))
                               ).scalar()
        if uncoded:
            raise UsageError(Errors.E300.format(count=uncoded, path=store.project))
        names = [r[0] for r in conn.execute(sa.select(mentions.c.text).distinct()
                                            .where(mentions.c.label.in_(PERSON_LABELS),
                                                   mentions.c.doc_id.in_(active)))]
        speakers = [r[0] for r in conn.execute(sa.select(passages.c.speaker).distinct()
                                               .where(passages.c.speaker.is_not(None),
                                                      passages.c.doc_id.in_(active)))]
    return Pseudonymiser(store.project, names, speakers, fields)
