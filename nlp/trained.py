"""Stages that use classifiers trained on the coders' labels (`stancemap train`), in place of
the default lexicon methods. Every code they write names the model version."""

from __future__ import annotations

from stancemap.annotations.codebook import Codebook
from stancemap.nlp.analysis import Analysis
from stancemap.nlp.base import CodeOut
from stancemap.nlp.sentiment import label_for
from stancemap.nlp.training import model_input


def _polarity(probabilities: dict[str, float], positive: str, negative: str) -> float:
    return round(probabilities.get(positive, 0.0) - probabilities.get(negative, 0.0), 4)


class TrainedStage:
    def __init__(self, model, meta: dict, codebook: Codebook):
        self.model = model
        self.meta = meta
        self.codebook = codebook
        self.version = meta["version"]

    def _probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        rows = self.model.predict_proba(texts)
        return [{label: round(float(p), 4) for label, p in zip(self.model.classes_, row)} for row in rows]


class TrainedStance(TrainedStage):
    name = "stance_tfidf"

    def code(self, text: str, analysis: Analysis) -> list[CodeOut]:
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
                                 target=target, details={"method": "tfidf", "model": self.version,
                                                         "probabilities": probabilities}))
        return codes


class TrainedSentiment(TrainedStage):
    name = "sentiment_tfidf"

    def code_batch(self, texts: list[str], langs, sentences=None) -> list[list[CodeOut]]:
        out = []
        for probabilities in self._probabilities(texts):
            label = max(probabilities, key=lambda k: (probabilities[k], k))
            polarity = _polarity(probabilities, "positive", "negative")
            out.append([] if label == "none" else [CodeOut(
                "sentiment", label if label in ("positive", "negative", "neutral") else label_for(polarity),
                polarity, details={"method": "tfidf", "model": self.version,
                                   "probabilities": probabilities})])
        return out


class TrainedSectors(TrainedStage):
    name = "sectors_tfidf"
    threshold = 0.5

    def code_batch(self, texts: list[str], analyses, similarities) -> list[list[CodeOut]]:
        out = []
        for probabilities in self._probabilities(texts):
            out.append([CodeOut("sector", sector, p, details={"method": "tfidf", "model": self.version})
                        for sector, p in sorted(probabilities.items()) if p >= self.threshold])
        return out
