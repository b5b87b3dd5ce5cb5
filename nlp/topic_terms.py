"""Topic terms in each language: words (jieba segments Chinese, natasha's pymorphy lemmatises Russian),
stop words from spaCy where it has a list, phrases of two adjacent words, and class-based
TF-IDF (BERTopic's c-TF-IDF: a term's frequency in a topic's passages times how rare it is
across topics) computed language by language."""

from __future__ import annotations

import importlib
import logging
import re
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[^\W\d_][\w\-'ʻ‐]*[^\W_]|[^\W\d_]", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff]")


# Function words of the two project languages for which neither spaCy nor stopwords-iso has a
# list (spaCy has Kyrgyz): conjunctions, postpositions, pronouns, copulas and auxiliaries, and
# the year word of dates ("2019 жылы", "2019 yili"), compiled by the stancemap team. Uzbek in
# its Latin script (each with the apostrophes it is typed with: ' ʻ ʼ ’) and Cyrillic.
_OWN_STOP_WORDS = {
    "kk": "және мен бен пен да де та те ал бірақ алайда немесе не егер яғни үшін туралы арқылы "
          "бойынша сияқты секілді дейін кейін соң бері бұл осы сол ол олар біз сіз сен мен оның "
          "олардың біздің бар жоқ еді екен емес болып болды болады болған болса ғана әр барлық "
          "көп өте тағы қазір ретінде арасында жылы жыл деп деген тиіс керек мүмкін қандай қалай "
          "қай кім не неге сондай осындай сонымен",
    "uz": "va bilan uchun bu shu u ular biz siz sen men uning ularning bizning ham esa lekin ammo "
          "biroq yoki agar ya'ni haqida orqali bo'yicha kabi qadar keyin oldin beri bor yo'q edi "
          "ekan emas bo'lib bo'ldi bo'ladi bo'lgan bo'lsa faqat har barcha ko'p juda yana hozir "
          "sifatida o'rtasida yili yil deb degan kerak mumkin qanday qaysi kim nima "
          "ва билан учун бу шу у улар биз сиз ҳам эса лекин аммо ёки агар ҳақида орқали бўйича "
          "каби кейин олдин бор йўқ эди экан эмас бўлиб бўлди бўлади йили",
}


@lru_cache(maxsize=None)
def language_stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for the language, the team's list for Kazakh and Uzbek, or none."""
    if lang in _OWN_STOP_WORDS:
        return frozenset(w.replace("'", mark) for w in _OWN_STOP_WORDS[lang].split() for mark in "'ʻʼ’")
    try:
        return frozenset(importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS)
    except ImportError:
        return frozenset()


@lru_cache(maxsize=1)
def _morph():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymorphy2 warns about pkg_resources
        from natasha import MorphVocab

        return MorphVocab()


@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    return _morph().parse(word)[0].normal


@lru_cache(maxsize=1)
def _jieba():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports pkg_resources
        import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


# a phrase may hold one of these between its words: "belt and road", "rule of law"
CONNECTORS = {"en": frozenset({"and", "of", "for", "on", "the"}), "ru": frozenset({"и"})}


def _tokens(text: str, lang: str | None) -> list[tuple[str | None, str]]:
    """(kept word or None, the word as written) in order; punctuation is (None, "")."""
    stops = language_stop_words(lang or "")
    if lang == "zh":
        found = [(w if len(w) > 1 and (_HAN.search(w) or _WORD.fullmatch(w)) else None, w)
                 for w in (w.strip().lower() for w in _jieba().lcut(text))]
    else:
        found, end = [], 0
        for match in _WORD.finditer(text):
            if text[end:match.start()].strip(" "):  # punctuation breaks a phrase
                found.append((None, ""))
            end = match.end()
            raw = match.group(0).lower().strip("-'")
            word = _lemma(raw) if lang == "ru" and re.fullmatch(r"[а-яё\-]+", raw) else raw
            found.append((word if len(word) > 2 else None, raw))
    return [(w if w and w not in stops else None, raw) for w, raw in found]


def words(text: str, lang: str | None) -> list[str | None]:
    """The passage's words in order, lower-cased (Russian: lemmas); a stop word, a short word
    or punctuation between words is a None, so phrases are made of adjacent words only."""
    return [w for w, _ in _tokens(text, lang)]


def terms(text: str, lang: str | None) -> list[str]:
    """Words and phrases of the passage (a term document for the vectoriser): two adjacent
    words, or two words joined by one connector ("belt and road")."""
    found = _tokens(text, lang)
    joiner = "" if lang == "zh" else " "
    connectors = CONNECTORS.get(lang or "", frozenset())
    out = []
    for i, (word, _) in enumerate(found):  # in text order: a phrase right after its last word
        if not word:
            continue
        out.append(word)
        before = found[i - 1][0] if i else None
        if before and before != word:
            out.append(f"{before}{joiner}{word}")
        if i > 1 and found[i - 2][0] and found[i - 1][1] in connectors:
            out.append(f"{found[i - 2][0]} {found[i - 1][1]} {word}")
    return out


def class_tfidf(counts, labels: np.ndarray, num_topics: int) -> np.ndarray:
    """topics x terms c-TF-IDF of a passages x terms count matrix and each passage's topic.
    (BERTopic's BM25 idf with square-rooted frequencies gave more diverse but less coherent
    terms on benchmarks/topics.py: c_npmi -0.154 against -0.059 in English.)"""
    import scipy.sparse as sp

    member = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))),
                           shape=(num_topics, len(labels)))
    per_topic = np.asarray((member @ counts).todense(), dtype=float)
    totals = per_topic.sum(axis=1, keepdims=True)
    tf = per_topic / np.maximum(totals, 1)
    frequency = per_topic.sum(axis=0)
    average = totals.sum() / max(int((totals > 0).sum()), 1)
    return tf * np.log1p(average / np.maximum(frequency, 1))


def top_terms_by_language(texts: list[str], langs: list[str], labels: np.ndarray, num_topics: int,
                          size: int = 10, min_count: int = 2) -> dict[str, list[list[tuple[str, float]]]]:
    """lang -> per topic its `size` best terms by c-TF-IDF among that language's passages
    (terms seen in fewer than `min_count` of them are left out; a topic with no passage in
    the language gets an empty list)."""
    from sklearn.feature_extraction.text import CountVectorizer

    result: dict[str, list[list[tuple[str, float]]]] = {}
    for lang in sorted(set(langs)):
        index = np.flatnonzero(np.asarray(langs) == lang)
        docs = [terms(texts[i], lang) for i in index]
        vectoriser = CountVectorizer(analyzer=lambda d: d,
                                     min_df=min_count if len(index) >= 5 * min_count else 1)
        try:
            counts = vectoriser.fit_transform(docs)
        except ValueError:  # no term at all in this language
            continue
        vocabulary = vectoriser.get_feature_names_out()
        weights = class_tfidf(counts, labels[index], num_topics)
        present = np.bincount(labels[index], minlength=num_topics)
        result[lang] = [[(str(vocabulary[j]), round(float(row[j]), 5))
                         for j in np.argsort(-row, kind="stable")[:size] if row[j] > 0]
                        if present[t] else [] for t, row in enumerate(weights)]
    return result


def _variant(term: str, chosen: list[str]) -> bool:
    """A term already said by a chosen one: inside it, or its plural ("company"/"companies")."""
    def singular(t: str) -> str:
        return re.sub(r"(es|s)$", "", re.sub(r"ies$", "y", t))

    return any((term in c.split() if " " in c else term in c) or singular(c) == singular(term)
               for c in chosen)


def phrase_label(ranked: list[str], generic: set[str] = frozenset(), size: int = 3) -> str:
    """A short label from ranked terms, leaving out `generic` ones (high in most topics):
    up to two phrases first, then words no chosen phrase holds."""
    ranked = [t for t in ranked if t not in generic]
    chosen: list[str] = []
    for term in ranked:
        if len(chosen) < 2 and (" " in term or (_HAN.search(term) and len(term) > 3)) \
                and not _variant(term, chosen):
            chosen.append(term)
    for term in ranked:
        if len(chosen) >= size:
            break
        if not _variant(term, chosen):
            chosen.append(term)
    return ", ".join(chosen)
