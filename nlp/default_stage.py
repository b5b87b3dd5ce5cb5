"""The shipped default models as stages ("model:default" for stance and sentiment).

Stance: one code per codebook target a passage names, from the passage and the clauses that name
the target. Sentiment: one code per passage. Every code's details name the method, the model and
its version, the passage's language, the languages the model was trained on, and
`out_of_language` (with `cross_lingual`) when the passage's language is not one of them."""

from __future__ import annotations

from stancemap.nlp.base import CodeOut
from stancemap.nlp.default_models import Query, ShippedModels
from stancemap.nlp.encoder import make_encoder
from stancemap.nlp.labelled import SENTIMENT_TO_STANCE


class DefaultStage:
    name = ""
    dimension = ""
    languages = None  # every language: outside the training languages codes are flagged

    def __init__(self, models: ShippedModels | None = None, seed: int = 0):
        self.models = models or ShippedModels()
        self.version = self.models.version
        self.seed = seed
        self._encoders: dict = {}

    def embed(self, name: str, texts: list[str]):
        if name not in self._encoders:
            self._encoders[name] = make_encoder(name, self.seed)
        return self._encoders[name].encode(texts)

    def _predict(self, queries: list[Query], shared=None):
        """`shared(name, texts)`: the pipeline's once-per-passage embeddings when it has them."""
        embed = shared or self.embed
        return self.models.predict(self.dimension, queries, embed)


def _polarity(scores: dict[str, float]) -> float:
    return round(scores.get("positive", 0.0) - scores.get("negative", 0.0), 4)


class DefaultStance(DefaultStage):
    name = "stance-default"
    dimension = "stance"

    def code_passages(self, texts, analyses, shared=None) -> list[list[CodeOut]]:
        queries, owners = [], []
        for index, (text, analysis) in enumerate(zip(texts, analyses)):
            per_target: dict[str, list] = {}
            for hit in analysis.targets:
                per_target.setdefault(hit.id, []).append(hit)
            for target, hits in sorted(per_target.items()):
                queries.append(Query(analysis.lang, hits[0].text, text,
                                     [(h.start, h.end) for h in hits], analysis.sentences))
                owners.append((index, target, sorted({h.text for h in hits})))
        out: list[list[CodeOut]] = [[] for _ in texts]
        for (index, target, mentions), (label, scores, details) in zip(owners, self._predict(queries, shared)):
            out[index].append(CodeOut("stance", SENTIMENT_TO_STANCE[label], _polarity(scores),
                                      target=target, details={**details, "probabilities": scores,
                                                              "mentions": mentions}))
        return out


class DefaultSentiment(DefaultStage):
    name = "sentiment-default"
    dimension = "sentiment"

    def code_passages(self, texts, analyses, shared=None) -> list[list[CodeOut]]:
        queries = [Query(a.lang, "", text, [], a.sentences) for text, a in zip(texts, analyses)]
        return [[CodeOut("sentiment", label, _polarity(scores),
                         details={**details, "probabilities": scores})]
                for label, scores, details in self._predict(queries, shared)]
