"""Language identification (ISO 639-1) with lingua, restricted to the languages a project
expects so that short passages are not mistaken for exotic ones."""

from __future__ import annotations

from collections import Counter

DEFAULT_LANGUAGES = ["en", "ru", "zh", "kk", "uk", "mn", "tr", "az", "fa", "ar", "de", "fr",
                     "es", "ja", "ko"]


def _script_guess(text: str) -> str | None:
    """Han, kana and Hangul settle the question before any model is asked."""
    counts = Counter()
    for char in text:
        if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
            counts["han"] += 1
        elif "\u3040" <= char <= "\u30ff":
            counts["kana"] += 1
        elif "\uac00" <= char <= "\ud7af":
            counts["hangul"] += 1
        elif char.isalpha():
            counts["other"] += 1
    total = sum(counts.values())
    if not total:
        return None
    if counts["hangul"] / total > 0.3:
        return "ko"
    if counts["kana"] / total > 0.1:
        return "ja"
    if counts["han"] / total > 0.3:
        return "zh"
    return None


class LanguageIdentifier:
    def __init__(self, languages: list[str] | None = None, min_letters: int = 3):
        self.languages = list(languages or DEFAULT_LANGUAGES)
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
                    continue
            if len(codes) < 2:  # lingua needs two candidates; English is the fallback partner
                codes.append(IsoCode639_1.EN)
            self._detector = LanguageDetectorBuilder.from_iso_codes_639_1(*set(codes)).build()
        return self._detector

    def detect(self, text: str) -> str | None:
        sample = text[:1000]  # a paragraph is plenty; longer samples only cost time
        if sum(c.isalpha() for c in sample) < self.min_letters:
            return None
        guess = _script_guess(sample)
        if guess:
            return guess
        language = self._lingua().detect_language_of(sample)
        return language.iso_code_639_1.name.lower() if language else None
