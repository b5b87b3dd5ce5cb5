"""Who speaks: a passage's source fields from its metadata, with one precedence.

1. the passage: the manifest's row for that speaker of the file, or a survey row's columns;
2. the document: the manifest row, then the path pattern's fields, then the file's own fields
   (JSONL keys, HTML meta tags);
3. the byline (panel.bylines): when neither level gives a country, an author or byline that
   names an office and the country it serves ("The writer is the Chinese Ambassador to
   Bangladesh") gives the country, and the stakeholder when none is given
   (`source_from` = byline, `source_evidence` says which field, text and words);
4. derived: `source_kind` from the document kind and the passage role.
Within a level `source_country` wins over `country`. Coding never writes these fields."""

from __future__ import annotations

from typing import Any

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.countries import CountryResolver
from stancemap.config import PanelConfig
from stancemap.corpus.byline import BYLINE_FIELDS, Byline, read_byline
from stancemap.datasets.panel import perception_rows
from stancemap.errors import Errors

SOURCE_KINDS = {"interview": "interview_respondent", "survey": "survey_respondent",
                "speech": "official_speech", "news": "media", "policy": "policy_author"}
SOURCE_KIND_VALUES = (*SOURCE_KINDS.values(), "interviewer")
_COUNTRY_KEYS = ("source_country", "country")
_STAKEHOLDER_KEYS = ("stakeholder_group", "stakeholder")
_ID_KEYS = ("source_id", "person_id")
# who a byline's office speaks for, as the codebook's stakeholder (an alias of "government")
_BYLINE_STAKEHOLDER = {"diplomat": "government", "government": "government"}


def _first(meta: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((meta[k] for k in keys if meta.get(k) not in (None, "")), None)


class SourceResolver:
    def __init__(self, codebook: Codebook, bylines: bool = True):
        self.codebook = codebook
        self.countries = CountryResolver(codebook)
        self.bylines = bylines
        self._countries: dict[str, str | None] = {}
        self._bylines: dict[str, tuple[str, Byline] | None] = {}

    def country(self, raw: Any) -> str | None:
        """ISO3 of any country the value names, else the value as written (ingest lists such
        values): a source is never dropped for being outside the codebook or unrecognised."""
        if raw in (None, ""):
            return None
        key = str(raw)
        if key not in self._countries:  # a corpus repeats a few values over many passages
            self._countries[key] = self.countries.resolve(raw) or " ".join(key.split()) or None
        return self._countries[key]

    def stakeholder(self, raw: Any) -> str | None:
        """A codebook stakeholder id when the value names one, else the value as given."""
        if raw in (None, ""):
            return None
        key = str(raw).strip().casefold()
        for stakeholder_id, stakeholder in self.codebook.stakeholders.items():
            names = {stakeholder_id, stakeholder.label.casefold(),
                     *(a.casefold() for a in stakeholder.aliases)}
            if key in names or key.replace(" ", "_") == stakeholder_id:
                return stakeholder_id
        return str(raw)

    def byline(self, meta: dict) -> tuple[str, Byline] | None:
        """(the field, what it says) of the first byline field that names an office and its
        country."""
        for field in BYLINE_FIELDS:
            text = meta.get(field)
            if isinstance(text, list):  # front matter's list of authors
                text = "; ".join(map(str, text))
            if text in (None, ""):
                continue
            key = str(text)
            if key not in self._bylines:
                self._bylines[key] = read_byline(key, self.countries.resolve_name)
            if self._bylines[key]:
                return field, self._bylines[key]
        return None

    def source(self, passage_meta: dict, doc_meta: dict, *, speaker: str | None,
               role: str | None, kind: str, doc_id: str) -> dict[str, Any]:
        """source_country (ISO3), stakeholder, source_kind, speaker and source_id — the unit
        counted as one source: an explicit `source_id`/`person_id`, else the speaker within
        the document (an interview turn's label, a survey respondent), else the document —
        and where the country comes from (`source_from`, `source_evidence`)."""
        levels = (passage_meta or {}, doc_meta or {})
        raw_country = next((v for m in levels if (v := _first(m, _COUNTRY_KEYS)) is not None), None)
        stakeholder = next((v for m in levels if (v := _first(m, _STAKEHOLDER_KEYS)) is not None), None)
        source_from = evidence = None
        if raw_country is not None:
            source_from = "metadata"
        elif self.bylines and (found := next(filter(None, map(self.byline, levels)), None)):
            field, byline = found
            raw_country, source_from = byline.country, "byline"
            stakeholder = stakeholder or _BYLINE_STAKEHOLDER[byline.kind]
            evidence = (f"{field}: {byline.text!r} ({byline.kind}: {byline.role!r} of "
                        f"{byline.named!r} = {byline.country})")
        given_kind = next((m["source_kind"] for m in levels if m.get("source_kind")), None)
        explicit_id = next((v for m in levels if (v := _first(m, _ID_KEYS)) is not None), None)
        speaker = speaker or next((m["speaker"] for m in levels if m.get("speaker")), None)
        if role in ("question", "context"):
            source_kind = "interviewer" if role == "question" else None
        else:
            source_kind = given_kind or SOURCE_KINDS.get(kind)
        if explicit_id is not None:
            source_id = f"id:{explicit_id}"
        elif speaker:
            source_id = f"{doc_id[:16]}/{speaker}"
        else:
            source_id = doc_id[:16]
        return {"source_country": self.country(raw_country),
                "stakeholder": self.stakeholder(stakeholder), "source_kind": source_kind,
                "speaker": speaker, "source_id": source_id, "source_from": source_from,
                "source_evidence": evidence}


def missing_sources(table: pd.DataFrame, options: PanelConfig | None = None) -> str | None:
    """One line saying how to give sources their country, when most passages a panel counts
    have none (a folder ingested without --pattern or a manifest); None otherwise."""
    counted, _ = perception_rows(table, options or PanelConfig())
    if counted.empty or "source_country" not in counted:
        return None
    missing = int(counted["source_country"].isna().sum())
    if missing <= len(counted) / 2:
        return None
    return Errors.E331.format(missing=missing, total=len(counted))
