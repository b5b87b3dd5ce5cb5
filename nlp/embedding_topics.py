"""Topics shared across languages: passages embedded with multilingual-e5 (one meaning space
for en/ru/zh/kk/ky/uz), each language's mean vector taken out (shrunk toward the corpus mean for
languages with few passages) so passages group by what they say rather than by language, then spherical
k-means (scikit-learn; MiniBatchKMeans above `MINIBATCH_FROM` passages) with the number of
topics chosen by silhouette on a sample. A passage's shares are a softmax of its cosine
similarity to each topic's centre; labels come from c-TF-IDF per language (topic_terms)."""

from __future__ import annotations

from collections import Counter
from typing import Callable

import numpy as np

MINIBATCH_FROM = 20_000
SILHOUETTE_SAMPLE = 3000
SHRINK = 20  # a language's offset: corpus mean + n / (n + SHRINK) x (language mean - corpus mean)
TEMPERATURE = 0.05  # softmax temperature on cosine similarity


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


class EmbeddingTopics:
    """A scikit-learn style estimator on passage embeddings and their languages."""

    def __init__(self, num_topics: int = 0, candidates: tuple[int, ...] = (4, 6, 8, 10, 12),
                 seed: int = 0, temperature: float = TEMPERATURE):
        self.num_topics = num_topics
        self.candidates = candidates
        self.seed = seed
        self.temperature = temperature

    def _centred(self, vectors: np.ndarray, langs: list[str]) -> np.ndarray:
        """Each language's offset taken out; a language the fit did not see gets the mean offset."""
        unseen = np.mean(list(self.offsets_.values()), axis=0)
        offsets = np.vstack([self.offsets_.get(lang, unseen) for lang in langs])
        return _unit(vectors - offsets)

    def _cluster(self, matrix: np.ndarray, k: int):
        from sklearn.cluster import KMeans, MiniBatchKMeans

        if len(matrix) >= MINIBATCH_FROM:
            model = MiniBatchKMeans(n_clusters=k, random_state=self.seed, n_init=3, batch_size=4096)
        else:
            model = KMeans(n_clusters=k, random_state=self.seed, n_init=4)
        return model.fit(matrix)

    def fit(self, vectors: np.ndarray, langs: list[str],
            on_candidate: Callable[[int, int, int], None] | None = None) -> "EmbeddingTopics":
        from sklearn.metrics import silhouette_score

        vectors = _unit(np.asarray(vectors, dtype=np.float32))
        langs = list(langs)
        codes = np.asarray(langs)
        overall = vectors.mean(axis=0)
        self.offsets_ = {}
        for lang in sorted(set(langs)):
            members = vectors[codes == lang]
            weight = len(members) / (len(members) + SHRINK)
            self.offsets_[lang] = overall + weight * (members.mean(axis=0) - overall)
        matrix = self._centred(vectors, langs)
        candidates = [self.num_topics] if self.num_topics else sorted(set(self.candidates))
        candidates = [k for k in candidates if 1 < k < len(matrix)]
        rng = np.random.default_rng(self.seed)
        sample = (rng.choice(len(matrix), SILHOUETTE_SAMPLE, replace=False)
                  if len(matrix) > SILHOUETTE_SAMPLE else np.arange(len(matrix)))
        self.selection_, best = [], None
        for number, k in enumerate(candidates, 1):
            if on_candidate:
                on_candidate(k, number, len(candidates))
            model = self._cluster(matrix, k)
            score = float("nan")
            if len(candidates) > 1 and len(set(model.labels_[sample])) > 1:
                score = float(silhouette_score(matrix[sample], model.labels_[sample], metric="cosine"))
            self.selection_.append({"num_topics": k, "silhouette": None if np.isnan(score)
                                    else round(score, 5)})
            if best is None or (not np.isnan(score) and score > best[1]):
                best = (model, score)
        self.centroids_ = _unit(best[0].cluster_centers_.astype(np.float32))
        self.labels_ = best[0].labels_
        return self

    def similarities(self, vectors: np.ndarray, langs: list[str]) -> np.ndarray:
        return self._centred(_unit(np.asarray(vectors, dtype=np.float32)), langs) @ self.centroids_.T

    def transform(self, vectors: np.ndarray, langs: list[str]) -> np.ndarray:
        """Topic shares per passage: a softmax of cosine similarity to each topic's centre."""
        scaled = self.similarities(vectors, langs) / self.temperature
        scaled = np.exp(scaled - scaled.max(axis=1, keepdims=True))
        return scaled / scaled.sum(axis=1, keepdims=True)

    def to_json(self) -> dict:
        """What `topics --assign` needs to place new passages without refitting."""
        return {"centroids": np.round(self.centroids_, 6).tolist(),
                "offsets": {k: np.round(v, 6).tolist() for k, v in self.offsets_.items()},
                "temperature": self.temperature}

    @classmethod
    def from_json(cls, data: dict, seed: int = 0) -> "EmbeddingTopics":
        model = cls(num_topics=len(data["centroids"]), seed=seed, temperature=data["temperature"])
        model.centroids_ = np.asarray(data["centroids"], dtype=np.float32)
        model.offsets_ = {k: np.asarray(v, dtype=np.float32) for k, v in data["offsets"].items()}
        return model


SECTOR_SHARE = 0.4  # a topic is named after a sector coded in at least this share of its passages
SECTOR_LIFT = 2.0   # ... and at least this many times the sector's share in the whole corpus
READABLE = 60  # representative passages are this many characters or more where a topic has three


def _sector_of(members: list[str], sectors_of: dict[str, set[str]], base: dict[str, float]) -> str | None:
    """The sector that clearly matches a topic, from the sector codes of its passages."""
    if len(members) < 3:
        return None
    counts: dict[str, int] = {}
    for pid in members:
        for sector in sectors_of.get(pid, ()):
            counts[sector] = counts.get(sector, 0) + 1
    fits = [(n / len(members), s) for s, n in counts.items()
            if n / len(members) >= SECTOR_SHARE and n / len(members) >= SECTOR_LIFT * base[s]]
    return max(fits)[1] if fits else None


def describe_topics(model: EmbeddingTopics, passages: list[tuple[str, str, str]], vectors: np.ndarray,
                    sectors_of: dict[str, set[str]], sector_labels: dict[str, str],
                    label_language: str = "en") -> list[dict]:
    """Per topic: id, a phrase label (the sector's name first where one clearly matches), top
    terms per language, how many passages of each language, and its three most representative
    passages (the closest to its centre among those of READABLE characters or more)."""
    from stancemap.nlp.topic_terms import phrase_label, top_terms_by_language

    ids = [p[0] for p in passages]
    texts = [p[1] for p in passages]
    langs = [p[2] for p in passages]
    labels = model.labels_
    k = len(model.centroids_)
    by_lang = top_terms_by_language(texts, langs, labels, k, size=30)
    generic = {lang: {t for t, n in Counter(t for ranked in topics_terms for t, _ in ranked).items()
                      if k >= 4 and n >= 2 and n > k / 3}  # high in a third of the topics or more
               for lang, topics_terms in by_lang.items()}
    closeness = model.similarities(vectors, langs)[np.arange(len(ids)), labels]
    base: dict[str, float] = {}
    for found in sectors_of.values():
        for sector in found:
            base[sector] = base.get(sector, 0) + 1 / max(len(ids), 1)
    topics = []
    for topic in range(k):
        index = np.flatnonzero(labels == topic)
        members = [ids[i] for i in index]
        count = {str(lang): int(n)
                 for lang, n in zip(*np.unique(np.asarray(langs)[index], return_counts=True))}
        main = label_language if count.get(label_language, 0) >= 3 else max(count, key=count.get, default="")
        ranked = by_lang.get(main, [[]] * k)[topic]
        label = phrase_label([t for t, _ in ranked], generic.get(main, set())) or f"topic {topic + 1}"
        sector = _sector_of(members, sectors_of, base)
        if sector:
            label = f"{sector_labels.get(sector, sector)}: {label}"
        readable = [i for i in index if len(texts[i]) >= READABLE]  # not a two-word answer
        pool = np.asarray(readable) if len(readable) >= 3 else index
        best: list[int] = []
        for i in pool[np.argsort(-closeness[pool], kind="stable")]:
            if len(best) == 3:
                break
            if all(texts[i] != texts[j] for j in best):  # a wire copy is not a second example
                best.append(i)
        topics.append({"id": f"T{topic + 1:02d}", "label": label, "terms": ranked[:10],
                       "terms_by_lang": {lang: found[topic][:10] for lang, found in by_lang.items()
                                         if found[topic]},
                       "languages": count, "passages": len(members), "sector": sector,
                       "representatives": [ids[i] for i in best]})
    return topics


def fit_embedding_topics(passages: list[tuple[str, str, str]], vectors: np.ndarray, config, seed: int,
                         signature: str, sectors_of: dict[str, set[str]], sector_labels: dict[str, str],
                         on_candidate: Callable[[int, int, int], None] | None = None):
    """A TopicResult from (passage_id, text, lang) passages and their embeddings; the fitted
    centres and language offsets go in `params["state"]` for `topics --assign`."""
    from stancemap.nlp.topics import TopicResult

    langs = [lang for _, _, lang in passages]
    params = {"method": "embedding", "passages": len(passages), "fitted_passages": len(passages),
              "seed": seed, "selected_by": "silhouette (cosine, on a sample of at most "
              f"{SILHOUETTE_SAMPLE} passages)", "languages": dict(sorted(
                  {lang: langs.count(lang) for lang in set(langs)}.items()))}
    if len(passages) < 10:
        return TopicResult("", signature, 0, [], [], params=params, skipped=(
            f"too little text for a topic model ({len(passages)} passages; needs at least 10)"))
    model = EmbeddingTopics(config.num_topics, tuple(config.candidates), seed).fit(vectors, langs,
                                                                                 on_candidate)
    topics = describe_topics(model, passages, vectors, sectors_of, sector_labels)
    result = TopicResult(signature[:16], signature, len(topics), topics, model.selection_,
                         params=params | {"state": model.to_json()})
    for (passage_id, _, _), row in zip(passages, model.transform(vectors, langs)):
        result.shares[passage_id] = [(t, round(float(p), 4)) for t, p in enumerate(row)]
    return result
