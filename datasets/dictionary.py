"""The data dictionary: for every exported column, what it means, its type and allowed values."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.corpus.document import KINDS

STANCE_VALUES = "favour | against | neutral"
SENTIMENT_VALUES = "positive | negative | neutral"
SOURCE_VALUES = "model | human | adjudicated (which kind of code the value comes from)"

_FIXED = {
    "passage_id": ("Passage id: the document id's first 16 hex digits and the passage number", None),
    "doc_id": ("Document id: sha256 of the document's text with white space collapsed", None),
    "seq": ("Position of the passage in its document (0 = first)", None),
    "start": ("Character offset where the passage starts in the document text", None),
    "end": ("Character offset where the passage ends in the document text", None),
    "page": ("PDF page (1-based) on which the passage starts", None),
    "speaker": ("Speaker of an interview turn, or respondent id of a survey answer", None),
    "question": ("Survey question (column) the answer belongs to", None),
    "lang": ("Language of the passage, ISO 639-1", None),
    "doc_lang": ("Main language of the document, ISO 639-1", None),
    "kind": ("Kind of document", " | ".join(KINDS)),
    "title": ("Document title", None),
    "date": ("Document date (ISO 8601, as precise as known)", None),
    "year": ("Year of the document date", None),
    "source_path": ("File the document was read from", None),
    "stakeholder": ("Stakeholder group from metadata, as a codebook id when it matches one", None),
    "text": ("Passage text; equals the document text between start and end", None),
    "dimension": ("Coded dimension", "country | sector | topic | sentiment | stance | any codebook dimension"),
    "target": ("Stance target (codebook id); empty for other dimensions", None),
    "value": ("Coded value", None),
    "score": ("Confidence in [0, 1]; for sentiment and stance the signed polarity in [-1, 1]; "
              "for topic the passage's topic share", None),
    "source": ("Who produced the code: model:<stage>@<version> or human:<annotator>", None),
    "status": ("Review status of the code", "predicted | accepted | corrected | rejected | adjudicated"),
    "details": ("JSON evidence for the code (matched mentions, patterns, clauses, similarity)", None),
    "run_id": ("Run that wrote the code", None),
    "created_at": ("When the code was written (UTC)", None),
    "countries": ("Countries the passage speaks about, ISO3, ';'-separated", None),
    "country": ("Country, ISO3", None),
    "sectors": ("Sectors the passage is about, codebook ids, ';'-separated", None),
    "sector": ("Sector, codebook id", None),
    "top_topic": ("Topic with the largest share in the passage", None),
    "top_topic_share": ("Share of the top topic in the passage", None),
    "top_topic_label": ("Label of the top topic (its most relevant terms)", None),
    "topic": ("Topic id", None),
    "sentiment": ("Sentiment of the passage", SENTIMENT_VALUES),
    "sentiment_score": ("Sentiment polarity in [-1, 1] (VADER compound or P(pos) - P(neg))", None),
    "n_passages": ("Number of passages in the cell", None),
    "n_documents": ("Number of documents in the cell", None),
    "sent_n": ("Passages with a sentiment code", None),
    "sent_mean": ("Mean sentiment polarity", None),
    "sent_lo": ("Lower bound of the 95% interval of the mean sentiment (normal approximation)", None),
    "sent_hi": ("Upper bound of the 95% interval of the mean sentiment", None),
    "share": ("Mean topic share over the group's passages", None),
    "share_lo": ("Lower bound of the bootstrap 95% interval of the share", None),
    "share_hi": ("Upper bound of the bootstrap 95% interval of the share", None),
}
_STANCE_PART = {
    "n": "Passages with a stance toward {label}",
    "fav": "Share of those in favour of {label}", "ag": "Share of those against {label}",
    "neu": "Share of those neutral toward {label}",
    "net": "Net stance index toward {label}: share in favour minus share against, in [-1, 1]",
}


def _type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "string"


def describe(column: str, codebook: Codebook) -> tuple[str, str | None]:
    if column in _FIXED:
        meaning, allowed = _FIXED[column]
        if column in ("countries", "country"):
            allowed = " | ".join(codebook.countries)
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
    match = re.match(r"^stance_(\w+?)(_score)?$", column)
    if match and match.group(1) in codebook.stance_targets:
        label = codebook.stance_targets[match.group(1)].label
        if match.group(2):
            return f"Stance polarity toward {label} in [-1, 1]", None
        return f"Stance of the passage toward {label}", STANCE_VALUES
    match = re.match(r"^st_(\w+)_(n|fav|ag|neu|net)(_lo|_hi)?$", column)
    if match and match.group(1) in codebook.stance_targets:
        label = codebook.stance_targets[match.group(1)].label
        meaning = _STANCE_PART[match.group(2)].format(label=label)
        if match.group(3):
            bound = "Lower" if match.group(3) == "_lo" else "Upper"
            method = "Wilson" if match.group(2) != "net" else "adjusted Wald, one pseudo-count per class"
            meaning = f"{bound} bound of the 95% interval ({method}): {meaning[0].lower()}{meaning[1:]}"
        return meaning, None
    return column, None


def data_dictionary(table: pd.DataFrame, codebook: Codebook) -> list[dict[str, Any]]:
    entries = []
    for column in table.columns:
        meaning, allowed = describe(column, codebook)
        entries.append({"column": column, "meaning": meaning, "type": _type(table[column]),
                        "allowed_values": allowed or ""})
    return entries
