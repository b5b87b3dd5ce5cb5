"""Stance toward each codebook target a passage mentions: favour, against or neutral.

The default scores the clause that holds the target — the sentence cut at contrast markers
("but", "however", "although", "но", "однако", ";") — with VADER plus domain valences, so
"Chinese companies brought jobs, but the debt to Chinese banks is a burden" gives favour for
Chinese investment and against for Chinese loans, where whole-passage VADER gives one verdict."""

from __future__ import annotations

import re

from stancemap.nlp.analysis import Analysis
from stancemap.nlp.base import Batch, CodeOut, Stage
from stancemap.nlp.registry import StageContext, stages
from stancemap.nlp.sentiment import vader

FAVOUR, AGAINST, NEUTRAL = "favour", "against", "neutral"
NEUTRAL_BAND = 0.05
_CONTRAST = re.compile(
    r"\s*;\s*|\s*:\s+|,?\s+(?=\b(?:but|however|yet|although|though|whereas|while|despite|"
    r"nevertheless|nonetheless|except|но|однако|хотя|зато)\b)", re.IGNORECASE)


def stance_label(polarity: float) -> str:
    if polarity >= NEUTRAL_BAND:
        return FAVOUR
    if polarity <= -NEUTRAL_BAND:
        return AGAINST
    return NEUTRAL


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans (offsets into text) of the sentence text[start:end]."""
    spans, position = [], start
    for match in _CONTRAST.finditer(text, start, end):
        if match.start() > position:
            spans.append((position, match.start()))
        position = match.end()
    if position < end:
        spans.append((position, end))
    return spans or [(start, end)]


class ClauseStance(Stage):
    name = "stance_clause"
    version = "1.0"
    dimension = "stance"
    languages = frozenset({"en"})
    codes_questions = False

    def __init__(self, analyzer=None):
        self.analyzer = analyzer or vader()

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        return {i: self.code_passage(batch.texts[i], batch.analyses[i]) for i in indices}

    def code_passage(self, text: str, analysis: Analysis) -> list[CodeOut]:
        if not analysis.targets:
            return []
        per_target: dict[str, dict[tuple[int, int], str]] = {}
        for hit in analysis.targets:
            sentence = next(((s, e) for s, e in analysis.sentences if s <= hit.start < e),
                            (0, len(text)))
            clause = next(((s, e) for s, e in clauses(text, *sentence) if s <= hit.start < e),
                          sentence)
            per_target.setdefault(hit.id, {})[clause] = hit.text
        codes = []
        for target, found in sorted(per_target.items()):
            texts = [text[s:e] for s, e in sorted(found)]
            polarity = sum(self.analyzer.polarity_scores(t)["compound"] for t in texts) / len(texts)
            codes.append(CodeOut("stance", stance_label(polarity), round(polarity, 4), target=target,
                                 details={"method": "clause-vader", "clauses": texts,
                                          "mentions": sorted(set(found.values()))}))
        return codes


@stages.register("stance", "lexicon")
def make_clause_stance(ctx: StageContext, arg: str | None) -> ClauseStance:
    return ClauseStance(ctx.shared("vader", vader))  # one VADER lexicon for stance and sentiment
