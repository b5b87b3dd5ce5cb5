"""The project configuration: one TOML file, validated strictly, with one seed for everything."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stancemap.corpus.language import DEFAULT_LANGUAGES, PREFERRED_LANGUAGES
from stancemap.errors import ConfigError, Errors

CONFIG_NAME = "stancemap.toml"
# corpus documentation beside the inputs, and hidden files ('/'-rooted globs: folder root only);
# with a --pattern, root *.md files that do not match it are left out too
DEFAULT_EXCLUDE = ("/README*", "/LICENSE*", "/LICENCE*", ".*")


class IngestConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_file_mb: float = Field(100.0, gt=0, description="larger files are skipped")
    timeout_s: float = Field(120.0, gt=0, description="per-file time limit for reading")
    timeout_per_page_s: float = Field(1.0, ge=0, description="added to timeout_s per PDF page")
    max_rows: int = Field(200_000, gt=0, description="a table (CSV/XLSX sheet) or JSON Lines file "
                          "with more rows is skipped")
    near_duplicate_threshold: float = Field(0.8, gt=0, le=1,
                                            description="estimated Jaccard of word 5-grams")
    max_passage_chars: int = Field(3000, ge=200, description="longer paragraphs are cut at sentences")
    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES),
                                 description="ISO 639-1 codes the language detector chooses from")
    preferred_languages: list[str] = Field(
        default_factory=lambda: list(PREFERRED_LANGUAGES),
        description="the corpus's own languages: a short or unsure passage gets one of these")
    text_columns: list[str] = Field(default_factory=list,
                                    description="open-ended columns of survey tables; empty = detect")
    pdf_garbage_share: float = Field(0.3, gt=0, le=1,
                                     description="reject a PDF when this share of text is (cid:NN)")
    exclude: list[str] = Field(default_factory=lambda: list(DEFAULT_EXCLUDE),
                               description="globs of files that are not inputs: without '/' a name "
                               "at any depth, '/'-rooted from the folder root; .stancemapignore in "
                               "the folder adds more (one glob a line)")
    ocr: str = Field("auto", pattern="^(auto|off|force)$",
                     description="Tesseract OCR: auto = pages with no or garbage text layer and "
                     "image files; force = every page; off = never")
    ocr_languages: list[str] = Field(default_factory=list,
                                     description="Tesseract packs, e.g. [\"rus\", \"kaz\"]; empty = "
                                     "those of ingest.languages that are installed")
    ocr_min_confidence: float = Field(60.0, ge=0, le=100,
                                      description="OCR'd pages below this mean confidence are reported")

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
    processes: int = Field(0, ge=0, description="worker processes for coding (engine = local); 0 = "
                           "one per core of coding.threads, fewer when memory holds fewer (1.5 GB "
                           "each) or there are fewer batches of coding.batch_size passages to code")
    engine: str = Field("local", pattern="^(local|dask)$",
                        description="local = this machine (coding.processes); dask = file reading "
                        "and passage batches as Dask tasks, for ingest, code and run")
    scheduler: str = Field("", description="Dask scheduler address (tcp://host:8786); empty = start "
                           "a LocalCluster of coding.workers processes")
    workers: int = Field(2, ge=1, description="LocalCluster worker processes (engine = dask, no scheduler)")
    threads: int = Field(0, ge=0, description="CPU threads coding uses in all, divided evenly between "
                         "worker processes (coding.processes, or coding.workers on a LocalCluster); "
                         "in each, torch and the e5 engine take its share in turn (spaCy runs on "
                         "one). 0 = the cores this process may run on")
    encoders: dict[str, str] = Field(
        default_factory=dict,
        description="another implementation for an encoder a model names (the model card's: "
        "minilm-onnx for the English stance head and, when on, sector similarity; "
        "minilm-onnx-int8 for the English sentiment head), e.g. {minilm-onnx = \"minilm\"} (torch, "
        "the same vectors: for a machine without onnxruntime) or {minilm = \"minilm-onnx\"}; "
        "minilm-int8 and minilm-onnx-int8 move the vectors (int8), so the run manifest marks a "
        "head they serve but were not fitted on (served_by_other_encoder)")
    min_words: int = Field(3, ge=0, description="passages of fewer words (Chinese/Japanese: "
                           "characters) are not encoded: the shipped models' stance and sentiment "
                           "abstain on them (neutral, details.abstained, reason \"short\"); 0 = "
                           "encode every passage")
    codebook: str = Field("", description="codebook YAML; empty = the default China-Central Asia one")
    trained_models: bool = Field(True, description="use the newest model `stancemap train` saved, per task")
    model_versions: list[str] = Field(default_factory=list,
                                      description="pin trained models: versions or model folders, e.g. "
                                      "[\"stance-tfidf-2\", \"../pilot/models/sector-transformer-1\"]")
    out_of_language: bool = Field(True, description="keep, in exports and panels, model codes made in "
                                  "a language the model was not trained on (details.out_of_language); "
                                  "false leaves them out")
    code_questions: bool = Field(False, description="also code interviewer/moderator turns and "
                                 "transcript headers (role question, context) for stance and sentiment")
    methods: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="methods for other dimensions (country, codebook dimensions): "
        "dimension -> {language -> method}, e.g. {country = {\"*\" = \"mentions\"}}")


class SectorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    embeddings: bool = Field(False, description="also use MiniLM similarity to sector descriptions "
                             "(off: on the held-out hand-coded passages it added no recall and "
                             "cost precision, benchmarks/sectors.py)")
    threshold: float = Field(0.55, ge=-1, le=1, description="cosine similarity that codes a sector alone")
    confirm_threshold: float = Field(0.45, ge=-1, le=1,
                                     description="cosine similarity that lets a generic word code")
    embedding_languages: list[str] = Field(default_factory=lambda: ["en"],
                                           description="languages the (English) encoder is used for")
    min_pattern_hits: int = Field(1, ge=1, description="distinct pattern matches that code a sector")
    methods: dict[str, str] = Field(default_factory=lambda: {"*": "dictionary"},
                                    description="language -> method; \"*\" = every other language")


class SentimentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_dir: str = Field("", description="local transformers classifier folder; empty = VADER")
    methods: dict[str, str] = Field(default_factory=lambda: {"*": "model:default"},
                                    description="language -> method; \"*\" = every other language "
                                    "(model:default = the shipped models, flagged out_of_language "
                                    "outside English and Russian; lexicon = VADER, English only)")
    window_chars: int = Field(2000, ge=200,
                              description="model:default reads passages longer than this in "
                              "windows of whole sentences, averaged by their length")
    cascade: bool = Field(True, description="model:default in English: cheap models (TF-IDF + VADER, "
                          "then the static MiniLM) code the passages they are sure of and MiniLM "
                          "the rest (only those are encoded by it); false = MiniLM codes every passage")


class StanceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    methods: dict[str, str] = Field(default_factory=lambda: {"*": "model:default"},
                                    description="language -> method; \"*\" = every other language "
                                    "(model:default = the shipped models, flagged out_of_language "
                                    "outside English and Russian; lexicon = clause VADER, English only)")
    quoted: str = Field("separate", pattern="^(separate|include|ignore)$",
                        description="quoted and reported speech: separate = the source's stance "
                        "from its own words, each quoted voice a code of its own (details.voice = "
                        "quoted, with the speaker); include = read as the source's; ignore = dropped")
    min_confidence: float = Field(0.05, ge=0, le=1,
                                  description="the lead a model's favour or against needs over "
                                  "the opposite side (|P(positive) - P(negative)| of the shipped "
                                  "models' calibrated probabilities, the code's |score|); below it "
                                  "the code abstains (neutral with details.abstained, or no code); "
                                  "0 = never abstain. 0.05 abstains on 1-5 % of held-out codes "
                                  "(benchmarks/accuracy.py)")
    abstain: str = Field("neutral", pattern="^(neutral|drop)$",
                         description="what an abstaining stance becomes: a neutral code or none")
    window_chars: int = Field(2000, ge=200,
                              description="passages longer than this are read as target windows "
                              "(each sentence naming the target and one either side), averaged")
    cascade: bool = Field(True, description="model:default in English: the static MiniLM codes the "
                          "targets it is sure of and MiniLM the rest (only those clauses are encoded "
                          "by it); false = MiniLM codes every target")


class TopicConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="fit a topic model in `run`")
    method: str = Field("embedding", pattern="^(lda|embedding)$",
                        description="embedding = multilingual-e5 clusters shared across languages, "
                        "labelled by c-TF-IDF per language; lda = gensim LDA on words")
    num_topics: int = Field(0, ge=0, description="0 = choose over candidates (lda: by coherence; "
                            "embedding: by silhouette)")
    candidates: list[int] = Field(default_factory=lambda: [4, 6, 8, 10, 12],
                                  description="numbers of topics tried when num_topics = 0")
    coherence: str = Field("c_v", pattern="^(c_v|c_npmi)$", description="c_v or c_npmi")
    passes: int = Field(10, ge=1)
    iterations: int = Field(200, ge=10)
    seed_words: bool = Field(True, description="use sector patterns as eta priors")
    languages: list[str] = Field(default_factory=lambda: ["*"],
                                 description="passage languages the topic model is fitted on "
                                 "(\"*\" = every language)")
    no_below: int = Field(3, ge=1, description="drop terms in fewer passages")
    no_above: float = Field(0.5, gt=0, le=1, description="drop terms in a larger share of passages")
    min_share: float = Field(0.1, ge=0, le=1, description="topic shares below this are not stored")


class PanelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spread_regions: bool = Field(False, description="count a region mention (\"Central Asia\") in "
                                 "each member's about_country cell")
    include_self: bool = Field(False, description="count stances of a source toward its own "
                               "country (a Chinese source on China) in stance shares")
    include_questions: bool = Field(False, description="count interviewer/moderator turns and "
                                    "transcript headers (role question, context)")
    validation_sample: str = Field("", description="the validation sample the panels correct "
                                   "with; empty = the one drawn or grown last")
    quoted_voices: bool = Field(False, description="let a quoted voice's stance code (details.voice "
                                "= quoted) stand for a target the source's own voice does not "
                                "code, in the passage table and panels; default: own voice only")
    bylines: bool = Field(True, description="a document's author or byline naming an office and "
                          "the country it serves (\"The writer is the Chinese Ambassador to "
                          "Bangladesh\") sets its source country and stakeholder when its "
                          "metadata gives no country (source_from = byline); a given country wins")


class IndexConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicators: list[str] = Field(default_factory=list, description="panel columns the perception "
                                  "index combines (default: net stance toward each target and "
                                  "mean sentiment)")
    min_sources: int = Field(2, ge=1, description="cells with fewer distinct sources stay out of "
                             "the index (their score is empty)")
    components: int = Field(1, ge=1, description="principal components kept (index, index_2, …)")
    corrected: bool = Field(True, description="use a panel column's corrected estimate "
                            "(<column>_ppi) in place of the column when the panel has one")


class PrivacyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pseudonymise: bool = Field(False, description="pseudonymise every export and review file "
                               "(as --pseudonymise does)")
    fields: list[str] = Field(default_factory=lambda: [
        "respondent", "respondent_id", "respondent_name", "name", "interviewee", "participant",
        "email", "phone"], description="metadata fields whose values identify a person")


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    coding: CodingConfig = Field(default_factory=CodingConfig)
    sectors: SectorConfig = Field(default_factory=SectorConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    stance: StanceConfig = Field(default_factory=StanceConfig)
    topics: TopicConfig = Field(default_factory=TopicConfig)
    panel: PanelConfig = Field(default_factory=PanelConfig)
    index: IndexConfig = Field(default_factory=IndexConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    if path.is_dir():
        raise ConfigError(Errors.E409.format(path=path))
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
