"""Stages that use classifiers trained on the coders' labels (`stancemap train`), in place of
the default methods. Every code they write names the model version. They register as the
method `trained` (the newest model of the task) or `trained:<version or folder>` (pinned)."""

from __future__ import annotations

from stancemap.annotations.codebook import Codebook
from stancemap.nlp.analysis import Analysis
from stancemap.nlp.base import Batch, CodeOut, Stage
from stancemap.nlp.registry import StageContext, stages
from stancemap.nlp.sentiment import label_for
from stancemap.nlp.training import model_input


def _polarity(probabilities: dict[str, float], positive: str, negative: str) -> float:
    return round(probabilities.get(positive, 0.0) - probabilities.get(negative, 0.0), 4)


class TrainedStage(Stage):
    task = ""

    def __init__(self, model, meta: dict, codebook: Codebook):
        self.model = model
        self.meta = meta
        self.codebook = codebook
        self.version = meta["version"]
        self.kind = meta.get("model", "tfidf")
        self.name = f"{self.task}_{self.kind}"  # e.g. stance_transformer

    def details(self, lang: str | None, probabilities: dict[str, float]) -> dict:
        """How the code was made; `out_of_language` when no training item was in the passage's
        language (models saved before languages were recorded say `trained_languages: null`)."""
        trained = self.meta.get("languages")
        found = {"method": self.kind, "model": self.version, "lang": lang,
                 "trained_languages": trained, "probabilities": probabilities}
        if trained is not None:
            found["out_of_language"] = lang not in trained
        return found

    def _probabilities(self, texts: list[tuple[str, str]]) -> list[dict[str, float]]:
        rows = self.model.predict_proba(texts)
        return [{label: round(float(p), 4) for label, p in zip(self.model.classes_, row)} for row in rows]


class TrainedStance(TrainedStage):
    task = "stance"
    dimension = "stance"
    codes_questions = False

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        return {i: self.code_passage(batch.texts[i], batch.analyses[i]) for i in indices}

    def code_passage(self, text: str, analysis: Analysis) -> list[CodeOut]:
        targets = sorted({hit.id for hit in analysis.targets})
        if not targets:
            return []
        found = self._probabilities([model_input(t, text, self.codebook) for t in targets])
        codes = []
        for target, probabilities in zip(targets, found):
            label = max(probabilities, key=lambda k: (probabilities[k], k))
            if label == "none":
                continue
            codes.append(CodeOut("stance", label, _polarity(probabilities, "favour", "against"),
                                 target=target, details=self.details(analysis.lang, probabilities)))
        return codes


class TrainedSentiment(TrainedStage):
    task = "sentiment"
    dimension = "sentiment"
    codes_questions = False

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        return dict(zip(indices, self.code_batch([batch.texts[i] for i in indices],
                                                 [batch.analyses[i].lang for i in indices])))

    def code_batch(self, texts: list[str], langs=None, sentences=None) -> list[list[CodeOut]]:
        out = []
        found = self._probabilities([("", text) for text in texts])
        for lang, probabilities in zip(langs or [None] * len(texts), found):
            label = max(probabilities, key=lambda k: (probabilities[k], k))
            polarity = _polarity(probabilities, "positive", "negative")
            out.append([] if label == "none" else [CodeOut(
                "sentiment", label if label in ("positive", "negative", "neutral") else label_for(polarity),
                polarity, details=self.details(lang, probabilities))])
        return out


class TrainedSectors(TrainedStage):
    task = "sectors"
    dimension = "sector"
    threshold = 0.5

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        found = self._probabilities([("", batch.texts[i]) for i in indices])
        out = {}
        for i, probabilities in zip(indices, found):
            details = {k: v for k, v in self.details(batch.analyses[i].lang, probabilities).items()
                       if k != "probabilities"}
            out[i] = [CodeOut("sector", sector, p, details=details)
                      for sector, p in sorted(probabilities.items()) if p >= self.threshold]
        return out


TRAINED = {"stance": TrainedStance, "sentiment": TrainedSentiment, "sector": TrainedSectors}


def _register(dimension: str) -> None:
    @stages.register(dimension, "trained")
    def make(ctx: StageContext, arg: str | None) -> TrainedStage:
        """`trained`: the newest model `stancemap train` saved for the task (or the one pinned
        in coding.model_versions); `trained:<version or folder>`: that one."""
        from stancemap.nlp.training import load_model

        model, meta = load_model(ctx.project, dimension, arg or pinned_version(ctx, dimension))
        return TRAINED[dimension](model, meta, ctx.codebook)


def pinned_version(ctx: StageContext, task: str) -> str | None:
    from stancemap.nlp.training import pinned_models

    return pinned_models(ctx.project, ctx.config.coding.model_versions).get(task)


for _dimension in TRAINED:
    _register(_dimension)
