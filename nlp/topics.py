"""Topic modelling with gensim LDA (`topics.method = "lda"`): phrase detection, stop words,
dictionary filtering, the number of topics chosen by coherence, optional seed words from the
codebook's sectors as eta priors, and per-passage topic shares stored as codes. The embedding
method (the default) is in embedding_topics; both give a TopicResult.

Memory: LDA needs the bag-of-words of every fitted passage in memory (about 16 bytes per
distinct term per passage, e.g. ~50 MB for 100,000 passages of 30 distinct terms); everything
else streams."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from stancemap.annotations.codebook import Codebook
from stancemap.config import TopicConfig

_TOKEN = re.compile(r"[^\W\d_][\w\-']*[^\W_]|[^\W\d_]", re.UNICODE)
VERSION = "1.0"


def stop_words(langs: list[str]) -> set[str]:
    words: set[str] = set()
    if "*" in langs:
        langs = ["en", "ru"]
    if "en" in langs:
        from spacy.lang.en.stop_words import STOP_WORDS
        words |= set(STOP_WORDS)
    if "ru" in langs:
        from spacy.lang.ru.stop_words import STOP_WORDS as RU
        words |= set(RU)
    return words


def tokenize(text: str, stops: set[str]) -> list[str]:
    return [t for t in (m.group(0).lower().strip("-'") for m in _TOKEN.finditer(text))
            if len(t) > 2 and t not in stops]


@dataclass
class TopicResult:
    model_id: str
    signature: str
    num_topics: int
    topics: list[dict]
    selection: list[dict]
    shares: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # passage -> shares
    params: dict = field(default_factory=dict)
    skipped: str | None = None


def corpus_signature(passages: list[tuple[str, ...]], config: TopicConfig, seed: int,
                     codebook: Codebook) -> str:
    """Passages are (passage_id, text) or (passage_id, text, lang)."""
    digest = hashlib.sha256()
    for passage_id, text, *lang in passages:
        digest.update(passage_id.encode())
        digest.update(hashlib.sha256(text.encode()).digest())
        if lang:
            digest.update(f"|{lang[0]}".encode())
    digest.update(json.dumps(config.model_dump(), sort_keys=True).encode())
    digest.update(f"{seed}|{VERSION}|{codebook.digest if config.seed_words else ''}".encode())
    return digest.hexdigest()


class TopicModeler:
    def __init__(self, config: TopicConfig, seed: int, codebook: Codebook):
        self.config = config
        self.seed = seed
        self.codebook = codebook
        self.stops = stop_words(config.languages)
        logging.getLogger("gensim").setLevel(logging.WARNING)

    def _eta(self, dictionary, num_topics: int):
        """Seed words: topic i leans toward sector i's pattern words (and their phrases)."""
        eta = np.full((num_topics, len(dictionary)), 1.0 / num_topics)
        for topic, sector in enumerate(list(self.codebook.sectors.values())[:num_topics]):
            for pattern in sector.patterns:
                token = "_".join(tokenize(pattern, set()))
                if token in dictionary.token2id:
                    eta[topic, dictionary.token2id[token]] = 1.0
        return eta

    @staticmethod
    def _label(p_w_t, p_w, dictionary, weight: float = 0.6, size: int = 3) -> str:
        """Top terms by relevance (Sievert & Shirley 2014): frequent in the topic *and*
        distinctive for it, so labels are not all "development / international"."""
        with np.errstate(divide="ignore"):
            relevance = weight * np.log(p_w_t) + (1 - weight) * np.log(p_w_t / np.maximum(p_w, 1e-12))
        best = np.argsort(-relevance, kind="stable")[:size]
        return " / ".join(dictionary[int(i)] for i in best)

    def fit(self, passages: list[tuple[str, ...]], signature: str,
            on_candidate: Callable[[int, int, int], None] | None = None) -> TopicResult:
        """Passages are (passage_id, text) or (passage_id, text, lang): with a language, words
        are those of topic_terms (jieba for Chinese, Russian lemmas, the language's stop words).
        `on_candidate(k, number, candidates)` is called before each candidate fit."""
        from gensim.corpora import Dictionary
        from gensim.models import CoherenceModel, LdaModel
        from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

        from stancemap.nlp.topic_terms import words

        config = self.config
        docs = [[w for w in words(text, lang[0]) if w] if lang else tokenize(text, self.stops)
                for _, text, *lang in passages]
        phrases = Phrases(docs, min_count=3, threshold=10, connector_words=ENGLISH_CONNECTOR_WORDS)
        docs = [phrases[d] for d in docs]
        dictionary = Dictionary(docs)
        dictionary.filter_extremes(no_below=config.no_below, no_above=config.no_above, keep_n=50000)
        bows = [dictionary.doc2bow(d) for d in docs]
        fitted = [(i, bow) for i, bow in enumerate(bows) if bow]
        params = {"method": "lda", "passages": len(passages), "fitted_passages": len(fitted), "terms": len(dictionary),
                  "passes": config.passes, "iterations": config.iterations, "seed": self.seed,
                  "seed_words": config.seed_words, "coherence": config.coherence}
        candidates = [config.num_topics] if config.num_topics else sorted(set(config.candidates))
        candidates = [k for k in candidates if 1 < k < max(3, len(fitted))]
        if len(fitted) < 10 or len(dictionary) < 10 or not candidates:
            return TopicResult("", signature, 0, [], [], params=params, skipped=(
                f"too little text for a topic model ({len(fitted)} passages, {len(dictionary)} "
                f"terms after filtering; needs at least 10 of each)"))
        corpus = [bow for _, bow in fitted]
        texts = [docs[i] for i, _ in fitted]
        selection, best = [], None
        for number, k in enumerate(candidates, 1):
            if on_candidate:
                on_candidate(k, number, len(candidates))
            model = LdaModel(corpus, id2word=dictionary, num_topics=k, random_state=self.seed,
                             passes=config.passes, iterations=config.iterations, alpha="symmetric",
                             eta=self._eta(dictionary, k) if config.seed_words else "symmetric")
            if len(candidates) > 1:
                coherence = CoherenceModel(model=model, texts=texts, dictionary=dictionary,
                                           coherence=config.coherence, processes=1).get_coherence()
            else:
                coherence = float("nan")
            selection.append({"num_topics": k, "coherence": None if np.isnan(coherence)
                              else round(float(coherence), 5)})
            if best is None or (not np.isnan(coherence) and coherence > best[1]):
                best = (model, coherence, k)
        model, _, k = best
        self.model_, self.dictionary_ = model, dictionary
        topics = []
        term_topic = model.get_topics()  # k x terms, p(w|t)
        overall = np.asarray([dictionary.cfs.get(i, 0) for i in range(len(dictionary))], float)
        overall = overall / overall.sum()
        for topic in range(k):
            terms = [(term, round(float(w), 5)) for term, w in model.show_topic(topic, topn=10)]
            topics.append({"id": f"T{topic + 1:02d}", "label": self._label(term_topic[topic], overall,
                                                                           dictionary),
                           "terms": terms})
        result = TopicResult(signature[:16], signature, k, topics, selection, params=params)
        for i, bow in fitted:
            shares = model.get_document_topics(bow, minimum_probability=0.0)
            result.shares[passages[i][0]] = [(t, round(float(p), 4)) for t, p in shares]
        return result
