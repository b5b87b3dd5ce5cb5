"""Names from the codebook, as entries the analysers can match in any language.

Names are grouped by language ("en" covers every Latin-script alias, "ru" is matched on lemmas,
"zh" on characters, and each code under a codebook entry's `local` — kk, ky, uz, tg, tk — on the
surface with that language's case, possessive and plural suffixes, so `Қазақстанның`,
`Oʻzbekistonda` and `Тоҷикистонро` count and `Ошпаз` does not count as Osh)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import permutations

from stancemap.annotations.codebook import Codebook


@dataclass(frozen=True)
class Entry:
    layer: str  # entity | target | sector
    label: str  # COUNTRY, PLACE, DEMONYM, REGION, ORG, PROJECT; the target or sector id
    canonical_id: str
    country: str | None = None
    generic: bool = False  # a sector word that codes only with confirming context


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "_", text.lower()).strip("_")


def _family() -> dict[str, list[tuple[str, Entry]]]:
    return {"en": [], "ru": [], "zh": []}


def entity_names(codebook: Codebook) -> dict[str, list[tuple[str, Entry]]]:
    """Per language family, (name, entry) pairs."""
    names = _family()
    for iso3, country in codebook.countries.items():
        as_country = Entry("entity", "COUNTRY", iso3, iso3)
        for name in [country.name, *country.aliases]:
            names["en"].append((name, as_country))
        for name in country.demonyms:
            names["en"].append((name, Entry("entity", "DEMONYM", iso3, iso3)))
        for name in country.places:
            names["en"].append((name, Entry("entity", "PLACE", f"{iso3}:{_slug(name)}", iso3)))
        for name in country.names_ru:
            label = "COUNTRY" if name == country.names_ru[0] else "PLACE"
            names["ru"].append((name, Entry("entity", label, iso3 if label == "COUNTRY"
                                            else f"{iso3}:{_slug(name)}", iso3)))
        for name in country.demonyms_ru:
            names["ru"].append((name, Entry("entity", "DEMONYM", iso3, iso3)))
        for name in country.names_zh:
            label = "COUNTRY" if name == country.names_zh[0] else "PLACE"
            names["zh"].append((name, Entry("entity", label, iso3 if label == "COUNTRY"
                                            else f"{iso3}:{name}", iso3)))
        for lang, local in country.local.items():
            bucket = names.setdefault(lang, [])
            bucket.extend((name, as_country) for name in local.names)
            bucket.extend((name, Entry("entity", "DEMONYM", iso3, iso3)) for name in local.demonyms
                          if name.casefold() not in {n.casefold() for n in local.names})
            bucket.extend((name, Entry("entity", "PLACE", f"{iso3}:{_slug(name)}", iso3))
                          for name in local.places)
    groups = (("REGION", codebook.regions), ("ORG", codebook.organisations),
              ("PROJECT", codebook.projects))
    for label, section in groups:
        for key, item in section.items():
            entry = Entry("entity", label, key)
            aliases = getattr(item, "aliases", [])
            for script, values in (("en", [item.label, *aliases]), ("ru", item.names_ru),
                                   ("zh", item.names_zh), *item.local.items()):
                names.setdefault(script, []).extend((value, entry) for value in values)
    return names


def target_names(codebook: Codebook) -> dict[str, list[tuple[str, Entry]]]:
    names = _family()
    for key in codebook.stance_targets:
        entry = Entry("target", key, key)
        for script, values in codebook.target_names(key).items():
            names.setdefault(script, []).extend((value, entry) for value in values)
    return names


def _family_of(word: str) -> str:
    if re.search(r"[\u3400-\u9fff]", word):
        return "zh"
    if re.search(r"[\u0400-\u04ff]", word):
        return "ru"
    return "en"


def sector_names(codebook: Codebook) -> dict[str, list[tuple[str, Entry]]]:
    """Sector patterns; a sector's `generic` words (any script) come as entries flagged generic."""
    names = _family()
    for key, sector in codebook.sectors.items():
        entry = Entry("sector", key, key)
        names["en"].extend((p, entry) for p in sector.patterns)
        names["ru"].extend((p, entry) for p in sector.patterns_ru)
        names["zh"].extend((p, entry) for p in sector.patterns_zh)
        for lang, values in sector.local.items():
            names.setdefault(lang, []).extend((p, entry) for p in values)
        general = Entry("sector", key, key, generic=True)
        for word in sector.generic:
            names[_family_of(word)].append((word, general))
    return names


def sector_context(codebook: Codebook) -> dict[str, list[tuple[str, Entry]]]:
    """Each sector's `requires` words: context that lets its generic words count."""
    names = _family()
    for key, sector in codebook.sectors.items():
        entry = Entry("context", key, key)
        for word in sector.requires:
            names[_family_of(word)].append((word, entry))
    return names


def region_members(codebook: Codebook) -> dict[str, list[str]]:
    return {key: list(region.members) for key, region in codebook.regions.items()}


# Case, possessive, plural and derivational endings (any vowel-harmony variant, up to three in a
# row); a name counts with these and nothing else, so a longer word that merely starts with a
# name (a surname, a compound) does not.
_SUFFIXES = {
    "kk": "ның нің дың дің тың тің ға ге қа ке на не а е ны ні ды ді ты ті н да де та те нда нде "
          "дан ден тан тен нан нен мен бен пен лар лер дар дер тар тер ы і сы сі ым ім мыз міз "
          "ымыз іміз дағы дегі тағы тегі ндағы ндегі лық лік дық дік тық тік шы ші ша ше ғы гі қы кі",
    "ky": "нын нин нун нүн дын дин дун дүн тын тин тун түн га ге го гө ка ке ко кө на не но нө а е "
          "о ө ны ни ну нү ды ди ду дү ты ти ту тү н да де до дө та те то тө нда нде ндо ндө дан "
          "ден дон дөн тан тен тон төн нан нен нон нөн дагы деги догу дөгү тагы теги тогу төгү "
          "ндагы ндеги лар лер лор лөр дар дер дор дөр тар тер тор төр ы и у ү сы си су сү быз "
          "биз буз бүз лык лик лук лүк дык дик дук дүк тык тик тук түк чы чи чу чү ча че менен",
    "uz": "ning ni ga ka qa da ta dan tan dagi tagi lar i si imiz miz ingiz lik cha dek gacha "
          "нинг ни га ка қа да та дан тан даги таги лар и си имиз миз лик ча дек гача",
    "tg": "и ро ҳо ҳои ам ат аш амон атон ашон ӣ йи ву",
    "tk": "yň iň uň üň nyň niň nuň nüň a e ga ge ka ke na ne y i ny ni nu nü da de ta te nda nde "
          "dan den tan ten ndan nden daky däki taky täki ndaky ndäki lar ler ym im myz miz ly li "
          "lyk lik ça çe sy si",
}
_SUFFIX_RE = {lang: "|".join(sorted((re.escape(s) for s in text.split()), key=len, reverse=True))
              for lang, text in _SUFFIXES.items()}
_APOSTROPHE = "[ʻʼ‘’'`]"
_SEPARATOR = r"[\s,–—‐‑-]+"


# a word boundary, or a change from a small to a capital letter: words run together when a PDF
# loses its spaces ("ChinaKyrgyzstan", "withChina") still count
_SMALL, _CAPITAL = "(?-i:[a-zа-яёәғқңөұүһі])", "(?-i:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])"
_WORD_START = rf"(?:(?<!\w)|(?<={_SMALL})(?={_CAPITAL}))"
_WORD_END = rf"(?:(?!\w)|(?<={_SMALL})(?={_CAPITAL}))"


def _is_cjk(name: str) -> bool:
    return bool(re.search(r"[\u3040-\u9fff]", name))


def _words(name: str) -> list[str]:
    return [w for w in re.split(_SEPARATOR, name) if w]


def _escaped(text: str) -> str:
    return re.escape(text).replace("ʻ", _APOSTROPHE)


def _name_pattern(name: str) -> str:
    return _SEPARATOR.join(_escaped(w) for w in _words(name))


def _first_letter(name: str) -> str:
    """The pattern of the character a match of `name` begins with."""
    return _escaped(name[0] if _is_cjk(name) else _words(name)[0][0])


class SurfaceMatcher:
    """Case-insensitive matching of surface forms, whole words only (any position for
    scripts written without spaces; a small-to-capital change counts as a word boundary), with
    the suffixes of each name's language (`langs`: the language each `names` pair comes from);
    hyphens, dashes, commas and spaces between a name's words are interchangeable. Longest
    names win; matches do not overlap.

    The result is that of one regex alternating every name, longest first, but one such regex
    tries every name at every character (seconds per speech for a few hundred names). Instead a
    cheap scan finds where a name can begin (a name's first letter, at a word start unless the
    name is written without spaces), and there only the names beginning with that character
    are tried, in the same order."""

    def __init__(self, names: list[tuple[str, Entry]], langs: list[str] | None = None):
        self.entries: dict[str, list[Entry]] = {}
        suffixes: dict[str, set[str]] = {}
        for index, (name, entry) in enumerate(names):
            key = name.casefold()
            if not _is_cjk(key) and not _words(key):
                continue  # nothing but dashes and spaces: no name
            bucket = self.entries.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)
            lang = langs[index] if langs else None
            if lang in _SUFFIX_RE:
                suffixes.setdefault(key, set()).add(lang)
        self.ordered = sorted(self.entries, key=len, reverse=True)
        self.patterns = [self._pattern(name, suffixes.get(name, ())) for name in self.ordered]
        firsts = [_first_letter(name) for name in self.ordered]
        spaced = sorted({f for f, name in zip(firsts, self.ordered) if not _is_cjk(name)})
        unspaced = sorted({f for f, name in zip(firsts, self.ordered) if _is_cjk(name)})
        starts = [rf"{_WORD_START}(?:{'|'.join(spaced)})"] if spaced else []
        starts += [f"(?:{'|'.join(unspaced)})"] if unspaced else []
        self._firsts = [re.compile(f, re.IGNORECASE) for f in firsts]
        self._starts = re.compile(f"(?=(?:{'|'.join(starts)}))", re.IGNORECASE) if starts else None
        self._by_char: dict[str, tuple[re.Pattern | None, list[str]]] = {}

    @staticmethod
    def _pattern(name: str, langs) -> str:
        if _is_cjk(name):
            return f"({re.escape(name)})"
        ending = ""
        if langs:
            chain = "|".join(_SUFFIX_RE[lang] for lang in sorted(langs))
            ending = rf"(?:[-‐]?(?:{chain})(?:{chain}){{0,2}})?"
        return rf"{_WORD_START}({_name_pattern(name)}){ending}{_WORD_END}"

    def _names_at(self, char: str) -> tuple[re.Pattern | None, list[str]]:
        """The names whose first letter `char` is, longest first, as one regex."""
        if char not in self._by_char:
            chosen = [i for i, first in enumerate(self._firsts) if first.fullmatch(char)]
            regex = re.compile("|".join(self.patterns[i] for i in chosen), re.IGNORECASE) if chosen else None
            self._by_char[char] = (regex, [self.ordered[i] for i in chosen])
        return self._by_char[char]

    def find(self, text: str) -> list[tuple[int, int, Entry]]:
        if self._starts is None:
            return []
        found, end = [], 0
        for start in self._starts.finditer(text):
            position = start.start()
            if position < end:
                continue
            regex, names = self._names_at(text[position])
            match = regex.match(text, position) if regex else None
            if match:
                end = match.end()
                found.extend((position, end, entry) for entry in self.entries[names[match.lastindex - 1]])
        return found


def merged(names: dict[str, list[tuple[str, Entry]]]) -> SurfaceMatcher:
    """One matcher over every language's names, each with its own language's suffixes."""
    pairs, langs = [], []
    for lang, values in names.items():
        pairs.extend(values)
        langs.extend([lang] * len(values))
    return SurfaceMatcher(pairs, langs)


# Chinese organisation names that begin with 中国 (中国银行, 中国石油, 中国中铁 ...): organisations,
# not mentions of the country. Either a known company stem right after 中国, or a short name that
# ends in an organisation word (中国华信能源有限公司); never across 的/和/与 ... (中国的银行).
_ZH_DIRECT = ("银行|工商银行|建设银行|农业银行|人民银行|进出口银行|石油|石化|海油|中铁|铁建|交建|港湾|电建|"
              "能建|华能|大唐|华电|中车|中化|中冶|中信|移动|电信|联通|国航|国际航空|日报|新闻社|国际广播电台|"
              "科学院|社会科学院|工程院|银联|平安|人寿|远洋|海运|五矿|兵器|核工业|铝业|有色")
_ZH_ORG_WORD = "集团|股份有限公司|有限公司|有限责任公司|总公司|公司|研究院|研究所|大学|协会|商会|基金会|银行"
_ZH_NAME_CHAR = r"[^\W\d的和与及同对在向从将把被为是了、，。“”（）《》]"
ZH_ORGANISATION = re.compile(rf"中国(?:(?:{_ZH_DIRECT})|{_ZH_NAME_CHAR}{{1,5}}?(?:{_ZH_ORG_WORD}))")


class ChineseShortForms:
    """Joined short forms of country names in Chinese — 中哈 (China and Kazakhstan), 中吉乌
    (China, Kyrgyzstan, Uzbekistan) — from each codebook country's `short_zh` character: runs
    of two or three different ones (two only of characters no other country shares). A run
    that goes on into a longer word is not one: 其中哈萨克斯坦 (the 哈 of 哈萨克斯坦), 其中吉林省
    (Jilin) — the characters that may not follow are those following a short character in
    the codebook's Chinese names, and each country's `short_zh_not_before`."""

    def __init__(self, codebook: Codebook):
        countries = {c.short_zh: (iso3, c) for iso3, c in codebook.countries.items() if c.short_zh}
        self.countries = {char: iso3 for char, (iso3, _) in countries.items()}
        paired = {char for char, (_, c) in countries.items() if c.short_zh_in_pairs}
        forms = ["".join(p) for size in (3, 2) for p in permutations(countries, size)
                 if size == 3 or set(p) <= paired]
        names = [n for c in codebook.countries.values()
                 for n in [*c.names_zh, *(x for local in c.local.values()
                                          for x in [*local.names, *local.places])] if _is_cjk(n)]
        names += [n for r in codebook.regions.values() for n in [*r.names_zh, *r.local.get("zh", [])]]
        following = {name[i + 1] for name in names for i in range(len(name) - 1) if name[i] in countries}
        following |= {x for _, c in countries.values() for x in c.short_zh_not_before}
        self.regex = (re.compile(f"(?:{'|'.join(forms)})(?![{''.join(sorted(following))}])")
                      if forms else None)

    def find(self, text: str) -> list[tuple[int, str]]:
        """(offset, ISO3) of each country a short form names."""
        if self.regex is None:
            return []
        return [(m.start() + i, self.countries[char]) for m in self.regex.finditer(text)
                for i, char in enumerate(m.group())]
