"""The project configuration: one TOML file, validated strictly, with one seed for everything."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stancemap.corpus.language import DEFAULT_LANGUAGES
from stancemap.errors import ConfigError, Errors

CONFIG_NAME = "stancemap.toml"


class IngestConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_file_mb: float = Field(100.0, gt=0, description="larger files are skipped")
    timeout_s: float = Field(120.0, gt=0, description="per-file time limit for reading")
    timeout_per_page_s: float = Field(1.0, ge=0, description="added to timeout_s per PDF page")
    near_duplicate_threshold: float = Field(0.8, gt=0, le=1,
                                            description="estimated Jaccard of word 5-grams")
    max_passage_chars: int = Field(3000, ge=200, description="longer paragraphs are cut at sentences")
    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES),
                                 description="ISO 639-1 codes the language detector chooses from")
    text_columns: list[str] = Field(default_factory=list,
                                    description="open-ended columns of survey tables; empty = detect")
    pdf_garbage_share: float = Field(0.3, gt=0, le=1,
                                     description="reject a PDF when this share of text is (cid:NN)")

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        from stancemap.corpus.iso639 import CODES

        for code in value:
            if code not in CODES:
                raise ValueError(Errors.E232.format(code=code))
        return value


class CodingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    batch_size: int = Field(256, ge=1, description="passages coded and written per transaction")
    spacy_batch_size: int = Field(64, ge=1, description="texts per spaCy nlp.pipe batch")
    processes: int = Field(1, ge=1, description="worker processes for coding")
    codebook: str = Field("", description="codebook YAML; empty = the default China-Central Asia one")
    trained_models: bool = Field(True, description="use the newest model `stancemap train` saved, per task")
    model_versions: list[str] = Field(default_factory=list,
                                      description="pin trained models: versions or model folders, e.g. "
                                      "[\"stance-tfidf-2\", \"../pilot/models/sector-transformer-1\"]")
    code_questions: bool = Field(False, description="also code interviewer/moderator turns for stance "
                                 "and sentiment")
    methods: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="methods for other dimensions (country, codebook dimensions): "
        "dimension -> {language -> method}, e.g. {country = {\"*\" = \"mentions\"}}")


class SectorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    embeddings: bool = Field(True, description="also use MiniLM similarity to sector descriptions")
    threshold: float = Field(0.3, ge=-1, le=1, description="cosine similarity that codes a sector")
    embedding_languages: list[str] = Field(default_factory=lambda: ["en"],
                                           description="languages the (English) encoder is used for")
    min_pattern_hits: int = Field(1, ge=1, description="distinct pattern matches that code a sector")
    methods: dict[str, str] = Field(default_factory=lambda: {"*": "dictionary"},
                                    description="language -> method; \"*\" = every other language")


class SentimentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_dir: str = Field("", description="local transformers classifier folder; empty = VADER")
    methods: dict[str, str] = Field(default_factory=lambda: {"*": "lexicon"},
                                    description="language -> method; \"*\" = every other language")


class StanceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    methods: dict[str, str] = Field(default_factory=lambda: {"*": "lexicon"},
                                    description="language -> method; \"*\" = every other language")


class TopicConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="fit an LDA topic model in `run`")
    num_topics: int = Field(0, ge=0, description="0 = choose by coherence over candidates")
    candidates: list[int] = Field(default_factory=lambda: [4, 6, 8, 10, 12],
                                  description="numbers of topics tried when num_topics = 0")
    coherence: str = Field("c_v", pattern="^(c_v|c_npmi)$", description="c_v or c_npmi")
    passes: int = Field(10, ge=1)
    iterations: int = Field(200, ge=10)
    seed_words: bool = Field(True, description="use sector patterns as eta priors")
    languages: list[str] = Field(default_factory=lambda: ["en"],
                                 description="passage languages the topic model is fitted on")
    no_below: int = Field(3, ge=1, description="drop terms in fewer passages")
    no_above: float = Field(0.5, gt=0, le=1, description="drop terms in a larger share of passages")
    min_share: float = Field(0.1, ge=0, le=1, description="topic shares below this are not stored")


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    coding: CodingConfig = Field(default_factory=CodingConfig)
    sectors: SectorConfig = Field(default_factory=SectorConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    stance: StanceConfig = Field(default_factory=StanceConfig)
    topics: TopicConfig = Field(default_factory=TopicConfig)


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(Errors.E007.format(path=path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(Errors.E225.format(path=path, reason=err.reason)) from None
    try:
        data = tomllib.loads(text)
        return Config.model_validate(data)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(Errors.E008.format(path=path, details=f"  {err}")) from err
    except ValidationError as err:
        details = "\n".join(f"  {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ConfigError(Errors.E008.format(path=path, details=details)) from err


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value) if isinstance(value, float) else str(value)


def to_toml(config: Config) -> str:
    """A commented config, written into new projects so users can see every knob."""
    lines = ["# stancemap project configuration", "# one seed for everything random",
             f"seed = {config.seed}"]
    for section, model in Config.model_fields.items():
        if section == "seed":
            continue
        values = getattr(config, section)
        lines += ["", f"[{section}]"]
        for name, field in type(values).model_fields.items():
            if field.description:
                lines.append(f"# {field.description}")
            lines.append(f"{name} = {_toml_value(getattr(values, name))}")
    return "\n".join(lines) + "\n"
