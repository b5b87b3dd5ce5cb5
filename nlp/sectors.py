"""Which sectors a passage is about: codebook patterns (lemma-aware), plus similarity of the
passage to each sector's description with the sentence encoder."""

from __future__ import annotations

import numpy as np

from stancemap.annotations.codebook import Codebook
from stancemap.nlp.analysis import Analysis
from stancemap.nlp.base import Batch, CodeOut, Stage
from stancemap.nlp.encoder import SentenceEncoder, shared_encoder
from stancemap.nlp.registry import StageContext, stages


class SectorStage(Stage):
    """`embedding_languages`: the passages the encoder is asked about (it was trained on
    those languages); the others are coded from patterns alone."""

    name = "sectors"
    base_version = "1.1"
    dimension = "sector"

    def __init__(self, codebook: Codebook, encoder: SentenceEncoder | None = None,
                 threshold: float = 0.55, min_pattern_hits: int = 1,
                 embedding_languages: frozenset[str] = frozenset({"en"}),
                 confirm_threshold: float = 0.45, generic_alone: bool = False):
        self.codebook = codebook
        self.confirm_threshold = confirm_threshold
        self.generic_alone = generic_alone  # the old behaviour, kept for benchmarks/sectors.py
        self.encoder = encoder
        self.threshold = threshold
        self.min_pattern_hits = min_pattern_hits
        self.embedding_languages = embedding_languages
        self.sector_ids = list(codebook.sectors)
        self._descriptions = None

    @property
    def version(self) -> str:
        return f"{self.base_version}+{self.encoder.version}" if self.encoder else self.base_version

    def code(self, batch: Batch, indices: list[int]) -> dict[int, list[CodeOut]]:
        embed = [i for i in indices if batch.passages[i].lang in self.embedding_languages]
        similarity: dict[int, dict[str, float]] = {}
        if self.encoder is not None and embed:
            vectors = batch.features.embeddings(embed, self.encoder)
            similarity = dict(zip(embed, self.similarities_of(vectors)))
        return {i: self.code_passage(batch.analyses[i], similarity.get(i, {})) for i in indices}

    def similarities_of(self, vectors: np.ndarray) -> list[dict[str, float]]:
        """Cosine similarity of each vector to each sector description (label + description)."""
        if self._descriptions is None:
            self._descriptions = self.encoder.encode([
                f"{s.label}. {s.description}" for s in self.codebook.sectors.values()])
        scores = np.asarray(vectors) @ np.asarray(self._descriptions).T
        return [{sector: round(float(v), 4) for sector, v in zip(self.sector_ids, row)}
                for row in scores]

    def code_passage(self, analysis: Analysis, similarity: dict[str, float]) -> list[CodeOut]:
        """A specific pattern codes its sector; a generic word ("security", "energy") only with
        confirmation: a specific pattern of the sector, one of its `requires` words, or
        similarity at or above `confirm_threshold` (two generic words do not confirm each
        other: "peace, security and stability" is one phrase). Similarity alone codes from
        `threshold`."""
        hits: dict[str, set[str]] = {}
        generic: dict[str, set[str]] = {}
        for hit in analysis.sectors:
            (generic if hit.generic and not self.generic_alone else hits).setdefault(
                hit.id, set()).add(hit.text.lower())
        context: dict[str, set[str]] = {}
        for hit in analysis.context:
            context.setdefault(hit.id, set()).add(hit.text.lower())
        codes = []
        for sector in self.sector_ids:
            specific, general = sorted(hits.get(sector, ())), sorted(generic.get(sector, ()))
            sim = similarity.get(sector)
            by_similarity = sim is not None and sim >= self.threshold
            confirmed = (bool(specific) or bool(context.get(sector))
                         or (sim is not None and sim >= self.confirm_threshold))
            matched = specific + (general if confirmed else [])
            pattern_score = min(1.0, 0.5 + 0.25 * (len(matched) - 1)) if matched else 0.0
            by_patterns = len(matched) >= self.min_pattern_hits
            if by_patterns or by_similarity:
                details = {"patterns": matched, "similarity": sim,
                           "via": "+".join(v for v, on in (("patterns", by_patterns),
                                                            ("similarity", by_similarity)) if on)}
                if general:
                    details["generic"] = general
                if context.get(sector):
                    details["context"] = sorted(context[sector])
                codes.append(CodeOut("sector", sector, round(max(pattern_score, sim or 0.0), 4),
                                     details=details))
        return codes


@stages.register("sector", "dictionary")
def make_sector_stage(ctx: StageContext, arg: str | None) -> SectorStage:
    """Codebook patterns, plus MiniLM similarity when `sectors.embeddings` is on: MiniLM on ONNX
    Runtime fp32, the stance head's encoder (torch's vectors), so turning it on loads no other."""
    settings = ctx.config.sectors
    encoder = shared_encoder(ctx, "minilm-onnx") if settings.embeddings else None
    return SectorStage(ctx.codebook, encoder, settings.threshold, settings.min_pattern_hits,
                       frozenset(settings.embedding_languages), settings.confirm_threshold)
