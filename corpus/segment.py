"""Splitting a document's text into passages: speaker turns for interview transcripts,
paragraphs otherwise. Every passage satisfies text[start:end] == passage text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# "Interviewer:", "Q:", "A:", "R1:", "Respondent 2:", "Dr. Aigerim Bekova:", "Иванов И.И.:"
_LABEL = re.compile(
    r"^[ \t]*(?P<label>"
    r"(?:Interviewer|Interviewee|Respondent|Moderator|Participant|Speaker|Q|A|I|R|P|"
    r"Интервьюер|Респондент|Вопрос|Ответ|В|О)(?:[ \t]?\d{1,3})?"
    r"|(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?[ \t])?[A-ZА-ЯЁ][\w'’.\-]*(?:[ \t][A-ZА-ЯЁ][\w'’.\-]*){0,3}"
    r")[ \t]*[:：][ \t]*(?=\S)",
    re.M,
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？…])[\"'”»)]?\s+")
_NOT_SPEAKERS = {"note", "notes", "abstract", "keywords", "source", "sources", "date", "title",
                 "summary", "introduction", "conclusion", "figure", "table", "http", "https",
                 "email", "tel", "phone", "fax", "url", "subject", "from", "to", "cc"}


@dataclass
class Span:
    start: int
    end: int
    speaker: str | None = None


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut an over-long block at sentence ends so that passages stay codable units."""
    if end - start <= max_chars:
        return [(start, end)]
    pieces, piece_start = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.start() - piece_start >= max_chars // 2:
            pieces.append((piece_start, match.start()))
            piece_start = match.end()
    pieces.append((piece_start, end))
    out = []
    for a, b in pieces:  # a sentence longer than the limit is cut at white space
        while b - a > max_chars:
            cut = text.rfind(" ", a, a + max_chars)
            cut = cut if cut > a else a + max_chars
            out.append(_trimmed(text, a, cut))
            a = cut
        out.append(_trimmed(text, a, b))
    return [p for p in out if p[0] < p[1]]


def paragraphs(text: str, max_chars: int = 3000) -> list[Span]:
    spans, position = [], 0
    for match in list(_PARAGRAPH_BREAK.finditer(text)) + [None]:
        stop = match.start() if match else len(text)
        start, end = _trimmed(text, position, stop)
        if start < end:
            spans.extend(Span(a, b) for a, b in _split_long(text, start, end, max_chars))
        position = match.end() if match else len(text)
    return spans


_STANDARD = re.compile(r"^(Interviewer|Interviewee|Respondent|Moderator|Participant|Speaker|"
                       r"Q|A|I|R|P|Интервьюер|Респондент|Вопрос|Ответ|В|О)\s?\d*$")


def _speaker_labels(text: str) -> list[re.Match]:
    """Labels that open a turn. The transcript starts at the first standard label or the
    first name that speaks twice; a one-off label before that ("Location:", "Date:") is
    header metadata, after it a participant who spoke once."""
    found = [m for m in _LABEL.finditer(text)
             if m.group("label").strip().lower().rstrip(".") not in _NOT_SPEAKERS]
    uses = Counter(" ".join(m.group("label").split()) for m in found)
    for index, match in enumerate(found):
        label = " ".join(match.group("label").split())
        if uses[label] > 1 or _STANDARD.match(label):
            return found[index:]
    return []


def is_transcript(text: str) -> bool:
    """Enough labelled lines, at least two speakers, and labels open most paragraphs."""
    labels = _speaker_labels(text)
    if len(labels) < 3 or len({m.group("label").strip() for m in labels}) < 2:
        return False
    speakers = [m.group("label").strip() for m in labels]
    if max(speakers.count(s) for s in set(speakers)) < 2:
        return False
    return len(labels) >= 0.5 * len(paragraphs(text, max_chars=10**9))


def speaker_turns(text: str, max_chars: int = 3000) -> list[Span]:
    labels = _speaker_labels(text)
    spans = [Span(a.start, a.end) for a in paragraphs(text[: labels[0].start()], max_chars)]
    for index, match in enumerate(labels):
        stop = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        start, end = _trimmed(text, match.end(), stop)
        speaker = " ".join(match.group("label").split())
        spans.extend(Span(a, b, speaker) for a, b in _split_long(text, start, end, max_chars))
    return spans


def segment(text: str, max_chars: int = 3000) -> tuple[list[Span], bool]:
    """Return the passages' spans and whether the text was read as a transcript."""
    if is_transcript(text):
        return speaker_turns(text, max_chars), True
    return paragraphs(text, max_chars), False
