"""The data dictionary: for every exported column, what it means, its type and allowed values."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.corpus.document import KINDS, ROLES
from stancemap.datasets.correction import MODEL_METHOD as _MODEL_INTERVAL
from stancemap.datasets.correction import PPI_METHOD as _PPI_INTERVAL
from stancemap.datasets.sources import SOURCE_KIND_VALUES

STANCE_VALUES = "favour | against | neutral"
SENTIMENT_VALUES = "positive | negative | neutral"
SOURCE_VALUES = "model | human | adjudicated (which kind of code the value comes from)"
STATUS_VALUES = "predicted | accepted | corrected | rejected | adjudicated"

_FIXED = {
    "passage_id": ("Passage id: the document id's first 16 hex digits and the passage number", None),
    "doc_id": ("Document id: sha256 of the document's text with white space collapsed", None),
    "seq": ("Position of the passage in its document (0 = first)", None),
    "start": ("Character offset where the passage starts in the document text", None),
    "end": ("Character offset where the passage ends in the document text", None),
    "page": ("PDF page (1-based) on which the passage starts", None),
    "speaker": ("Speaker of an interview turn, or respondent id of a survey answer (else the "
                "metadata's speaker)", None),
    "role": ("Role of the speaker: respondent (interviewee, survey respondent), question (an "
             "interviewer's or moderator's turn) or context (a transcript's header before the "
             "first turn); questions and context are kept, not coded for stance or sentiment, "
             "not counted in panels; empty for documents without turns",
             " | ".join(ROLES)),
    "source_country": ("Country of the source (who speaks or writes), ISO3 of any ISO 3166 "
                       "country: the metadata's source_country or country field — the "
                       "speaker's manifest row or survey row first, then the file's manifest "
                       "row, path pattern, the file itself; a value that names no country is "
                       "kept as written (ingest lists it); when none is given, a byline naming "
                       "an office and its country (source_from = byline, panel.bylines); never "
                       "coded from the passage's words", None),
    "source_from": ("Where source_country comes from: metadata (given) or byline (a document's "
                    "author, byline or 'The writer is …' line naming an office and the country "
                    "it serves); empty without a source country", "metadata | byline"),
    "source_evidence": ("For a byline's source country: the field, the byline's text, the office "
                        "and the country words read (e.g. byline_line: 'The writer is the Chinese "
                        "Ambassador to Bangladesh.' (diplomat: 'Ambassador' of 'Chinese' = CHN))",
                        None),
    "source_kind": ("Kind of source: from the metadata's source_kind, else the document kind "
                    "(interview, survey, speech, news, policy) and the role", None),
    "source_id": ("The unit counted as one source: 'id:' + the metadata's source_id/person_id "
                  "(one person across documents); else document id (16 hex) + '/' + speaker "
                  "(an interview participant, a survey respondent); else the document id "
                  "(a speech, an article, a report is one source)", None),
    "question": ("Survey question (column) the answer belongs to", None),
    "lang": ("Language of the passage, ISO 639-1", None),
    "doc_lang": ("Main language of the document, ISO 639-1", None),
    "kind": ("Kind of document", " | ".join(KINDS)),
    "title": ("Document title", None),
    "date": ("Document date (ISO 8601, as precise as known; in Stata and Parquet a date, the "
             "first day of the period when only a year or month is known — see date_precision)", None),
    "date_precision": ("How precise the document date is", "day | month | year"),
    "year": ("Year of the document date", None),
    "source_path": ("File the document was read from", None),
    "stakeholder": ("Stakeholder group of the source (metadata stakeholder_group or stakeholder, "
                    "same precedence as source_country), as a codebook id when it matches one", None),
    "text": ("Passage text; equals the document text between start and end", None),
    "dimension": ("Coded dimension", "country | sector | topic | sentiment | stance | any codebook dimension"),
    "target": ("Stance target (codebook id); empty for other dimensions", None),
    "value": ("Coded value", None),
    "score": ("Confidence in [0, 1]; for sentiment and stance the signed polarity in [-1, 1]; "
              "for topic the passage's topic share", None),
    "source": ("Who produced the code: model:<stage>@<version> or human:<annotator>", None),
    "status": ("Review status of the code", STATUS_VALUES),
    "details": ("JSON evidence for the code (matched mentions, patterns, clauses, similarity)", None),
    "run_id": ("Run that wrote the code", None),
    "created_at": ("When the code was written (UTC)", None),
    "about_country": ("Countries the passage speaks about (its subject, coded from mentions), "
                      "ISO3, ';'-separated; in a panel, one cell per country", None),
    "about_region": ("Regions the passage speaks about as a whole (\"Central Asia\"), codebook "
                     "ids; not counted for the member countries unless panel.spread_regions", None),
    "sectors": ("Sectors the passage is about, codebook ids, ';'-separated", None),
    "sector": ("Sector, codebook id", None),
    "top_topic": ("Topic with the largest share in the passage", None),
    "top_topic_share": ("Share of the top topic in the passage", None),
    "top_topic_label": ("Label of the top topic (its most distinctive phrases; the codebook "
                        "sector's name first where the topic matches one)", None),
    "topic": ("Topic id", None),
    "sentiment": ("Sentiment of the passage", SENTIMENT_VALUES),
    "sentiment_score": ("Sentiment polarity in [-1, 1] (VADER compound or P(pos) - P(neg))", None),
    "n_passages": ("Number of passages in the cell (question passages left out unless "
                   "panel.include_questions)", None),
    "n_documents": ("Number of distinct documents in the cell", None),
    "n_sources": ("Number of distinct sources in the cell (distinct source_id: speakers and "
                  "respondents within a document, or whole documents): 40 passages of one "
                  "interview are one source", None),
    "one_source": ("Whether every passage of the cell comes from one source: its intervals then "
                   "describe that source's passages, not a population of sources", "True | False"),
    "sent_n": ("Passages with a sentiment code", None),
    "sent_mean": ("Mean sentiment polarity", None),
    "sent_lo": ("Lower bound of the 95% interval of the mean sentiment (cluster-robust over "
                "sources, t on sources-1 df)", None),
    "sent_hi": ("Upper bound of the 95% interval of the mean sentiment (cluster-robust over "
                "sources, t on sources-1 df)", None),
    "sent_net": ("Net sentiment: share of passages coded positive minus share negative, in [-1, 1] "
                 "(model-only: not validated)", None),
    "sent_net_lo": ("Lower bound of the 95% interval of sent_net (" + _MODEL_INTERVAL + ")", None),
    "sent_net_hi": ("Upper bound of the 95% interval of sent_net (" + _MODEL_INTERVAL + ")", None),
    "sent_net_ppi": ("Net sentiment corrected by the validation sample (prediction-powered)", None),
    "sent_net_ppi_lo": ("Lower bound of the 95% interval of sent_net_ppi (" + _PPI_INTERVAL + ")", None),
    "sent_net_ppi_hi": ("Upper bound of the 95% interval of sent_net_ppi (" + _PPI_INTERVAL + ")", None),
    "sent_n_validated": ("Validation-sample passages of the cell with the model's and the coders' "
                         "sentiment", None),
    "sent_ppi_flag": ("Why sent_net_ppi is empty: few_validated (fewer than the minimum coded "
                      "validation passages) or one_validated_source", "few_validated | one_validated_source"),
    "share": ("Mean topic share over the group's passages", None),
    "share_lo": ("Lower bound of the bootstrap 95% interval of the share (sources resampled, "
                 "each with all its passages)", None),
    "share_hi": ("Upper bound of the bootstrap 95% interval of the share", None),
}
_PANEL = {"target": ("Stance target (codebook id) the row's st_* columns are about", None)}
_MENTIONS = {
    "start": ("Character offset where the mention starts in the document text", None),
    "end": ("Character offset where the mention ends in the document text", None),
    "label": ("Entity type", "COUNTRY | PLACE | DEMONYM | REGION | ORG | PROJECT | PERSON | ..."),
    "canonical_id": ("Codebook id (ISO3 for countries) the mention resolves to; empty if none", None),
    "entity_country": ("Country the mentioned entity belongs to, ISO3", None),
    "surface": ("The mention as written; equals the document text between start and end", None),
    "source": ("What found the mention: model:entities@<version>+<analyser>", None),
}
_STANCE_PART = {
    "n_validated": "Validation-sample passages of the cell with the model's and the coders' stance "
                   "toward {label}",
    "ppi_flag": "Why the corrected (_ppi) figures toward {label} are empty: few_validated (fewer "
                "than the minimum coded validation passages) or one_validated_source",
    "n": "Passages with a stance toward {label} (self-references left out unless panel.include_self)",
    "self_n": "Passages of the cell whose stance toward {label} comes from a source of {label}'s "
              "own country (self-reference; left out of the shares unless panel.include_self)",
    "fav": "Share of those in favour of {label}", "ag": "Share of those against {label}",
    "neu": "Share of those neutral toward {label}",
    "net": "Net stance index toward {label}: share in favour minus share against, in [-1, 1]",
}


# declared types: an export's schema never depends on the values a project happens to hold
# (a column that is empty in one project has the same type as in another)
_STRING = ("passage_id doc_id speaker question lang doc_lang kind title source_path stakeholder text "
           "dimension target value source status details run_id created_at countries country "
           "sectors sector top_topic top_topic_label topic sentiment date_precision role "
           "source_country source_kind source_id source_from source_evidence about_country about_country_source about_region "
           "label canonical_id entity_country surface").split()
_INTEGER = ("seq start end page year n_passages n_documents n_sources sent_n n_self n_left_out "
            "sent_n_validated").split()
_FLOAT = ("score top_topic_share sentiment_score sent_mean sent_lo sent_hi share share_lo share_hi "
          "sent_net sent_net_lo sent_net_hi sent_net_ppi sent_net_ppi_lo sent_net_ppi_hi").split()
TYPES = {**{c: "string" for c in _STRING}, **{c: "integer" for c in _INTEGER},
         **{c: "float" for c in _FLOAT}, "date": "date", "one_source": "boolean",
         "sent_ppi_flag": "string"}
# categorical columns (Stata value labels): the values each may take, in order
CATEGORIES = {"sentiment": SENTIMENT_VALUES, "status": STATUS_VALUES, "kind": " | ".join(KINDS),
              "date_precision": "day | month | year", "role": " | ".join(ROLES)}


def column_type(column: str, codebook: Codebook) -> str | None:
    """The declared type of an export column (string, integer, float, boolean, date), or None
    for a column stancemap does not know (then the data's own dtype is used)."""
    if column in TYPES:
        return TYPES[column]
    if column.endswith("_source") or column.startswith(("code_", "meta_")):
        return "string"
    match = re.match(r"^stance_(\w+?)(_score|_self)?$", column)
    if match and match.group(1) in codebook.stance_targets:
        return {"_score": "float", "_self": "boolean"}.get(match.group(2) or "", "string")
    match = _stance_cell(column)
    if match and (not match.group(1) or match.group(1) in codebook.stance_targets):
        part = match.group(2)
        return "integer" if part in ("n", "self_n", "n_validated") else \
            "string" if part == "ppi_flag" else "float"
    return None


_PARTS = r"(n_validated|ppi_flag|self_n|n|fav|ag|neu|net)(_ppi)?(_lo|_hi)?"


def _stance_cell(column: str):
    """st_<target>_<part>[_ppi][_lo|_hi] of a panel, or the generic st_<part> of a panel by target."""
    return re.match(rf"^st_(){_PARTS}$", column) or re.match(rf"^st_(\w+?)_{_PARTS}$", column)


def categories(column: str, codebook: Codebook) -> list[str] | None:
    """The ordered values of a single-valued categorical column, or None."""
    if column in CATEGORIES:
        return [v.strip() for v in CATEGORIES[column].split("|")]
    if column.endswith("_source"):
        return ["model", "human", "adjudicated"]
    match = re.match(r"^stance_(\w+)$", column)
    if match and match.group(1) in codebook.stance_targets:
        return [v.strip() for v in STANCE_VALUES.split("|")]
    if column.startswith("code_") and column[5:] in codebook.dimensions:
        own = codebook.dimensions[column[5:]]
        return None if own.multi else list(own.values)
    return None


def series_type(series: pd.Series) -> str:
    """The dictionary type of a column stancemap does not declare, from its values."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "string"


def describe(column: str, codebook: Codebook, level: str | None = None) -> tuple[str, str | None]:
    if level == "mentions" and column in _MENTIONS:
        return _MENTIONS[column]
    if level == "panel" and column in _PANEL:
        meaning, _ = _PANEL[column]
        return meaning, " | ".join(codebook.stance_targets)
    if column in _FIXED:
        meaning, allowed = _FIXED[column]
        if column == "about_country":
            allowed = " | ".join(codebook.countries)
        elif column == "source_country":
            allowed = "any ISO 3166-1 alpha-3 code | a value as written that names no country"
        elif column == "about_region":
            allowed = " | ".join(codebook.regions)
        elif column == "target":
            allowed = " | ".join(codebook.stance_targets)
        elif column == "source_kind":
            allowed = " | ".join(SOURCE_KIND_VALUES) + " | other metadata values"
        elif column in ("sectors", "sector"):
            allowed = " | ".join(codebook.sectors)
        elif column == "stakeholder":
            allowed = " | ".join(codebook.stakeholders) + " | other metadata values"
        return meaning, allowed
    if column.endswith("_source"):
        return f"Kind of code behind {column[:-7]}", SOURCE_VALUES
    if column.startswith("code_") and column[5:] in codebook.dimensions:
        own = codebook.dimensions[column[5:]]
        return (f"{own.label}: the coders' codes (a codebook dimension no model predicts), "
                f"';'-separated", " | ".join(own.values))
    if column.startswith("meta_"):
        return f"Metadata field '{column[5:]}' (manifest, path pattern or the file itself)", None
    match = re.match(r"^stance_(\w+?)(_score|_self)?$", column)
    if match and match.group(1) in codebook.stance_targets:
        label = codebook.stance_targets[match.group(1)].label
        if match.group(2) == "_score":
            return f"Stance polarity toward {label} in [-1, 1]", None
        if match.group(2) == "_self":
            return (f"Whether the stance toward {label} is self-reference: the source's country "
                    f"is {label}'s own ({codebook.target_country(match.group(1)) or 'unknown'}); "
                    f"empty without a stance or when the source country is unknown"), "True | False"
        return f"Stance of the passage toward {label}", STANCE_VALUES
    match = _stance_cell(column)
    if match and (not match.group(1) or match.group(1) in codebook.stance_targets):
        label = (codebook.stance_targets[match.group(1)].label if match.group(1)
                 else "the row's target")
        meaning = _STANCE_PART[match.group(2)].format(label=label)
        if match.group(3):
            meaning = (f"{meaning}, corrected by the validation sample (prediction-powered: the "
                       f"coders' value estimated from the model's codes and the coded sample)")
        if match.group(4):
            bound = "Lower" if match.group(4) == "_lo" else "Upper"
            method = _PPI_INTERVAL if match.group(3) else _MODEL_INTERVAL
            meaning = f"{bound} bound of the 95% interval ({method}): {meaning[0].lower()}{meaning[1:]}"
        elif match.group(2) in ("fav", "ag", "neu", "net") and not match.group(3):
            meaning += " (model-only where no coder coded the passage: not validated)"
        allowed = "few_validated | one_validated_source" if match.group(2) == "ppi_flag" else None
        return meaning, allowed
    return column, None


def data_dictionary(table: pd.DataFrame, codebook: Codebook,
                    level: str | None = None) -> list[dict[str, Any]]:
    entries = []
    for column in table.columns:
        meaning, allowed = describe(column, codebook, level)
        declared = column_type(column, codebook)
        entries.append({"column": column, "meaning": meaning, "type": declared or series_type(table[column]),
                        "allowed_values": allowed or "", "categories": categories(column, codebook)})
    return entries
