"""The shipped default models as stages ("model:default" for stance and sentiment).

Stance: one code per codebook target a passage names, from the clauses that name the target.
Sentiment: one code per passage, a long one read in windows. Every code's details name the method, the model and
its version, the passage's language, the languages the model was trained on, and
`out_of_language` (with `cross_lingual`) when the passage's language is not one of them."""

from __future__ import annotations

import re

from stancemap.config import StanceConfig
from stancemap.errors import ConfigError, Errors
from stancemap.nlp.base import Batch, CodeOut, Stage
from stancemap.nlp.default_models import Query, ShippedModels
from stancemap.nlp.encoder import make_encoder
from stancemap.nlp.labelled import SENTIMENT_TO_STANCE
from stancemap.nlp.registry import StageContext, stages
from stancemap.nlp.stance import NEUTRAL
from stancemap.nlp.voice import Quote, find_voices


class DefaultStage(Stage):
    name = ""
    dimension = ""
    languages = None  # every language: outside the training languages codes are flagged
    codes_questions = False
    cascade = True  # a cascade codes what its cheap members are sure of (sentiment/stance.cascade)

    def __init__(self, models: ShippedModels | None = None, encoders: dict | None = None,
                 seed: int = 0, min_words: int = 0):
        self.models = models or ShippedModels()
        self.version = self.models.version
        self.seed = seed
        self.min_words = min_words
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
        found = {}
        for lang, name in sorted(routes.items()):
            if not self.cascade:
                name = self.models.without_cascade(name)
            spec = self.models.spec(name)
            found[lang] = {"model": name, "encoder": spec.get("encoder_version"),
                           "trained_languages": spec["languages"]}
            if spec["kind"] == "cascade":
                found[lang].update(members=spec["members"], thresholds=spec["thresholds"])
            if spec.get("encoder"):  # the implementation that served it (coding.encoders)
                found[lang]["served_by"] = self.encoder(spec["encoder"]).version
                if found[lang]["served_by"] != spec.get("encoder_version"):  # not the vectors it was fitted on
                    found[lang]["served_by_other_encoder"] = True
        return found

    def _predict(self, queries: list[Query], shared=None):
        """`shared(name, texts)`: the pipeline's once-per-passage embeddings when it has them."""
        return self.models.predict(self.dimension, queries, shared or self.embed, self.cascade)

    def abstained(self, analysis, reason: str, **extra) -> dict:
        """The details of a code the model did not make: the model that would have, and why."""
        return {**self.models.details(self.models.model_for(self.dimension, analysis.lang),
                                      analysis.lang), **extra, "abstained": True, "reason": reason}

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        """Passage embeddings come from the batch's features (one encoding per passage for
        every stage); only the target contexts that are not whole passages are encoded here.
        Passages of fewer than `min_words` words are not encoded: they get `code_short`."""
        import numpy as np

        counts = {i: words(batch.texts[i]) for i in indices}
        short = [i for i in indices if counts[i] < self.min_words]
        indices = [i for i in indices if counts[i] >= self.min_words]

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
        return dict(zip(indices, found)) | {i: self.code_short(batch.analyses[i], counts[i])
                                            for i in short}


_WORDS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+")


def words(text: str) -> int:
    """Words of a passage; in Chinese and Japanese, which do not space words, characters."""
    return len(_WORDS.findall(text))


def _polarity(scores: dict[str, float]) -> float:
    return round(scores.get("positive", 0.0) - scores.get("negative", 0.0), 4)


READING = "reading-3"  # windows, voices, abstention on calibrated scores: bump when reading changes
SENTIMENT_READING = "windows-1"  # long passages in windows: bump when how sentiment reads changes


def target_windows(length: int, spans: list[tuple[int, int]], sentences: list[tuple[int, int]],
                   limit: int) -> list[tuple[int, int]]:
    """Where a target's stance is read: the whole passage up to `limit` characters, else each
    sentence that names the target with one sentence either side (overlapping windows merged)."""
    if length <= limit:
        return [(0, length)]
    naming = sorted({i for i, (s, e) in enumerate(sentences) if any(s <= a < e for a, _ in spans)})
    found: list[tuple[int, int]] = []
    for i in naming:
        lo, hi = sentences[max(i - 1, 0)][0], sentences[min(i + 1, len(sentences) - 1)][1]
        if found and lo <= found[-1][1]:
            found[-1] = (found[-1][0], max(hi, found[-1][1]))
        else:
            found.append((lo, hi))
    return found or [(0, length)]


def passage_windows(length: int, sentences: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Where a passage's sentiment is read: the whole passage up to `limit` characters, else
    runs of whole sentences of at most `limit` characters (a longer sentence alone), which
    together hold every sentence."""
    if length <= limit or not sentences:
        return [(0, length)]
    found: list[tuple[int, int]] = []
    for start, end in sentences:
        if found and end - found[-1][0] <= limit:
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
    return found


def window_query(lang, name: str, text: str, spans, sentences, window: tuple[int, int]) -> Query:
    lo, hi = window
    return Query(lang, name, text[lo:hi], [(a - lo, b - lo) for a, b in spans if lo <= a < hi],
                 [(max(s, lo) - lo, min(e, hi) - lo) for s, e in sentences if s < hi and lo < e])


def decide(scores: dict[str, float], min_confidence: float) -> tuple[str, bool]:
    """The stance label from class probabilities, and whether it abstains: a favour or against
    whose lead over the opposite side (|score|) is below `min_confidence` — a near-tie such as
    0.40 positive / 0.36 negative, score 0.04 — is no side."""
    label = max(scores, key=lambda k: (scores[k], k))
    lead = abs(scores.get("positive", 0.0) - scores.get("negative", 0.0))
    if label != "neutral" and lead < min_confidence:
        return NEUTRAL, True
    return SENTIMENT_TO_STANCE[label], False


class DefaultStance(DefaultStage):
    """Stance per target and voice: the source's own words (quoted and distanced spans blanked)
    and each quote that names the target, read over target windows in long passages."""

    name = "stance-default"
    dimension = "stance"

    def __init__(self, models=None, encoders=None, seed: int = 0, settings: StanceConfig | None = None,
                 min_words: int = 0):
        super().__init__(models, encoders, seed, min_words)
        self.settings = settings or StanceConfig()
        self.cascade = self.settings.cascade
        self.version = f"{self.models.version}+{READING}"

    def _groups(self, text: str, analysis) -> tuple[str, list[tuple[str, Quote | None, list, bool]]]:
        """The source's own text (quoted and distanced spans blanked), and per target and voice:
        (target, quote or None for the own voice, hits, named only inside distanced terms)."""
        voices = find_voices(text, analysis.sentences, analysis.mentions)
        if self.settings.quoted == "include":
            voices.quotes = []
        found: dict[tuple, list] = {}
        for hit in analysis.targets:
            quote = voices.quote_at(hit.start)
            if quote is not None and self.settings.quoted == "ignore":
                continue
            sentence = next(((s, e) for s, e in analysis.sentences if s <= hit.start < e), None)
            distanced = quote is None and voices.is_distanced(hit.start, sentence)
            found.setdefault((hit.id, quote.start if quote else -1), []).append((hit, quote, distanced))
        groups = []
        for (target, _), rows in sorted(found.items()):
            hits = [h for h, _, distanced in rows if not distanced] or [h for h, _, _ in rows]
            groups.append((target, rows[0][1], hits, all(d for _, _, d in rows)))
        return (voices.own_text(text) if voices.quotes or voices.distanced else text), groups

    def code_passages(self, texts, analyses, shared=None) -> list[list[CodeOut]]:
        queries, owners = [], []
        out: list[list[CodeOut]] = [[] for _ in texts]
        for index, (text, analysis) in enumerate(zip(texts, analyses)):
            own, groups = self._groups(text, analysis)
            for target, quote, hits, distanced in groups:
                voice = {} if self.settings.quoted == "include" else {"voice": "own"}
                if quote is not None:
                    voice = {"voice": "quoted", "speaker": quote.speaker,
                             "speaker_country": quote.speaker_country, "reported": quote.reported}
                base = {**voice, "mentions": sorted({h.text for h in hits})}
                if distanced:  # named only inside a distanced term: a frame, not the target
                    if self.settings.abstain == "neutral":
                        out[index].append(CodeOut("stance", NEUTRAL, None, target=target,
                                                  details=self.abstained(analysis, "distanced", **base)))
                    continue
                spans = [(h.start, h.end) for h in hits]
                source = own if quote is None else text
                windows = ([(quote.start, quote.end)] if quote is not None else
                           target_windows(len(text), spans, analysis.sentences, self.settings.window_chars))
                for window in windows:
                    queries.append(window_query(analysis.lang, hits[0].text, source, spans,
                                                analysis.sentences, window))
                owners.append((index, target, base, windows, len(windows), len(text)))
        predicted = iter(self._predict(queries, shared))
        for index, target, base, windows, count, length in owners:
            found = [next(predicted) for _ in range(count)]
            classes = found[0][1]
            scores = {c: round(sum(f[1][c] for f in found) / count, 4) for c in classes}
            value, abstained = decide(scores, self.settings.min_confidence)
            if abstained and self.settings.abstain == "drop":
                continue
            details = {**found[0][2], "probabilities": scores, **base}
            if windows != [(0, length)]:
                details["windows"] = [list(w) for w in windows]
            if abstained:
                details.update(abstained=True, reason="low_confidence")
            out[index].append(CodeOut("stance", value, _polarity(scores), target=target,
                                      details=details))
        return out

    def code_short(self, analysis, count: int) -> list[CodeOut]:
        """Per target named: an abstention (or none, with `stance.abstain = "drop"`)."""
        if self.settings.abstain == "drop":
            return []
        named: dict[str, set[str]] = {}
        for hit in analysis.targets:
            named.setdefault(hit.id, set()).add(hit.text)
        voice = {} if self.settings.quoted == "include" else {"voice": "own"}
        return [CodeOut("stance", NEUTRAL, None, target=target, details=self.abstained(
                    analysis, "short", **voice, mentions=sorted(texts), words=count))
                for target, texts in sorted(named.items())]


class DefaultSentiment(DefaultStage):
    """Sentiment per passage; a long passage is read whole in windows of sentences (never cut
    to what the encoder reads first), their class probabilities averaged by window length."""

    name = "sentiment-default"
    dimension = "sentiment"

    def __init__(self, models=None, encoders=None, seed: int = 0, window_chars: int = 2000,
                 min_words: int = 0, cascade: bool = True):
        super().__init__(models, encoders, seed, min_words)
        self.window_chars = window_chars
        self.cascade = cascade
        self.version = f"{self.models.version}+{SENTIMENT_READING}"

    def code_passages(self, texts, analyses, shared=None) -> list[list[CodeOut]]:
        queries, owners = [], []
        for text, analysis in zip(texts, analyses):
            windows = passage_windows(len(text), analysis.sentences, self.window_chars)
            queries += [window_query(analysis.lang, "", text, [], analysis.sentences, w) for w in windows]
            owners.append(windows)
        predicted = iter(self._predict(queries, shared))
        out = []
        for windows in owners:
            found = [next(predicted) for _ in windows]
            label, scores, details = found[0]
            if len(found) > 1:
                weights = [end - start for start, end in windows]
                scores = {c: round(sum(w * f[1][c] for w, f in zip(weights, found)) / sum(weights), 4)
                          for c in scores}
                label = max(scores, key=lambda k: (scores[k], k))
                details = {**details, "windows": [list(w) for w in windows]}
                models = [f[2]["model"] for f in found]
                if len(set(models)) > 1:  # a cascade coded some windows with each member
                    details["window_models"] = models
            out.append([CodeOut("sentiment", label, _polarity(scores),
                                details={**details, "probabilities": scores})])
        return out

    def code_short(self, analysis, count: int) -> list[CodeOut]:
        """An abstention: neutral, no score, flagged."""
        return [CodeOut("sentiment", "neutral", None, details=self.abstained(analysis, "short", words=count))]


def _factory(stage: type[DefaultStage]):
    def make(ctx: StageContext, arg: str | None) -> DefaultStage:
        """`model:default`: the stance and sentiment models shipped inside stancemap."""
        if arg not in (None, "default"):
            raise ConfigError(Errors.E123.format(method=f"model:{arg}", dimension=stage.dimension))
        from stancemap.nlp.encoder import ENCODERS, shared_encoder

        encoders = {name: shared_encoder(ctx, name) for name in ENCODERS}
        models = ctx.shared("shipped-models", ShippedModels)
        if stage is DefaultStance:
            return stage(models, encoders, ctx.config.seed, ctx.config.stance, ctx.config.coding.min_words)
        return stage(models, encoders, ctx.config.seed, ctx.config.sentiment.window_chars,
                     ctx.config.coding.min_words, ctx.config.sentiment.cascade)
    return make


stages.register("stance", "model")(_factory(DefaultStance))
stages.register("sentiment", "model")(_factory(DefaultSentiment))
