"""One batch of passages in, mentions and codes out. A Coder holds the loaded models; the
pipeline keeps one per process.

Which stage codes which dimension, per language, comes from the config through the registry
(nlp/registry.py); the coder only routes passages to the stages chosen for their language."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# the built-in stages register themselves on import
import stancemap.nlp.countries  # noqa: F401
import stancemap.nlp.default_stage  # noqa: F401
import stancemap.nlp.sectors  # noqa: F401
import stancemap.nlp.sentiment  # noqa: F401
import stancemap.nlp.stance  # noqa: F401
import stancemap.nlp.trained  # noqa: F401
from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.corpus.document import NOT_OPINIONS
from stancemap.errors import ConfigError, Errors
from stancemap.nlp.analysis import Analyser
from stancemap.nlp.base import Batch, Features, PassageInput, Stage
from stancemap.nlp.encoder import E5Encoder, check_encoder_choices
from stancemap.nlp.registry import NO_METHOD, StageContext, stages
from stancemap.nlp.threads import limit_blas, thread_plan
from stancemap.nlp.vectors import text_key

ENTITY_STAGE_VERSION = "1.1"  # 1.1: sentences from spaCy's senter, not its parser
DEFAULT_METHODS = {"country": "mentions", "sector": "dictionary", "sentiment": "lexicon",
                   "stance": "lexicon"}
TRAINABLE = ("stance", "sentiment", "sector")  # dimensions `stancemap train` makes models for


@dataclass
class BatchResult:
    mentions: list[dict] = field(default_factory=list)
    codes: list[dict] = field(default_factory=list)
    tokens: int = 0
    passages: int = 0
    seconds: Counter = field(default_factory=Counter)  # per stage name, "entities" included
    vectors: dict[str, Any] = field(default_factory=dict)  # text SHA-1 -> e5 embedding, for topics


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)


def configured_methods(config: Config) -> dict[str, dict[str, str]]:
    """dimension -> {language or "*": method}, as the config says."""
    methods = {"country": {"*": DEFAULT_METHODS["country"]}, "sector": dict(config.sectors.methods),
               "sentiment": dict(config.sentiment.methods), "stance": dict(config.stance.methods)}
    if config.sentiment.model_dir:  # an explicitly configured transformer serves every language
        methods["sentiment"] = {"*": "model_dir"}
    for dimension, by_lang in config.coding.methods.items():
        methods[dimension] = dict(by_lang)
    return methods


class Coder:
    """`project`: where trained models live; with one for a task (and coding.trained_models on),
    it serves every language the config gives a built-in method for that dimension."""

    def __init__(self, codebook: Codebook, config: Config, project: Path | None = None):
        seed_everything(config.seed)
        check_encoder_choices(config.coding.encoders)
        self.threads = thread_plan(config)
        limit_blas(self.threads["threads_per_process"])
        self.codebook = codebook
        self.config = config
        self.analyser = Analyser(codebook, batch_size=config.coding.spacy_batch_size)
        self.methods = configured_methods(config)
        if project is not None and config.coding.trained_models:
            self._use_trained(Path(project))
        context = StageContext(codebook, config, Path(project) if project else None)
        made: dict[tuple[str, str], Stage] = {}
        self.routes: dict[str, dict[str, Stage | None]] = {}
        for dimension, by_lang in self.methods.items():
            if "*" not in by_lang:
                raise ConfigError(Errors.E281.format(dimension=dimension, lang=next(iter(by_lang), ""),
                                                     section=_section(dimension)))
            self.routes[dimension] = {}
            for lang, method in by_lang.items():
                if method == NO_METHOD:
                    self.routes[dimension][lang] = None
                    continue
                if (dimension, method) not in made:
                    made[(dimension, method)] = stages.make(dimension, method, context)
                self.routes[dimension][lang] = made[(dimension, method)]
        self.stages = list(made.values())

    def _use_trained(self, project: Path) -> None:
        from stancemap.nlp.training import model_folders, pinned_models

        pinned = set(pinned_models(project, self.config.coding.model_versions))  # typos refused
        for task in TRAINABLE:
            if task not in pinned and not model_folders(project, task):
                continue
            if task == "sentiment" and self.config.sentiment.model_dir:
                continue  # an explicitly configured transformer wins
            self.methods[task] = {lang: method if method == NO_METHOD or method.startswith("trained")
                                  else "trained" for lang, method in self.methods[task].items()}

    def stage_for(self, dimension: str, lang: str | None) -> Stage | None:
        routes = self.routes[dimension]
        stage = routes[lang] if lang in routes else routes["*"]
        return stage if stage is not None and stage.serves(lang) else None

    def stage_versions(self) -> dict[str, str]:
        versions = {"entities": ENTITY_STAGE_VERSION}
        versions.update({stage.name: stage.version for stage in self.stages})
        return versions

    def stage_details(self) -> dict[str, dict]:
        """What the manifest says of stages that choose a model or encoder per language."""
        return {s.name: s.describe() for s in self.stages if hasattr(s, "describe")}

    def signature(self) -> str:
        """Changes whenever re-coding could change a code: codebook, stage versions, settings."""
        payload = {"codebook": self.codebook.digest, "stages": self.stage_versions(),
                   "sectors": self.config.sectors.model_dump(exclude={"methods"}),
                   "sentiment": self.config.sentiment.model_dump(exclude={"methods", "window_chars", "cascade"}),
                   "seed": self.config.seed}
        chosen = {d: {lang: f"{s.name}@{s.version}" if s else NO_METHOD for lang, s in routes.items()}
                  for d, routes in self.routes.items()}
        if any(set(routes) != {"*"} or d not in DEFAULT_METHODS for d, routes in chosen.items()):
            payload["methods"] = chosen  # per-language routing, or a stage for another dimension
        if any(hasattr(s, "settings") for s in self.routes.get("stance", {}).values()):  # model:default
            payload["stance"] = self.config.stance.model_dump(exclude={"methods"})
        if any(hasattr(s, "window_chars") for s in self.routes.get("sentiment", {}).values()):
            payload["sentiment_windows"] = self.config.sentiment.window_chars  # model:default
            payload["sentiment_cascade"] = self.config.sentiment.cascade
        if self.config.coding.code_questions:
            payload["code_questions"] = True
        if any(hasattr(s, "min_words") for s in self.stages):  # model:default
            payload["min_words"] = self.config.coding.min_words  # short passages abstain
        if any(hasattr(s, "min_words") for s in self.stages) or self.config.sectors.embeddings:
            payload["encoders"] = self.config.coding.encoders  # which implementation encodes
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def code_batch(self, passages: list[PassageInput]) -> BatchResult:
        result = BatchResult(passages=len(passages))
        texts = [p.text for p in passages]
        started = time.perf_counter()
        analyses = self.analyser.analyse(texts, [p.lang for p in passages])
        result.seconds["entities"] += time.perf_counter() - started
        batch = Batch(passages, analyses, Features(texts))
        per_passage: list[list[tuple[Stage, object]]] = [[] for _ in passages]
        for dimension in self.routes:
            groups: dict[int, tuple[Stage, list[int]]] = {}
            for index, passage in enumerate(passages):
                stage = self.stage_for(dimension, passage.lang)
                if stage is None or (passage.role in NOT_OPINIONS and not stage.codes_questions
                                     and not self.config.coding.code_questions):
                    continue
                groups.setdefault(id(stage), (stage, []))[1].append(index)
            for stage, indices in groups.values():
                started = time.perf_counter()
                for index, outs in stage.code(batch, indices).items():
                    per_passage[index].extend((stage, out) for out in outs)
                result.seconds[stage.name] += time.perf_counter() - started
        result.vectors = {text_key(texts[i]): vector
                          for i, vector in batch.features.computed(E5Encoder().version).items()}
        for passage, analysis, coded in zip(passages, analyses, per_passage):
            result.tokens += analysis.tokens
            entity_source = f"model:entities@{ENTITY_STAGE_VERSION}+{analysis.analyser}"
            for mention in analysis.mentions:
                result.mentions.append({
                    "passage_id": passage.passage_id, "doc_id": passage.doc_id,
                    "start": passage.start + mention.start, "end": passage.start + mention.end,
                    "label": mention.label, "text": mention.text,
                    "canonical_id": mention.canonical_id, "country": mention.country,
                    "source": entity_source})
            for stage, out in coded:
                result.codes.append({
                    "passage_id": passage.passage_id, "doc_id": passage.doc_id,
                    "dimension": out.dimension, "target": out.target, "value": out.value,
                    "score": out.score, "source": f"model:{stage.name}@{stage.version}",
                    "details": out.details})
        return result


def _section(dimension: str) -> str:
    return {"sector": "sectors", "sentiment": "sentiment", "stance": "stance"}.get(
        dimension, f"coding.methods.{dimension}")


# worker-process plumbing: one Coder per process, built once
_WORKER: Coder | None = None


def _init_worker(codebook_json: str, config_json: str, project: str | None) -> None:
    global _WORKER
    _WORKER = Coder(Codebook.model_validate_json(codebook_json), Config.model_validate_json(config_json),
                    Path(project) if project else None)


def _work(passages: list[PassageInput]) -> BatchResult:
    assert _WORKER is not None
    return _WORKER.code_batch(passages)
