"""Who is speaking in a passage: the source's own voice, quoted or reported speech (with its
speaker when one is named), and distanced terms (scare quotes, "so-called", "так называемый",
"所谓") that name a frame the author does not make their own.

Stance reads the source's voice from the passage with quoted and distanced spans blanked out
(same length, so every offset still holds); each quoted voice is read from its own words. This is
pattern work over quote marks and reporting verbs in English, Russian, Chinese, Kazakh, Kyrgyz
and Uzbek: a quote mark left unclosed, or speech reported without a listed verb, stays in the
source's voice."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# paired quote marks; a single ASCII quote opens only after a non-word character (not "China's")
_QUOTED = re.compile(r'"[^"\n]{1,3000}?"|“[^”]{1,3000}?”|«[^»]{1,3000}?»|„[^“”]{1,3000}?[“”]|'
                     r"「[^」]{1,3000}?」|『[^』]{1,3000}?』|‘[^’]{1,600}?’|(?<!\w)'[^'\n]{1,600}?'(?!\w)")
_CJK = re.compile(r"[\u3400-\u9fff]")
_FINAL = re.compile(r"[.!?。！？,，;；:：…]\s*$")
_SO_CALLED = re.compile(r"\bso[- ]called\b|\bтак\s+называем\w*|所谓|所謂", re.IGNORECASE)
_APOSTROPHE = "['ʼ’‘`]"  # Uzbek Latin writes o‘, g‘ and the glottal stop with any of these
_REPORTING = re.compile(
    r"\b(?:said|says|say|stated|states|told|tells|claimed|claims|argued|argues|insisted|insists|"
    r"declared|announced|stressed|according to|заявил\w*|сказал\w*|сообщил\w*|отметил\w*|"
    r"подчеркнул\w*|по словам|по мнению|"
    # Kazakh: said, told, stated, reported, noted, announced, explained; in X's words / opinion
    r"деді|айтты|мәлімдеді|мәлім етті|хабарлады|атап өтті|атап көрсетті|жариялады|түсіндірді|"
    r"сөзінше|пікірінше|"
    # Kyrgyz: said, stated, reported, noted, announced; according to X
    r"деди|билдирди|маалымдады|белгиледи|жарыялады|айтымында|сөзүнө караганда|"
    # Uzbek, Latin and Cyrillic: said, stated, emphasised, noted, reported, announced; in X's words
    r"dedi|aytdi|bildirdi|ta" + _APOSTROPHE + r"kidladi|qayd etdi|xabar berdi|ma" + _APOSTROPHE
    + r"lum qildi|e" + _APOSTROPHE + r"lon qildi|so" + _APOSTROPHE + r"zlariga ko" + _APOSTROPHE
    + r"ra|fikricha|айтди|таъкидлади|қайд этди|хабар берди|маълум қилди|сўзларига кўра)\b"
    r"|表示|指出|声称|聲稱|强调|強調|宣称", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"^\s*(?:I|we|я|мы|мен|біз|биз|men|biz|我|我们|我們)\b", re.IGNORECASE)
_SPEAKER_LABELS = {"PERSON", "PER", "ORG", "GPE", "NORP", "COUNTRY", "ORGANISATION", "LOC"}
_DISTANCED_WORDS = 4  # scare quotes hold a term, not a statement


@dataclass
class Quote:
    start: int  # the quoted words (inside the marks) or the reported sentence
    end: int
    speaker: str | None = None
    speaker_country: str | None = None
    speaker_span: tuple[int, int] | None = None  # where the speaker is named (not a target hit)
    reported: bool = False  # speech reported without quote marks ("X said the loans ...")


@dataclass
class Voices:
    quotes: list[Quote] = field(default_factory=list)
    distanced: list[tuple[int, int]] = field(default_factory=list)

    def quote_at(self, position: int) -> Quote | None:
        """The quote a target named at `position` belongs to (not its own speaker's name)."""
        return next((q for q in self.quotes if q.start <= position < q.end
                     and not (q.speaker_span and q.speaker_span[0] <= position < q.speaker_span[1])),
                    None)

    def is_distanced(self, position: int, sentence: tuple[int, int] | None = None) -> bool:
        """Whether `position` is inside a distanced term or, given its sentence, shares it
        with one: "China's so-called 'debt trap' is a myth" judges the frame, not China."""
        lo, hi = sentence or (position, position + 1)
        return any(s < hi and lo < e for s, e in self.distanced)

    def own_text(self, text: str) -> str:
        """The passage with quoted and distanced spans blanked (offsets kept)."""
        chars = list(text)
        for start, end in [(q.start, q.end) for q in self.quotes] + self.distanced:
            chars[start:end] = " " * (end - start)
        return "".join(chars)


def _is_term(words: str) -> bool:
    size = len(_CJK.findall(words)) / 2 if _CJK.search(words) else len(words.split())
    return size <= _DISTANCED_WORDS and not _FINAL.search(words)


def _speaker(text: str, sentence: tuple[int, int], avoid: tuple[int, int], mentions) -> tuple:
    """The named speaker of the sentence: the entity closest to its reporting verb (or to the
    quote when there is no verb), outside the quoted words."""
    start, end = sentence
    verbs = [m.start() for m in _REPORTING.finditer(text, start, end)
             if not avoid[0] <= m.start() < avoid[1]]
    anchor = verbs[0] if verbs else avoid[0]
    found = [m for m in mentions if start <= m.start < end and not avoid[0] <= m.start < avoid[1]
             and m.label in _SPEAKER_LABELS]
    if not found:
        return None, None, None
    best = min(found, key=lambda m: abs(m.start - anchor))
    return best.text, best.country, (best.start, best.end)


def find_voices(text: str, sentences: list[tuple[int, int]], mentions=()) -> Voices:
    """Quotes, reported speech and distanced terms in `text` (`mentions`: the analysis's
    entities, for naming speakers)."""
    voices = Voices()

    def sentence_of(position: int) -> tuple[int, int]:
        return next(((s, e) for s, e in sentences if s <= position < e), (0, len(text)))

    for match in _QUOTED.finditer(text):
        inner = (match.start() + 1, match.end() - 1)
        before = text[max(0, match.start() - 12):match.start()]
        if _is_term(text[inner[0]:inner[1]]) or _SO_CALLED.search(before):
            voices.distanced.append(match.span())
            continue
        voices.quotes.append(Quote(*inner, *_speaker(text, sentence_of(match.start()),
                                                     match.span(), mentions)))
    for match in _SO_CALLED.finditer(text):  # "so-called debt trap" without quote marks
        if voices.is_distanced(match.end() + 1):
            voices.distanced.append(match.span())
            continue
        rest = text[match.end():match.end() + 60]
        words = re.match(r"[^\S\n]*(?:[\u3400-\u9fff]{1,4}|(?:\w[\w-]*[^\S\n]*){1,3})", rest)
        voices.distanced.append((match.start(), match.end() + (words.end() if words else 0)))
    for start, end in sentences:  # reported speech: a reporting verb, a named speaker, no quote
        if any(q.start < end and start < q.end for q in voices.quotes):
            continue
        if not _REPORTING.search(text, start, end) or _FIRST_PERSON.match(text[start:end]):
            continue
        speaker = _speaker(text, (start, end), (end, end), mentions)
        if speaker[0]:
            voices.quotes.append(Quote(start, end, *speaker, reported=True))
    voices.quotes.sort(key=lambda q: q.start)
    voices.distanced.sort()
    return voices
