"""Stages plug in through the registry alone: a toy stage for a dimension of the codebook is
chosen by the config, codes passages, and its codes reach the export — no edit to the coder."""

import shutil

import pandas as pd
import pytest

from conftest import DATA
from stancemap.annotations.codebook import Dimension
from stancemap.config import Config
from stancemap.errors import ConfigError
from stancemap.nlp.base import CodeOut, Stage
from stancemap.nlp.coder import Coder
from stancemap.nlp.registry import stages


class CapacityStage(Stage):
    """Codes `constraint` where a passage speaks of capacity, `none_said` elsewhere."""

    name = "bottleneck_keywords"
    version = "0.1"
    dimension = "bottleneck"
    languages = frozenset({"en"})

    def code(self, batch, indices):
        return {i: [CodeOut("bottleneck", "constraint" if "capacity" in batch.texts[i].lower()
                            else "none_said", 1.0, details={"method": "keyword"})]
                for i in indices}


@stages.register("bottleneck", "keywords")
def make_capacity_stage(ctx, arg):
    return CapacityStage()


@pytest.fixture
def toy_codebook(codebook):
    dimension = Dimension(label="Bottleneck", values=["constraint", "none_said"], multi=False)
    return codebook.model_copy(update={"dimensions": {"bottleneck": dimension}})


def toy_config(**methods):
    return Config.model_validate({"sectors": {"embeddings": False}, "topics": {"enabled": False},
                                  "coding": {"methods": {"bottleneck": methods or {"*": "keywords"}}}})


def test_a_registered_stage_codes_its_dimension_and_reaches_the_export(tmp_path, toy_codebook):
    from stancemap.corpus.ingest import ingest
    from stancemap.datasets.export import export_project
    from stancemap.nlp.pipeline import code_project

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "policy_note.md", folder)
    project = tmp_path / "p"
    config = toy_config()
    ingest(folder, project, config=config)
    coder = Coder(toy_codebook, config)
    assert coder.stage_versions()["bottleneck_keywords"] == "0.1"
    code_project(project, config, toy_codebook, coder=coder)
    export_project(project, "passages", tmp_path / "p.csv", config=config, codebook=toy_codebook)
    table = pd.read_csv(tmp_path / "p.csv")
    capacity = table[table.text.str.contains("Capacity")]
    assert (capacity.code_bottleneck == "constraint").all() and len(capacity) == 1
    assert set(table.code_bottleneck) == {"constraint", "none_said"}
    assert (table.code_bottleneck_source == "model").all()


def test_languages_route_to_their_methods(toy_codebook):
    from stancemap.nlp.base import PassageInput

    coder = Coder(toy_codebook, toy_config(**{"*": "none", "en": "keywords"}))
    passages = [PassageInput("a", "d", 0, "Port capacity is short.", "en", {}, {}, "news", None),
                PassageInput("b", "d", 0, "Мощность порта мала.", "ru", {}, {}, "news", None)]
    codes = [c for c in coder.code_batch(passages).codes if c["dimension"] == "bottleneck"]
    assert [(c["passage_id"], c["value"], c["source"]) for c in codes] == [
        ("a", "constraint", "model:bottleneck_keywords@0.1")]


def test_question_turns_get_no_stance_or_sentiment(coder):
    from stancemap.nlp.base import PassageInput

    text = "Do you think Chinese investment in Kazakhstan is a wonderful success?"
    passages = [PassageInput("q", "d", 0, text, "en", {}, {}, "interview", None, role="question"),
                PassageInput("r", "d", 0, text, "en", {}, {}, "interview", None, role="respondent")]
    coded = {(c["passage_id"], c["dimension"]) for c in coder.code_batch(passages).codes}
    assert ("r", "stance") in coded and ("r", "sentiment") in coded
    assert not {("q", "stance"), ("q", "sentiment")} & coded
    assert ("q", "country") in coded  # what a question is about is still coded


def test_default_signature_is_unchanged_by_the_registry(codebook):
    """Projects coded before the registry with the lexicon everywhere keep the old payload's
    shape. Stage versions moved on their own since, and re-code by design: countries 2.0
    (regions no longer spread), sectors 1.1 (generic words need context), entities 1.1 (sentences
    from spaCy's senter); the default now codes
    non-English stance and sentiment with the shipped models."""
    import hashlib

    from stancemap.nlp.countries import CountryStage
    import json

    config = Config.model_validate({"sectors": {"embeddings": False},
                                    "stance": {"methods": {"*": "lexicon"}},
                                    "sentiment": {"methods": {"*": "lexicon"}}})
    coder = Coder(codebook, config)
    payload = {"codebook": codebook.digest,
               "stages": {"entities": "1.1", "countries": CountryStage.version, "sectors": "1.1",
                          "sentiment_vader": "1.1", "stance_clause": "1.0"},
               "sectors": {"embeddings": False, "threshold": 0.55, "confirm_threshold": 0.45,
                           "embedding_languages": ["en"], "min_pattern_hits": 1},
               "sentiment": {"model_dir": ""}, "seed": 0}
    assert coder.signature() == hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def test_unknown_method_names_the_known_ones(codebook):
    with pytest.raises(ConfigError, match="Unknown stance method 'lexikon'.*lexicon"):
        Coder(codebook, Config.model_validate({"stance": {"methods": {"*": "lexikon"}}}))
