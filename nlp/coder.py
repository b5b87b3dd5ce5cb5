"""One batch of passages in, mentions and codes out. A Coder holds the loaded models; the
pipeline keeps one per process."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.nlp.analysis import Analyser
from stancemap.nlp.base import CodeOut, PassageInput
from stancemap.nlp.countries import CountryStage
from stancemap.nlp.encoder import SentenceEncoder
from stancemap.nlp.sectors import SectorStage
from stancemap.nlp.sentiment import TransformerSentiment, VaderSentiment
from stancemap.nlp.stance import ClauseStance

ENTITY_STAGE_VERSION = "1.0"


@dataclass
class BatchResult:
    mentions: list[dict] = field(default_factory=list)
    codes: list[dict] = field(default_factory=list)
    tokens: int = 0
    passages: int = 0


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)


class Coder:
    """`project`: where trained models live; with one for a task (and coding.trained_models on),
    it replaces that task's default method."""

    def __init__(self, codebook: Codebook, config: Config, project: Path | None = None):
        seed_everything(config.seed)
        self.codebook = codebook
        self.config = config
        self.analyser = Analyser(codebook, batch_size=config.coding.spacy_batch_size)
        self.countries = CountryStage(codebook)
        encoder = SentenceEncoder(seed=config.seed) if config.sectors.embeddings else None
        self.sectors = SectorStage(codebook, encoder, config.sectors.threshold,
                                   config.sectors.min_pattern_hits)
        model_dir = config.sentiment.model_dir
        self.sentiment = TransformerSentiment(Path(model_dir)) if model_dir else VaderSentiment()
        self.stance = ClauseStance(getattr(self.sentiment, "analyzer", None))  # one VADER lexicon
        if project is not None and config.coding.trained_models:
            self._use_trained(Path(project), model_dir)

    def _use_trained(self, project: Path, transformer_configured: str) -> None:
        from stancemap.nlp.trained import TrainedSentiment, TrainedSectors, TrainedStance
        from stancemap.nlp.training import load_model, model_folders, pinned_models

        pinned = pinned_models(project, self.config.coding.model_versions)
        for task, stage in (("stance", TrainedStance), ("sentiment", TrainedSentiment),
                            ("sector", TrainedSectors)):
            if task == "sentiment" and transformer_configured:
                continue  # an explicitly configured transformer wins
            if task not in pinned and not model_folders(project, task):
                continue
            model, meta = load_model(project, task, pinned.get(task))
            trained = stage(model, meta, self.codebook)
            if task == "stance":
                self.stance = trained
            elif task == "sentiment":
                self.sentiment = trained
            else:
                self.sectors = trained

    def stage_versions(self) -> dict[str, str]:
        return {
            "entities": ENTITY_STAGE_VERSION,
            self.countries.name: self.countries.version,
            self.sectors.name: getattr(self.sectors, "source_version", self.sectors.version),
            self.sentiment.name: self.sentiment.version,
            self.stance.name: self.stance.version,
        }

    def signature(self) -> str:
        """Changes whenever re-coding could change a code: codebook, stage versions, settings."""
        payload = {"codebook": self.codebook.digest, "stages": self.stage_versions(),
                   "sectors": self.config.sectors.model_dump(),
                   "sentiment": self.config.sentiment.model_dump(), "seed": self.config.seed}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def code_batch(self, passages: list[PassageInput]) -> BatchResult:
        texts = [p.text for p in passages]
        langs = [p.lang for p in passages]
        analyses = self.analyser.analyse(texts, langs)
        embed_langs = set(self.config.sectors.embedding_languages)
        wanted = [i for i, lang in enumerate(langs) if lang in embed_langs]
        similarities: list[dict] = [{} for _ in passages]
        if isinstance(self.sectors, SectorStage):
            for index, found in zip(wanted, self.sectors.similarities([texts[i] for i in wanted])):
                similarities[index] = found
        sentiments = self.sentiment.code_batch(texts, langs, [a.sentences for a in analyses])
        sectors = self.sectors.code_batch(texts, analyses, similarities)
        versions = self.stage_versions()
        result = BatchResult(passages=len(passages))
        for passage, analysis, sector_codes, sentiment in zip(passages, analyses, sectors, sentiments):
            result.tokens += analysis.tokens
            entity_source = f"model:entities@{ENTITY_STAGE_VERSION}+{analysis.analyser}"
            for mention in analysis.mentions:
                result.mentions.append({
                    "passage_id": passage.passage_id, "doc_id": passage.doc_id,
                    "start": passage.start + mention.start, "end": passage.start + mention.end,
                    "label": mention.label, "text": mention.text,
                    "canonical_id": mention.canonical_id, "country": mention.country,
                    "source": entity_source})
            staged: list[tuple[str, list[CodeOut]]] = [
                (self.countries.name, self.countries.code(passage, analysis)),
                (self.sectors.name, sector_codes),
                (self.sentiment.name, sentiment),
                (self.stance.name, self.stance.code(passage.text, analysis)),
            ]
            for stage, outs in staged:
                for out in outs:
                    result.codes.append({
                        "passage_id": passage.passage_id, "doc_id": passage.doc_id,
                        "dimension": out.dimension, "target": out.target, "value": out.value,
                        "score": out.score, "source": f"model:{stage}@{versions[stage]}",
                        "details": out.details})
        return result


# worker-process plumbing: one Coder per process, built once
_WORKER: Coder | None = None


def _init_worker(codebook_json: str, config_json: str, project: str | None) -> None:
    global _WORKER
    _WORKER = Coder(Codebook.model_validate_json(codebook_json), Config.model_validate_json(config_json),
                    Path(project) if project else None)


def _work(passages: list[PassageInput]) -> BatchResult:
    assert _WORKER is not None
    return _WORKER.code_batch(passages)
