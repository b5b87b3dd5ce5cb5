"""Language identification that fits the corpus.

Codes are ISO 639-1 (`en`, `ru`, `zh`, `kk`, `ky`, `uz`, `tg`, `tk`, ...); ISO 639-3 only where no
two-letter code exists (`kaa` Karakalpak). A language written in two scripts keeps one code (`uz`
for Uzbek in Latin and in Cyrillic letters, `tk` for Turkmen in both); the script is reported
separately as an ISO 15924 code (`Latn`, `Cyrl`, `Hani`, ...), so that `lang` stays the key the
coding stages are chosen by.

Three layers, cheapest first:
1. the script: Han, kana and Hangul settle zh/ja/ko;
2. the region's languages lingua does not know (Kyrgyz, Uzbek, Tajik, Turkmen) and Kazakh, told
   apart by the letters only some of them use and by their function words, instead of being given
   the nearest lingua language (Kyrgyz as Kazakh or Mongolian, Uzbek Latin as Turkish ...);
3. lingua over the configured languages. A short or unconfident text is given the best of the
   project's *preferred* languages rather than a neighbour ("Nadim Ladki" is not German).

Passages of a document inherit the document's language unless their own detection is confident
(`LanguageIdentifier.passages`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

DEFAULT_LANGUAGES = ["en", "ru", "zh", "kk", "ky", "uz", "tg", "tk", "kaa", "uk", "be", "bg", "mn", "tr",
                     "az", "fa", "ar", "de", "fr", "es", "ja", "ko"]
PREFERRED_LANGUAGES = ["en", "ru", "zh", "kk", "ky", "uz", "tg", "tk"]
REGION_LANGUAGES = ("kk", "ky", "uz", "tg", "tk", "kaa")  # told apart by letters and words

# Cyrillic letters beyond the Russian alphabet, and which of the region's languages use them.
_CYRILLIC_EXTRA = {
    "kk": set("әғқңөұүһі"),
    "ky": set("ңөү"),
    "uz": set("ўқғҳ"),
    "tg": set("ғӣқӯҳҷ"),
    "tk": set("әңөүҗ"),
    "kaa": set("әғқңөүўҳ"),
    # neighbours, so that their letters count against the region's languages
    "tt": set("әөүҗңһ"),
    "ba": set("ғҙҡңөҫүһә"),
    "mn": set("өү"),
    "uk": set("іїєґ"),
    "be": set("іў"),
    "az": set("әғҹҝһөүј"),
}
_KAZAKH_ONLY = set("әғқңөұүһ")  # a Kazakh text of any length has some of these
_EXTRA_LETTERS = set().union(*_CYRILLIC_EXTRA.values())
# Letters whose absence from a language's alphabet tells against it (Uzbek and Tajik Cyrillic
# have no ы; Kazakh and Kyrgyz use it constantly).
_NO_YERU = {"uz", "tg", "uk"}

_FUNCTION_WORDS = {
    "kk": {"және", "мен", "үшін", "бұл", "деп", "болып", "емес", "осы", "бойынша",
           "туралы", "арқылы", "барлық", "сондықтан", "бар", "жоқ", "біз", "олар"},
    "ky": {"жана", "менен", "үчүн", "бул", "деп", "болуп", "эмес", "дагы", "боюнча", "жөнүндө",
           "аркылуу", "бардык", "ошондуктан", "бар", "жок", "биз", "алар", "ошол"},
    "uz": {"ва", "билан", "учун", "бу", "деб", "бўлиб", "эмас", "ҳам", "бўйича", "ҳақида",
           "орқали", "барча", "шунинг", "бор", "йўқ", "биз", "улар", "зарур"},
    "tg": {"ва", "дар", "ба", "аз", "ки", "бо", "барои", "ин", "он", "мебошад", "аст", "буд",
           "низ", "то", "бояд", "онҳо", "мо", "ҳам"},
    "tk": {"we", "ве", "bilen", "билен", "üçin", "үчин", "hem", "хем", "bu", "бу", "bolup",
           "болуп", "boýunça", "боюнча", "hakynda", "we", "olar", "олар", "biz"},
}
_FUNCTION_WORDS_LATIN = {
    "uz": {"va", "bilan", "uchun", "bu", "deb", "boʻlib", "emas", "ham", "boʻyicha", "haqida",
           "orqali", "barcha", "shuning", "bor", "yoʻq", "biz", "ular", "zarur", "yil", "esa"},
    "tk": {"we", "bilen", "üçin", "hem", "bolup", "boýunça", "hakynda", "olar", "biz", "bilen",
           "bolan", "edip", "ýaly", "has", "bir"},
}
_UZ_SUFFIX = re.compile(r"(ning|lari|larni|larga|dagi|ligi|lik|gan|ish|moq|miz|dilar|adi)$")
_APOSTROPHES = re.compile(r"[ʻʼ‘’'`´]")
_WORDS = re.compile(r"[^\W\d_]+(?:[ʻʼ‘’'`][^\W\d_]+)*")

# preferred-language fallback thresholds (lingua's confidence is relative among candidates)
MIN_CONFIDENCE = 0.8
MIN_LETTERS_FOREIGN = 30
# a passage overrides its document's language only when this sure (or its script differs)
MIN_CONFIDENCE_OVERRIDE = 0.9
MIN_LETTERS_OVERRIDE = 40
MIN_LETTERS_SCRIPT = 12  # ... or when it is in another alphabet and not a lone word


@dataclass(frozen=True)
class Detection:
    lang: str | None
    script: str | None      # ISO 15924
    confidence: float       # 0..1; 1 for script and letter rules that cannot be wrong often
    how: str                # script | letters | words | lingua | preferred | inherited | none


def _script_of(char: str) -> str | None:
    if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
        return "Hani"
    if "\u3040" <= char <= "\u30ff":
        return "Kana"
    if "\uac00" <= char <= "\ud7af":
        return "Hang"
    if "\u0400" <= char <= "\u052f":
        return "Cyrl"
    if "\u0600" <= char <= "\u06ff":
        return "Arab"
    if char.isalpha():
        name = unicodedata.name(char, "")
        return "Latn" if name.startswith("LATIN") else name.split(" ", 1)[0].title() or None
    return None


def scripts(text: str) -> Counter:
    return Counter(s for s in map(_script_of, text) if s)


def _cyrillic_region(text: str) -> tuple[str | None, float]:
    """Kazakh, Kyrgyz, Uzbek, Tajik, Turkmen or Karakalpak in Cyrillic letters, or None."""
    lower = text.lower()
    extra = Counter(c for c in lower if c in _EXTRA_LETTERS)
    words = _WORDS.findall(lower)
    word_hits = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    yeru = "ы" in lower
    scores = {}
    for lang, letters in _CYRILLIC_EXTRA.items():
        own = sum(n for c, n in extra.items() if c in letters)
        foreign = sum(n for c, n in extra.items() if c not in letters)
        score = own - 3 * foreign + 2 * word_hits.get(lang, 0)
        if yeru and lang in _NO_YERU:
            score -= 3
        scores[lang] = score
    best = max(scores, key=lambda lang: (scores[lang], lang in REGION_LANGUAGES))
    runner_up = max(v for k, v in scores.items() if k != best)
    evidence = sum(extra.values()) + word_hits.get(best, 0)
    own_letters = sum(n for c, n in extra.items() if c in _CYRILLIC_EXTRA[best])
    if (best not in REGION_LANGUAGES or not own_letters or scores[best] < 2
            or scores[best] <= runner_up):
        return None, 0.0
    return best, min(1.0, 0.6 + 0.05 * evidence)


def _latin_region(text: str) -> tuple[str | None, float]:
    """Uzbek or Turkmen in Latin letters, or None (Turkish and Azerbaijani stay with lingua)."""
    lower = _APOSTROPHES.sub("ʻ", text.lower())
    words = _WORDS.findall(lower)
    if not words:
        return None, 0.0
    uz_digraphs = len(re.findall(r"[og]ʻ", lower))
    tk_letters = sum(lower.count(c) for c in "ňýž") + sum(lower.count(c) for c in "äşçüö") / 3
    if "ə" in lower or "ı" in lower:  # Azerbaijani, Turkish
        return None, 0.0
    hits = {lang: len(set(words) & vocab) for lang, vocab in _FUNCTION_WORDS_LATIN.items()}
    suffixes = sum(bool(_UZ_SUFFIX.search(w)) for w in words)
    not_uzbek = len(re.findall(r"c(?!h)|w|[^\W\dʻa-z]", lower))  # c only in ch; no w, no diacritics
    uz = 3 * uz_digraphs + 2 * hits["uz"] + suffixes - 2 * not_uzbek
    tk = 2 * tk_letters + hits["tk"] if ("ň" in lower or "ý" in lower) else 0
    if uz >= 5 and uz > tk and hits["uz"] >= 1 and (uz_digraphs or hits["uz"] >= 2):
        return "uz", min(1.0, 0.6 + 0.03 * uz)
    if tk >= 4 and tk > uz:
        return "tk", min(1.0, 0.6 + 0.03 * tk)
    return None, 0.0


class LanguageIdentifier:
    """`languages`: what lingua may choose from; `preferred`: the project's own languages, which a
    short or unsure text is given instead of another candidate."""

    def __init__(self, languages: list[str] | None = None, min_letters: int = 3,
                 preferred: list[str] | None = None):
        self.languages = list(languages or DEFAULT_LANGUAGES)
        self.preferred = [lang for lang in (preferred if preferred is not None else PREFERRED_LANGUAGES)
                          if lang in self.languages] or self.languages[:1]
        self.min_letters = min_letters
        self._detector = None

    def _lingua(self):
        if self._detector is None:
            from lingua import IsoCode639_1, LanguageDetectorBuilder

            codes = []
            for code in self.languages:
                try:
                    codes.append(getattr(IsoCode639_1, code.upper()))
                except AttributeError:
                    continue  # a language lingua does not know (ky, uz, tg, tk): rules only
            if len(codes) < 2:  # lingua needs two candidates; English is the fallback partner
                codes.append(IsoCode639_1.EN)
            self._detector = LanguageDetectorBuilder.from_iso_codes_639_1(*set(codes)).build()
        return self._detector

    def detect(self, text: str) -> str | None:
        return self.identify(text).lang

    def identify(self, text: str) -> Detection:
        sample = text[:1000]  # a paragraph is plenty; longer samples only cost time
        found = scripts(sample)
        letters = sum(found.values())
        script = found.most_common(1)[0][0] if found else None
        if letters < self.min_letters:
            return Detection(None, script, 0.0, "none")
        if found["Hang"] / letters > 0.3:
            return Detection("ko", "Hang", 1.0, "script")
        if found["Kana"] / letters > 0.1:
            return Detection("ja", "Jpan", 1.0, "script")
        if found["Hani"] / letters > 0.3:
            return Detection("zh", "Hani", 1.0, "script")
        if script in ("Cyrl", "Latn"):
            lang, confidence = (_cyrillic_region if script == "Cyrl" else _latin_region)(sample)
            if lang and lang in self.languages:
                return Detection(lang, script, confidence, "letters")
        return self._by_lingua(sample, script, letters)

    def _by_lingua(self, sample: str, script: str, letters: int) -> Detection:
        values = self._lingua().compute_language_confidence_values(sample)
        ranked = [(v.language.iso_code_639_1.name.lower(), v.value) for v in values]
        if script == "Cyrl" and not _KAZAKH_ONLY.intersection(sample.lower()):
            ranked = [(code, value) for code, value in ranked if code != "kk"]  # no Kazakh letter
        if not ranked:
            return Detection(None, script, 0.0, "none")
        lang, confidence = ranked[0]
        if lang in self.preferred:
            return Detection(lang, script, confidence, "lingua")
        if confidence >= MIN_CONFIDENCE and letters >= MIN_LETTERS_FOREIGN:
            return Detection(lang, script, confidence, "lingua")
        usable = [(code, value) for code, value in ranked if code in self.preferred
                  and _writes(code, script)]
        if usable:
            return Detection(usable[0][0], script, usable[0][1], "preferred")
        return Detection(lang, script, confidence, "lingua")

    def passages(self, texts: list[str], forced: str | None = None) -> tuple[list[str | None], str | None]:
        """Languages of a document's passages and the document's own: each passage keeps its own
        detection only when that is confident (or in another script); otherwise it inherits the
        document's language, the one most of its confidently detected text is in."""
        if forced:
            return [forced] * len(texts), forced
        found = [self.identify(text) for text in texts]
        weight: Counter = Counter()
        for text, detection in zip(texts, found):
            if detection.lang:
                sure = detection.how in ("script", "letters") or detection.confidence >= MIN_CONFIDENCE
                weight[detection.lang] += len(text) * (1.0 if sure else 0.25)
        document = max(sorted(weight), key=weight.get) if weight else None
        doc_scripts = {d.script for d in found if d.lang == document}
        langs = []
        for text, detection in zip(texts, found):
            own = detection.lang
            if own is None or document is None or own == document:
                langs.append(own or (document if detection.script else None))
                continue
            letters = sum(c.isalpha() for c in text)
            confident = (detection.how == "script"
                         or (detection.script not in doc_scripts and letters >= MIN_LETTERS_SCRIPT)
                         or (detection.how == "letters" and letters >= MIN_LETTERS_OVERRIDE)
                         or (detection.confidence >= MIN_CONFIDENCE_OVERRIDE
                             and letters >= MIN_LETTERS_OVERRIDE))
            langs.append(own if confident else document)
        return langs, document


_SCRIPTS = {"ru": "Cyrl", "uk": "Cyrl", "be": "Cyrl", "bg": "Cyrl", "mk": "Cyrl", "kk": "Cyrl",
            "mn": "Cyrl", "ky": "Cyrl", "tg": "Cyrl", "sr": "Cyrl", "zh": "Hani", "ja": "Jpan",
            "ko": "Hang", "ar": "Arab", "fa": "Arab", "ur": "Arab", "he": "Hebr", "hy": "Armn",
            "ka": "Geor", "el": "Grek", "th": "Thai", "hi": "Deva", "mr": "Deva", "bn": "Beng",
            "uz": "Latn Cyrl", "tk": "Latn Cyrl", "az": "Latn Cyrl"}


def _writes(lang: str, script: str) -> bool:
    """Whether `lang` is (usually) written in `script`; Latin for everything not listed."""
    return script in _SCRIPTS.get(lang, "Latn").split()
