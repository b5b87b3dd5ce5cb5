"""Who wrote a document, as its byline says: an ambassador's op-ed in a local paper speaks for
the ambassador's country. A byline sets a source only when it names an office (ambassador,
consul, minister, spokesperson …) together with the country that office serves: "the Chinese
Ambassador to Bangladesh", "Ambassador of the People's Republic of China", "Посол Китая в
Казахстане", "中国驻孟加拉国大使". A name alone, or a journalist, sets nothing."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

# a document's (or a table row's) own "The writer is …" line, as ingest finds it
BYLINE_LINE = "byline_line"
# metadata naming who wrote a document, in the order they are read
BYLINE_FIELDS = ("byline", "author", "authors", "writer", BYLINE_LINE)
_LINE = re.compile(r"^\W{0,3}(?:(?:the\s+)?(?:writer|author)s?\s+(?:is|was|are|were)\b"
                   r"|авторы?\s*(?:статьи\s*)?(?:[—–:-]|[-—–]\s)|作者\s*[:：为是系為]"
                   r"|muallif\w*\s*[—–:-])", re.IGNORECASE)
_LINE_CHARS = 400

_ROLES = {
    "diplomat": ["ambassador", "envoy", "consul general", "consul-general", "consul",
                 "chargé d'affaires", "charge d'affaires", "посол", "посланник",
                 "генеральный консул", "генконсул", "консул", "временный поверенный",
                 "大使", "总领事", "總領事", "领事", "領事", "公使", "代办"],
    "government": ["foreign minister", "prime minister", "minister", "spokesperson", "spokesman",
                   "spokeswoman", "president", "premier", "министр", "пресс-секретарь",
                   "официальный представитель", "президент", "премьер-министр",
                   "外交部长", "外交部長", "部长", "部長", "外长", "外長", "发言人", "發言人",
                   "总统", "總統", "总理", "總理"],
}
_KIND = {role: kind for kind, roles in _ROLES.items() for role in roles}
_ROLE = re.compile(r"(?<!\w)(" + "|".join(re.escape(r) for r in sorted(_KIND, key=len, reverse=True))
                   + r")(?!\w)", re.IGNORECASE)
_CJK_ROLE = re.compile("|".join(re.escape(r) for r in sorted(_KIND, key=len, reverse=True)
                                if not r.isascii() and not re.search("[а-яё]", r)))
# words between a country and its office ("Chinese Foreign Ministry spokesperson")
_MODIFIERS = {"foreign", "ministry", "ministry's", "deputy", "vice", "former", "senior", "chief",
              "trade", "state", "general", "acting", "first", "defence", "defense", "affairs",
              "of", "extraordinary", "and", "plenipotentiary", "new", "outgoing", "incoming"}
# after an office: "of <country>", up to where the host country or the person begins
_OF_COUNTRY = re.compile(r"^\s*(?:extraordinary\s+and\s+plenipotentiary\s+|(?:of|for)\s+foreign\s+"
                         r"affairs\s+)?(?:of|for)\s+"
                         r"(?P<country>.+?)(?=\s+(?:to|in|at|on|for|and)\b|[,;()\u2014\u2013]|$)",
                         re.IGNORECASE)
_RU_COUNTRY = re.compile(r"^\s*(?:по\s+\S+\s+\S+\s+|иностранных\s+дел\s+)?(?P<country>.+?)"
                         r"(?=\s+(?:в|во|при|на|по|и)\s|[,;()\u2014\u2013]|$)", re.IGNORECASE)
_ZH_PREFIX = re.compile(r"^.*?作者\s*[:：为是系為]?\s*")
_ZH_MODIFIERS = re.compile(r"(?:常驻|外交部|特命全权|特命全權|前|新任)+$")
_WORD = re.compile(r"[\w’'\-]+")
_POSSESSIVE = re.compile(r"(?:'s|’s|')$")


@dataclass(frozen=True)
class Byline:
    country: str  # ISO3 of the country the office serves
    kind: str  # diplomat | government
    role: str  # the office as written
    named: str  # the country as written
    text: str  # the byline read


def byline_line(text: str) -> str | None:
    """A "The writer is …" / "Автор — …" / "作者：…" line among a document's last and first
    three lines, or None."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in [*reversed(lines[-3:]), *lines[:3]]:
        if len(line) <= _LINE_CHARS and _LINE.match(line):
            return line
    return None


def read_byline(text: str, resolve: Callable[[str], str | None]) -> Byline | None:
    """The office and country a byline names, or None. `resolve`: a country name (or demonym)
    to ISO3, never a two- or three-letter code (a person's initials are no country)."""
    text = " ".join(str(text).split())[:_LINE_CHARS]
    if not text:
        return None
    if re.search(r"[\u3400-\u9fff]", text):
        return _read_chinese(text, resolve)
    for found in _ROLE.finditer(text):
        role = found.group(1)
        named = _after(text[found.end():], role, resolve) or _before(text[:found.start()], resolve)
        if named:
            return Byline(named[1], _KIND[role.casefold()], role, named[0], text)
    return None


def _after(rest: str, role: str, resolve) -> tuple[str, str] | None:
    """The country named right after the office: "of the People's Republic of China",
    "Китайской Народной Республики" (the whole phrase must be a country)."""
    russian = bool(re.search("[а-яё]", role, re.IGNORECASE))
    found = (_RU_COUNTRY if russian else _OF_COUNTRY).match(rest)
    if not found:
        return None
    named = found.group("country").strip()
    iso3 = resolve(named) or (_russian(named) if russian else None)
    return (named, iso3) if iso3 else None


def _before(head: str, resolve) -> tuple[str, str] | None:
    """The country (a name, a possessive or a demonym) right before the office, past
    modifiers: "the Chinese Ambassador", "Kazakhstan's Deputy Foreign Minister"."""
    words = _WORD.findall(re.split(r"[,;:()\u2014\u2013]", head)[-1])
    while words and words[-1].casefold() in _MODIFIERS:
        words.pop()
    for size in range(1, min(5, len(words)) + 1):  # the fewest words that name one
        named = " ".join(words[-size:])
        iso3 = resolve(_POSSESSIVE.sub("", named))
        if iso3:
            return named, iso3
    return None


def _read_chinese(text: str, resolve) -> Byline | None:
    """"中国驻孟加拉国大使" (the country before 驻), "中国外交部发言人"."""
    for found in _CJK_ROLE.finditer(text):
        clause = re.split(r"[，,；;：:、。（(]", _ZH_PREFIX.sub("", text[:found.start()]))[-1].strip()
        head = _ZH_MODIFIERS.sub("", re.split("[驻駐]", clause)[0])
        for start in range(len(head) - 1):  # the longest country name ending the head
            iso3 = resolve(head[start:])
            if iso3:
                return Byline(iso3, _KIND[found.group()], found.group(), head[start:], text)
    return None


def _russian(named: str) -> str | None:
    """A Russian country name in any case ("Китая", "Китайской Народной Республики"): its
    words' stems against those of the names in Russian."""
    stems = _stems(named)
    if not stems:
        return None
    index = _russian_index()
    if stems in index:
        return index[stems]
    found = {iso3 for name, iso3 in index.items() if len(name) == len(stems)
             and all(_same_stem(a, b) for a, b in zip(name, stems))}
    return found.pop() if len(found) == 1 else None


def _same_stem(a: str, b: str) -> bool:
    """Snowball cuts "Китай" to "кита" and "Китая" to "кит": one stem begins the other."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and long.startswith(short)


def _stems(text: str) -> tuple[str, ...]:
    return tuple(_stemmer().stemWords([w.casefold() for w in _WORD.findall(text)]))


@functools.cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("russian")


@functools.cache
def _russian_index() -> dict[tuple[str, ...], str]:
    """Stemmed Russian country names (pycountry's and CLDR's, via the world table) -> ISO3."""
    from stancemap.corpus.countries import world

    index: dict[tuple[str, ...], str] = {}
    ambiguous: set[tuple[str, ...]] = set()
    for key, iso3 in world().names.items():
        if re.search("[а-яё]", key) and (stems := _stems(key)):
            if index.setdefault(stems, iso3) != iso3:
                ambiguous.add(stems)
    return {k: v for k, v in index.items() if k not in ambiguous}
