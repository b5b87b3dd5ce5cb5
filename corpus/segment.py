"""Splitting a document's text into passages: speaker turns for interview transcripts,
paragraphs otherwise. Every passage satisfies text[start:end] == passage text.

Paragraphs end at blank lines, and at single newlines where the document's own layout says so:
text whose lines are paragraphs (one line each) breaks at every line that ends a sentence; hard-
wrapped text breaks at a short line that ends a sentence, or before an indented line when most
lines are flush. Unspaced scripts (Chinese, Japanese) are cut at 。！？；, never inside a word."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# "Interviewer:", "Q:", "A:", "R1:", "Respondent 2:", "Dr. Aigerim Bekova:", "Иванов И.И.:"
_LABEL = re.compile(
    r"^[ \t]*(?P<label>"
    r"(?:Interviewer|Interviewee|Respondent|Moderator|Facilitator|Participant|Speaker|Q|A|I|R|P|"
    r"Интервьюер|Модератор|Ведущий|Респондент|Вопрос|Ответ|В|О|"
    r"采访者|主持人|受访者|问|答)(?:[ \t]?\d{1,3})?"
    r"|(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?[ \t])?[A-ZА-ЯЁ][\w'’.\-]*(?:[ \t][A-ZА-ЯЁ][\w'’.\-]*){0,3}"
    r")[ \t]*[:：][ \t]*(?=\S)",
    re.M,
)
# turns of the one asking: not an opinion of a respondent
_QUESTION_LABEL = re.compile(r"^(Interviewer|Moderator|Facilitator|Q|I|Интервьюер|Модератор|"
                             r"Ведущий|Вопрос|В|采访者|主持人|问)(\s?\d+)?$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”»)]?\s+|(?<=[。！？；])[」』”’）)]*\s*")
_CLAUSE_MARK = "，、：,;"  # where an over-long unspaced sentence may be cut
_LINE_END = re.compile(r"[.!?…。！？；:;][\"'”’»)」』）]*$")  # a line that can end a paragraph
_NOT_SPEAKERS = {"note", "notes", "abstract", "keywords", "source", "sources", "date", "title",
                 "summary", "introduction", "conclusion", "figure", "table", "http", "https",
                 "email", "tel", "phone", "fax", "url", "subject", "from", "to", "cc"}


@dataclass
class Span:
    start: int
    end: int
    speaker: str | None = None
    role: str | None = None


def role_of(label: str | None) -> str | None:
    """`question` for interviewer/moderator turns, `respondent` for every other speaker."""
    if not label:
        return None
    return "question" if _QUESTION_LABEL.match(label) else "respondent"


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_point(text: str, start: int, limit: int) -> tuple[int, int]:
    """Where to cut text[start:] at most `limit` characters on: (end of this piece, start of
    the next) — at the last space, else after the last comma of an unspaced script."""
    space = text.rfind(" ", start + 1, start + limit)
    if space > start:
        return space, space
    mark = max(text.rfind(m, start + 1, start + limit - 1) for m in _CLAUSE_MARK)
    if mark > start:
        return mark + 1, mark + 1
    return start + limit, start + limit


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
    for a, b in pieces:  # a sentence longer than the limit is cut at white space or a comma
        while b - a > max_chars:
            cut, a_next = _cut_point(text, a, max_chars)
            out.append(_trimmed(text, a, cut))
            a = a_next
        out.append(_trimmed(text, a, b))
    return [p for p in out if p[0] < p[1]]


@dataclass
class Layout:
    """How one document lays out its lines, from its own statistics."""

    width: int  # 90th percentile of line length
    wrapped: bool  # lines are hard-wrapped at about `width`
    indented: bool  # a paragraph opens with an indented line (most lines are flush)

    @classmethod
    def of(cls, text: str) -> "Layout":
        lines = [line for line in text.split("\n") if line.strip()]
        if len(lines) < 3:
            return cls(0, False, False)
        lengths = sorted(len(line) for line in lines)
        width = lengths[int(0.9 * (len(lengths) - 1))]
        near_width = sum(n >= 0.75 * width for n in lengths) / len(lengths)
        indented = sum(line[0] in " \t" for line in lines) / len(lines)
        return cls(width, width <= 120 and near_width >= 0.5, 0 < indented <= 0.3)

    def breaks_after(self, line: str, following: str) -> bool:
        """Whether the newline between `line` and `following` ends a paragraph."""
        if self.indented and following[:1] in (" ", "\t") and line[:1] not in (" ", "\t"):
            return True
        if not _LINE_END.search(line.rstrip()):
            return False
        if self.wrapped:
            return len(line) < 0.8 * self.width
        return not following.lstrip()[:1].islower()


def _blocks(text: str) -> list[tuple[int, int]]:
    """Blank-line separated blocks, with a block cut mid-sentence (a page break: no sentence
    end before it, a lower-case letter after it) joined to the next."""
    blocks, position = [], 0
    for match in list(_PARAGRAPH_BREAK.finditer(text)) + [None]:
        stop = match.start() if match else len(text)
        start, end = _trimmed(text, position, stop)
        if start < end:
            if blocks and text[start].islower() and not _LINE_END.search(text[blocks[-1][0]:blocks[-1][1]]):
                blocks[-1] = (blocks[-1][0], end)
            else:
                blocks.append((start, end))
        position = match.end() if match else len(text)
    return blocks


def _lines_to_paragraphs(text: str, start: int, end: int, layout: Layout) -> list[tuple[int, int]]:
    out, piece_start, position = [], start, start
    while True:
        newline = text.find("\n", position, end)
        if newline < 0:
            break
        following_end = text.find("\n", newline + 1, end)
        following = text[newline + 1:following_end if following_end >= 0 else end]
        if layout.breaks_after(text[position:newline], following):
            out.append(_trimmed(text, piece_start, newline))
            piece_start = newline + 1
        position = newline + 1
    out.append(_trimmed(text, piece_start, end))
    return [p for p in out if p[0] < p[1]]


def paragraphs(text: str, max_chars: int = 3000, single_newlines: bool = True) -> list[Span]:
    """Paragraph spans; `single_newlines`: also break at single newlines where the layout says so."""
    layout = Layout.of(text) if single_newlines else None
    spans = []
    for start, end in _blocks(text):
        pieces = _lines_to_paragraphs(text, start, end, layout) if layout else [(start, end)]
        for a, b in pieces:
            spans.extend(Span(x, y) for x, y in _split_long(text, a, b, max_chars))
    return spans


_STANDARD = re.compile(r"^(Interviewer|Interviewee|Respondent|Moderator|Facilitator|Participant|"
                       r"Speaker|Q|A|I|R|P|Интервьюер|Модератор|Ведущий|Респондент|Вопрос|Ответ|"
                       r"В|О|采访者|主持人|受访者|问|答)\s?\d*$")


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
    return len(labels) >= 0.5 * len(paragraphs(text, max_chars=10**9, single_newlines=False))


def speaker_turns(text: str, max_chars: int = 3000) -> list[Span]:
    labels = _speaker_labels(text)
    spans = [Span(a.start, a.end, role="context")
             for a in paragraphs(text[: labels[0].start()], max_chars)]
    for index, match in enumerate(labels):
        stop = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        start, end = _trimmed(text, match.end(), stop)
        speaker = " ".join(match.group("label").split())
        role = role_of(speaker)
        spans.extend(Span(a, b, speaker, role) for a, b in _split_long(text, start, end, max_chars))
    return spans


# chat and meeting transcripts (Teams, Zoom) whose speaker names stand on their own line,
# often after a cue time ("0:0:3.270 --> 0:0:4.250") or followed by one ("Aigerim Bekova   0:03")
_TIME = r"\[?\(?\d{1,2}:\d{1,2}(?::\d{1,2})?(?:[.,]\d+)?\)?\]?"
_CUE = re.compile(rf"^[ \t]*(?:WEBVTT.*|\d+|{_TIME}(?:[ \t]*-->[ \t]*{_TIME})?.*?)[ \t]*$")
_NAME_LINE = re.compile(
    rf"^[ \t]*(?P<name>[A-ZА-ЯЁ\u4e00-\u9fff][\w'’.\-]*(?:[ \t]+[\w'’.\-()]+){{0,4}}?)"
    rf"(?:[ \t]+(?P<time>{_TIME}))?[ \t]*$")
_LINE = re.compile(r"[^\n]*")


def _lines_with_offsets(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _LINE.finditer(text) if m.group().strip()]


def own_line_turns(text: str, max_chars: int = 3000) -> list[Span] | None:
    """Turns of a transcript whose speaker names stand alone on a line, or None when the
    text is not one. A name line counts when a cue time stands before it or beside it, or
    when the same name opens two turns; at least two speakers and three turns are needed,
    and name lines must open most turns of text."""
    lines = _lines_with_offsets(text)
    kinds = []  # "cue", "name", "text" per non-empty line
    for start, end in lines:
        line = text[start:end]
        if _CUE.match(line) and not re.search(r"[^\W\d_]{3}", line.split("-->")[0]):
            kinds.append("cue")
        elif (m := _NAME_LINE.match(line)) and len(m.group("name")) <= 40 \
                and not m.group("name").rstrip().endswith((".", "!", "?", ",", ":", ";")):
            kinds.append("name")
        else:
            kinds.append("text")
    names = [" ".join(_NAME_LINE.match(text[a:b]).group("name").split()) if k == "name" else None
             for (a, b), k in zip(lines, kinds)]
    repeated = Counter(n for n in names if n)
    openers = []
    for index, kind in enumerate(kinds):
        if kind != "name" or index + 1 >= len(kinds) or kinds[index + 1] != "text":
            continue
        timed = (index > 0 and kinds[index - 1] == "cue") or \
            _NAME_LINE.match(text[lines[index][0]:lines[index][1]]).group("time")
        if timed or repeated[names[index]] > 1:
            openers.append(index)
    speakers = Counter(names[i] for i in openers)
    text_lines = kinds.count("text") + kinds.count("name") - len(openers)
    cued = all(index > 0 and kinds[index - 1] == "cue" for index in openers)
    if len(speakers) < 2 or len(openers) < 0.3 * max(1, text_lines) or not (
            cued and len(openers) >= 2 or len(openers) >= 3 and max(speakers.values()) >= 2):
        return None
    spans = [span for span in paragraphs(text[: lines[openers[0]][0]], max_chars)
             if not all(_CUE.match(line) for line in text[span.start:span.end].splitlines())]
    for number, index in enumerate(openers):
        stop = openers[number + 1] if number + 1 < len(openers) else len(lines)
        body = [i for i in range(index + 1, stop) if kinds[i] != "cue"]
        while body and kinds[body[-1]] == "name":  # a trailing name without its turn
            body.pop()
        if not body:
            continue
        rest = []
        if cued:  # a cue's text ends at the blank line; what follows is no one's turn
            cut = next((n for n, (a, b) in enumerate(zip(body, body[1:]))
                        if "\n\n" in text[lines[a][1]:lines[b][0]].replace(" ", "")), None)
            if cut is not None:
                body, rest = body[:cut + 1], body[cut + 1:]
        start, end = _trimmed(text, lines[body[0]][0], lines[body[-1]][1])
        spans.extend(Span(a, b, names[index]) for a, b in _split_long(text, start, end, max_chars))
        if rest:
            spans.extend(paragraphs_in(text, lines[rest[0]][0], lines[rest[-1]][1], max_chars))
    return spans


def paragraphs_in(text: str, start: int, end: int, max_chars: int) -> list[Span]:
    """paragraphs() of text[start:end], with offsets into the whole text."""
    return [Span(a.start + start, a.end + start) for a in paragraphs(text[start:end], max_chars)]


def segment(text: str, max_chars: int = 3000) -> tuple[list[Span], bool]:
    """Return the passages' spans and whether the text was read as a transcript."""
    if is_transcript(text):
        return speaker_turns(text, max_chars), True
    turns = own_line_turns(text, max_chars)
    if turns:
        return turns, True
    return paragraphs(text, max_chars), False
