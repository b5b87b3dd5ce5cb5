"""Passage sentiment: VADER with domain additions (English), or a local transformers
sequence-classification model when the config names one (any language it was trained on)."""

from __future__ import annotations

from pathlib import Path

from stancemap.errors import Errors, ModelError
from stancemap.nlp.base import Batch, CodeOut, Stage
from stancemap.nlp.lexicon import DOMAIN_VALENCE
from stancemap.nlp.registry import StageContext, stages

NEUTRAL_BAND = 0.05  # VADER's own convention for compound scores


def label_for(polarity: float) -> str:
    if polarity >= NEUTRAL_BAND:
        return "positive"
    if polarity <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(DOMAIN_VALENCE)
    return analyzer


class SentimentStage(Stage):
    """Sentiment stages code whole passages, from their texts and sentence spans."""

    dimension = "sentiment"
    codes_questions = False

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        found = self.code_batch([batch.texts[i] for i in indices],
                                [batch.passages[i].lang for i in indices],
                                [batch.analyses[i].sentences for i in indices])
        return dict(zip(indices, found))

    def code_batch(self, texts: list[str], langs: list[str | None],
                   sentences: list[list[tuple[int, int]]] | None = None) -> list[list[CodeOut]]:
        raise NotImplementedError


class VaderSentiment(SentimentStage):
    """VADER is built for sentences: a passage's polarity is the mean of its sentences'
    compound scores, weighted by sentence length (and VADER's cost stays linear in length)."""

    name = "sentiment_vader"
    version = "1.1"
    languages = frozenset({"en"})

    def __init__(self, analyzer=None):
        self.analyzer = analyzer or vader()

    def polarity(self, text: str, sentences: list[tuple[int, int]] | None = None) -> float:
        spans = sentences or [(0, len(text))]
        weights = [max(1, end - start) for start, end in spans]
        scores = [self.analyzer.polarity_scores(text[start:end])["compound"] for start, end in spans]
        return sum(w * s for w, s in zip(weights, scores)) / sum(weights)

    def code_batch(self, texts: list[str], langs: list[str | None],
                   sentences: list[list[tuple[int, int]]] | None = None) -> list[list[CodeOut]]:
        out = []
        for index, (text, lang) in enumerate(zip(texts, langs)):
            if lang not in self.languages:
                out.append([])
                continue
            polarity = self.polarity(text, sentences[index] if sentences else None)
            out.append([CodeOut("sentiment", label_for(polarity), round(polarity, 4),
                                details={"method": "vader+domain, sentence mean"})])
        return out


class TransformerSentiment(SentimentStage):
    """A fine-tuned classifier from a local folder. Its labels are mapped by name
    (negative/neutral/positive, or LABEL_0.. with the model's id2label); the score is
    P(positive) - P(negative)."""

    name = "sentiment_model_dir"  # not "sentiment_transformer": that names trained models

    def __init__(self, model_dir: Path, batch_size: int = 16, max_length: int = 256):
        self.model_dir = Path(model_dir)
        if not self.model_dir.is_dir():
            raise ModelError(Errors.E031.format(path=self.model_dir))
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from stancemap.nlp.encoder import quiet_transformers

        quiet_transformers()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
            self.model = AutoModelForSequenceClassification.from_pretrained(
                self.model_dir, local_files_only=True).eval()
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(Errors.E032.format(path=self.model_dir, what="sequence classifier",
                                                reason=err)) from err
        self._torch = torch
        self.batch_size = batch_size
        self.max_length = max_length
        labels = {i: str(l).lower() for i, l in self.model.config.id2label.items()}
        self.positive = [i for i, l in labels.items() if l.startswith("pos")]
        self.negative = [i for i, l in labels.items() if l.startswith("neg")]
        if not self.positive or not self.negative:
            raise ModelError(Errors.E032.format(
                path=self.model_dir, what="sentiment classifier",
                reason=f"its labels {sorted(labels.values())} name no positive and negative class"))
        self.version = f"{self.model_dir.name}"

    def code_batch(self, texts: list[str], langs: list[str | None],
                   sentences: list[list[tuple[int, int]]] | None = None) -> list[list[CodeOut]]:
        out = []
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start:start + self.batch_size]
            encoded = self.tokenizer(chunk, truncation=True, max_length=self.max_length,
                                     padding=True, return_tensors="pt")
            with self._torch.no_grad():
                probs = self._torch.softmax(self.model(**encoded).logits, dim=-1)
            for row in probs.tolist():
                polarity = sum(row[i] for i in self.positive) - sum(row[i] for i in self.negative)
                out.append([CodeOut("sentiment", label_for(polarity), round(polarity, 4),
                                    details={"method": "transformer", "probabilities":
                                             [round(p, 4) for p in row]})])
        return out


@stages.register("sentiment", "lexicon")
def make_vader_sentiment(ctx: StageContext, arg: str | None) -> VaderSentiment:
    return VaderSentiment(ctx.shared("vader", vader))


@stages.register("sentiment", "model_dir")
def make_transformer_sentiment(ctx: StageContext, arg: str | None) -> TransformerSentiment:
    """`model_dir:PATH`, or the folder in `sentiment.model_dir`."""
    return TransformerSentiment(Path(arg or ctx.config.sentiment.model_dir))
