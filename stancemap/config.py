"""The project configuration: one TOML file, validated strictly, with one seed for everything."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stancemap.corpus.language import DEFAULT_LANGUAGES
from stancemap.errors import ConfigError, Errors

CONFIG_NAME = "stancemap.toml"


class IngestConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_file_mb: float = Field(100.0, gt=0, description="larger files are skipped")
    timeout_s: float = Field(120.0, gt=0, description="per-file time limit for reading")
    near_duplicate_threshold: float = Field(0.8, gt=0, le=1,
                                            description="estimated Jaccard of word 5-grams")
    max_passage_chars: int = Field(3000, ge=200, description="longer paragraphs are cut at sentences")
    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES),
                                 description="ISO 639-1 codes the language detector chooses from")
    text_columns: list[str] = Field(default_factory=list,
                                    description="open-ended columns of survey tables; empty = detect")
    pdf_garbage_share: float = Field(0.3, gt=0, le=1,
                                     description="reject a PDF when this share of text is (cid:NN)")


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    ingest: IngestConfig = Field(default_factory=IngestConfig)


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(Errors.E007.format(path=path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Config.model_validate(data)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(Errors.E008.format(path=path, details=f"  {err}")) from err
    except ValidationError as err:
        details = "\n".join(f"  {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ConfigError(Errors.E008.format(path=path, details=details)) from err


def to_toml(config: Config) -> str:
    """A commented default config, written into new projects so users can see every knob."""
    lines = ["# stancemap project configuration", f"seed = {config.seed}", "", "[ingest]"]
    for name, field in IngestConfig.model_fields.items():
        value = getattr(config.ingest, name)
        if isinstance(value, list):
            rendered = "[" + ", ".join(f'"{v}"' for v in value) + "]"
        elif isinstance(value, float):
            rendered = repr(value)
        else:
            rendered = str(value)
        if field.description:
            lines.append(f"# {field.description}")
        lines.append(f"{name} = {rendered}")
    return "\n".join(lines) + "\n"
