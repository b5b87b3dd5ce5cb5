"""The shipped default models as stages ("model:default" for stance and sentiment).

Stance: one code per codebook target a passage names, from the passage and the clauses that name
the target. Sentiment: one code per passage. Every code's details name the method, the model and
its version, the passage's language, the languages the model was trained on, and
`out_of_language` (with `cross_lingual`) when the passage's language is not one of them."""

from __future__ import annotations

from stancemap.errors import ConfigError, Errors
from stancemap.nlp.base import Batch, CodeOut, Stage
from stancemap.nlp.default_models import Query, ShippedModels
from stancemap.nlp.encoder import make_encoder
from stancemap.nlp.labelled import SENTIMENT_TO_STANCE
from stancemap.nlp.registry import StageContext, stages


class DefaultStage(Stage):
    name = ""
    dimension = ""
    languages = None  # every language: outside the training languages codes are flagged
    codes_questions = False

    def __init__(self, models: ShippedModels | None = None, encoders: dict | None = None,
                 seed: int = 0):
        self.models = models or ShippedModels()
        self.version = self.models.version
        self.seed = seed
        self.encoders = dict(encoders or {})

    def encoder(self, name: str):
        if name not in self.encoders:
            self.encoders[name] = make_encoder(name, self.seed)
        return self.encoders[name]

    def embed(self, name: str, texts: list[str]):
        return self.encoder(name).encode(texts)

    def describe(self) -> dict:
        """For the run manifest: which model and encoder code each language."""
        routes = self.models.manifest["tasks"][self.dimension]
        return {lang: {"model": name, "encoder": self.models.spec(name).get("encoder_version"),
                       "trained_languages": self.models.spec(name)["languages"]}
                for lang, name in sorted(routes.items())}

    def _predict(self, queries: list[Query], shared=None):
        """`shared(name, texts)`: the pipeline's once-per-passage embeddings when it has them."""
        return self.models.predict(self.dimension, queries, shared or self.embed)

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        """Passage embeddings come from the batch's features (one encoding per passage for
        every stage); only the target contexts that are not whole passages are encoded here."""
        import numpy as np

        where = {batch.texts[i]: i for i in indices}

        def shared(name: str, texts: list[str]):
            encoder = self.encoder(name)
            known = sorted({where[t] for t in texts if t in where})
            vectors = dict(zip(known, batch.features.embeddings(known, encoder))) if known else {}
            rest = sorted({t for t in texts if t not in where})
            other = dict(zip(rest, encoder.encode(rest))) if rest else {}
            return np.asarray([vectors[where[t]] if t in where else other[t] for t in texts])

        found = self.code_passages([batch.texts[i] for i in indices],
                                   [batch.analyses[i] for i in indices], shared)
        return dict(zip(indices, found))


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


def _factory(stage: type[DefaultStage]):
    def make(ctx: StageContext, arg: str | None) -> DefaultStage:
        """`model:default`: the stance and sentiment models shipped inside stancemap."""
        if arg not in (None, "default"):
            raise ConfigError(Errors.E123.format(method=f"model:{arg}", dimension=stage.dimension))
        from stancemap.nlp.encoder import E5Encoder, SentenceEncoder

        encoders = {"minilm": ctx.shared("encoder", lambda: SentenceEncoder(seed=ctx.config.seed)),
                    "e5": ctx.shared("encoder-e5", E5Encoder)}
        return stage(ctx.shared("shipped-models", ShippedModels), encoders, ctx.config.seed)
    return make


stages.register("stance", "model")(_factory(DefaultStance))
stages.register("sentiment", "model")(_factory(DefaultSentiment))
