"""Training on coders' labels. tests/data/stance_labelled.csv holds 300 hand-written passages
(five targets, 100 per stance, with irony, reported speech and sentiment that differs from
stance). Both trained models must beat the default method under cross-validation, be
reproducible with a seed, and load by version in another project."""

import shutil

import pytest

from stancemap.annotations.importer import import_decisions
from stancemap.annotations.review import Decision
from stancemap.config import Config
from stancemap.corpus.store import Store
from stancemap.errors import TrainingError
from stancemap.nlp.pipeline import code_project
from stancemap.nlp.training import (cross_validate, load_model, model_input, train,
                                    training_examples)

PROBES = [("chinese_loans", "The debt to Chinese banks swallows our budget."),
          ("bri", "The Belt and Road brought a new railway to Osh."),
          ("china", "The minister flew to Beijing for talks on Monday.")]


def test_examples_come_from_human_codes(labelled_project, codebook):
    examples = training_examples(Store(labelled_project), codebook, "stance")
    assert len(examples) == 300
    assert {e.label for e in examples} == {"favour", "against", "neutral"}
    assert all(e.default in ("favour", "against", "neutral", None) for e in examples)
    assert {e.weight for e in examples} == {1.0}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tfidf_model_beats_the_default_method(labelled_project, codebook, seed):
    examples = training_examples(Store(labelled_project), codebook, "stance")
    scores = cross_validate(examples, "stance", codebook, seed=seed, folds=5)
    assert scores["trained"]["macro_f1"] > scores["default"]["macro_f1"] + 0.03
    assert set(scores["trained"]["per_class"]) == {"favour", "against", "neutral"}
    assert len(scores["trained"]["confusion_matrix"]) == 3
    assert sum(map(sum, scores["trained"]["confusion_matrix"])) == 300


def test_a_rare_none_is_left_out_with_a_note(labelled_project, codebook):
    from dataclasses import replace

    examples = training_examples(Store(labelled_project), codebook, "stance")
    examples = [replace(e, label="none") if n < 3 else e for n, e in enumerate(examples)]
    scores = cross_validate(examples, "stance", codebook, folds=5)
    assert scores["examples"] == 297 and "none" not in scores["trained"]["per_class"]
    assert scores["notes"] == ["3 item(s) coded 'none' left out: 'none' is learnt from 5 on (2 more needed)"]
    examples = [replace(e, label="none") if n < 6 else e for n, e in enumerate(examples)]
    assert "none" in cross_validate(examples, "stance", codebook, folds=5)["trained"]["per_class"]




def test_rejecting_the_model_without_a_replacement_teaches_none(coded_project, codebook, tmp_path):
    """Coders who reject the model's stance and pick none say no stance is taken; two who
    agree weigh more than one."""
    import sqlalchemy as sa

    from stancemap.corpus.store import codes

    project = tmp_path / "p"
    shutil.copytree(coded_project, project)
    store = Store(project)
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(codes.c.passage_id, codes.c.target, codes.c.value).where(
            codes.c.dimension == "stance", codes.c.status == "predicted")).first()
    decisions = [Decision("row 1", found.passage_id, "stance", found.target, ["none"], None, None, "a"),
                 Decision("row 1", found.passage_id, "stance", found.target, ["none"], None, None, "b")]
    for decision in decisions:
        import_decisions(project, [decision], codebook, path="none.csv")
    examples = training_examples(store, codebook, "stance")
    mine = [e for e in examples if (e.passage_id, e.target) == (found.passage_id, found.target)]
    assert [(e.label, e.default, e.weight) for e in mine] == [("none", found.value, 1.5)]


def test_same_seed_same_model(labelled_project, codebook, tmp_path):
    first = train(labelled_project, "stance", codebook, seed=3)
    second = train(labelled_project, "stance", codebook, seed=3)
    assert first.version != second.version and first.metrics == second.metrics
    model_a, meta_a = load_model(labelled_project, "stance", first.version)
    model_b, meta_b = load_model(labelled_project, "stance", second.version)
    texts = [model_input(target, text, codebook) for target, text in PROBES]
    assert model_a.predict(texts) == model_b.predict(texts)
    assert meta_a["training_set_sha256"] == meta_b["training_set_sha256"]
    newest, meta = load_model(labelled_project, "stance")
    assert meta["version"] == second.version
    # pinned by version from another project: copy the model folder and load it there
    other = tmp_path / "other"
    shutil.copytree(labelled_project / "models" / first.version, other / "models" / first.version)
    moved, _ = load_model(other, "stance", first.version)
    assert moved.predict(texts) == model_a.predict(texts)


def test_no_human_codes_says_so_and_how_to_get_some(coded_project, codebook):
    with pytest.raises(TrainingError, match="No human codes for stance yet") as found:
        train(coded_project, "stance", codebook)
    assert "only one class" not in str(found.value) and "import-labels" in str(found.value)


def test_train_and_evaluate_commands(labelled_project):
    import json

    from conftest import invoke

    trained = invoke("train", "--project", labelled_project, "--task", "stance")
    assert trained.exit_code == 0 and "saved stance-tfidf-" in " ".join(trained.output.split())
    quiet = invoke("train", "--project", labelled_project, "--task", "stance", "--quiet")
    assert quiet.exit_code == 0 and "saved" not in quiet.output  # --quiet: no messages
    result = invoke("evaluate", "--project", labelled_project, "--task", "stance", "--json")
    assert result.exit_code == 0
    scores = json.loads(result.stdout)
    assert scores["examples"] == 300 and scores["trained"]["macro_f1"] > scores["default"]["macro_f1"]
    _, meta = load_model(labelled_project, "stance", scores["stored_with"])
    assert meta["evaluations"][-1]["trained"] == scores["trained"]
    bad = invoke("train", "--project", labelled_project, "--task", "topics")
    assert bad.exit_code == 2 and "Unknown --task 'topics'" in bad.output
    bad = invoke("train", "--project", labelled_project, "--task", "stance", "--model", "bert")
    assert bad.exit_code == 2 and "Unknown --model 'bert'" in bad.output


def test_code_uses_the_newest_trained_model_and_can_pin_one(labelled_project, codebook, tmp_path):
    import sqlalchemy as sa

    from stancemap.corpus.store import codes
    from stancemap.nlp.coder import Coder

    # on a copy: recoding with a trained model would change the lexicon codes that the other
    # tests of this module take as the default method to beat
    shutil.copytree(labelled_project, tmp_path / "p")
    labelled_project = tmp_path / "p"
    store = Store(labelled_project)

    def human_rows():
        with store.engine.connect() as conn:
            return conn.execute(sa.select(codes.c.passage_id, codes.c.target, codes.c.value,
                                          codes.c.status).where(codes.c.source == "human:gold")).all()

    before = sorted(human_rows())
    first = train(labelled_project, "stance", codebook, seed=1)
    newest = train(labelled_project, "stance", codebook, seed=2)
    report = code_project(labelled_project, Config(), codebook)  # a new model changes the signature
    assert report.documents == 1
    with store.engine.connect() as conn:
        sources = {r[0] for r in conn.execute(sa.select(codes.c.source).where(
            codes.c.dimension == "stance", codes.c.status == "predicted"))}
    assert sources == {f"model:stance_tfidf@{newest.version}"}
    assert sorted(human_rows()) == before  # never touched
    pinned = Config()
    pinned.coding.model_versions = [first.version]
    assert Coder(codebook, pinned, labelled_project).stage_versions()["stance_tfidf"] == first.version
    untrained = Config()
    untrained.coding.trained_models = False
    assert "stance-default" in Coder(codebook, untrained, labelled_project).stage_versions()


@pytest.fixture(scope="module")
def transformer_model(labelled_project, codebook):
    """The transformer fitted on four fifths of the labelled set and scored on the rest."""
    return train(labelled_project, "stance", codebook, model="transformer", seed=5, folds=None)


@pytest.mark.slow
def test_transformer_model_beats_the_default_method(transformer_model):
    """Scored on the stratified fifth it never saw (60 passages, 20 per stance), by the model
    that is saved. 5-fold CV puts it 0.27 above the lexicon (README); 0.1 leaves room for the
    sampling error of 60 items (about 0.08 on the paired difference) without accepting a model
    that learnt nothing. A k-fold run here took longer than all the other training tests
    together."""
    metrics = transformer_model.metrics
    assert metrics["trained"]["macro_f1"] > metrics["default"]["macro_f1"] + 0.1
    assert metrics["validation"] == "hold-out 20%" and metrics["examples"] == 60
    assert set(metrics["trained"]["per_class"]) == {"favour", "against", "neutral"}


@pytest.mark.slow
def test_transformer_same_seed_same_model(tmp_path, codebook):
    """Two fits with one seed give the same scores, weights and probabilities. Determinism does
    not depend on the set's size, so 20 labelled passages per stance (a fifth of the set: the
    same six epochs over 48 passages, scored on 12) prove it at a fifth of the cost."""
    import numpy as np

    from conftest import labelled_stance_project

    project = labelled_stance_project(tmp_path, codebook, per_stance=20)
    first, second = [train(project, "stance", codebook, model="transformer", seed=5, folds=None)
                     for _ in range(2)]
    assert first.metrics == second.metrics and first.metrics["validation"] == "hold-out 20%"
    assert first.metrics["examples"] == 12
    model_a, meta_a = load_model(project, "stance", first.version)
    model_b, _ = load_model(project, "stance", second.version)
    assert model_a.hyperparameters()["epochs"] == 6
    texts = [model_input(target, text, codebook) for target, text in PROBES]
    assert model_a.predict(texts) == model_b.predict(texts)
    assert np.array_equal(model_a.predict_proba(texts), model_b.predict_proba(texts))
    folder = project / "models" / first.version
    assert (folder / "model.safetensors").exists()
    assert not [p for p in folder.iterdir() if p.suffix in (".bin", ".pt", ".pkl", ".skops")]
    assert meta_a["model"] == "transformer" and meta_a["versions"]["torch"].startswith("2.")


@pytest.mark.slow
def test_transformer_pinned_in_another_project(labelled_project, coded_project, codebook,
                                               transformer_model, tmp_path):
    """Pinned by its folder, a model trained in the labelled project codes the example corpus;
    every stance code names it, and its labels are the model's own predictions."""
    import sqlalchemy as sa

    from stancemap.corpus.store import codes

    first = transformer_model
    project = tmp_path / "other"
    shutil.copytree(coded_project, project)
    config = Config()
    config.coding.model_versions = [str(labelled_project / "models" / first.version)]
    code_project(project, config, codebook)
    store = Store(project)
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(codes.c.passage_id, codes.c.target, codes.c.value,
                                       codes.c.source).where(codes.c.dimension == "stance",
                                                             codes.c.status == "predicted")).all()
    assert found and {row.source for row in found} == {f"model:stance_transformer@{first.version}"}
    model, _ = load_model(labelled_project, "stance", first.version)
    texts = store.passage_texts({row.passage_id for row in found})
    predicted = model.predict([model_input(row.target, texts[row.passage_id], codebook) for row in found])
    assert predicted == [row.value for row in found]


def test_sector_and_sentiment_models_train_and_code(coded_project, codebook, tmp_path):
    """A coder who accepts the example corpus's sentiment codes and its sector codes (but for
    sectors too rare to learn, which she rejects): both tasks train (sectors multi-label, with
    sample weights), and `code` then uses them."""
    import pandas as pd
    import sqlalchemy as sa

    from stancemap.annotations.review_project import export_review, import_review
    from stancemap.corpus.store import codes

    project = tmp_path / "p"
    shutil.copytree(coded_project, project)
    review = tmp_path / "all.csv"
    export_review(project, review, codebook, dims=["sentiment", "sector"])
    table = pd.read_csv(review, keep_default_na=False)
    sectors = table[table.dimension == "sector"].model_value.str.split(";").explode()
    common = set(sectors.value_counts()[lambda n: n >= 5].index) - {""}

    def decided(row):
        if row.dimension != "sector":
            return row.model_value or "none"
        kept = [v for v in row.model_value.split(";") if v in common]
        return ";".join(kept) or "none"

    table.assign(coder_value=table.apply(decided, axis=1)).to_csv(review, index=False)
    import_review(project, review, codebook, annotator="a")
    sector = train(project, "sector", codebook, folds=3)
    sentiment = train(project, "sentiment", codebook, folds=3)
    assert len(sector.metrics["trained"]["labels"]) > 1
    assert sector.metrics["trained"]["confusion_matrix"] is None  # multi-label: per-sector scores
    code_project(project, Config(), codebook)
    with Store(project).engine.connect() as conn:
        sources = set(conn.execute(sa.select(codes.c.source).where(codes.c.status == "predicted")).scalars())
    assert {f"model:sectors_tfidf@{sector.version}", f"model:sentiment_tfidf@{sentiment.version}"} <= sources


def test_a_model_trained_on_english_flags_russian_passages(labelled_project, codebook, tmp_path):
    from stancemap.nlp.analysis import Analyser
    from stancemap.nlp.trained import TrainedStance

    project = tmp_path / "copy"
    shutil.copytree(labelled_project, project)
    report = train(project, "stance", codebook, folds=None)
    model, meta = load_model(project, "stance", report.version)
    assert "en" in meta["languages"] and "ru" not in meta["languages"]
    assert "en" in report.metrics["by_language"]
    stage = TrainedStance(model, meta, codebook)
    texts = ["Китай построил новую железную дорогу в Казахстане.",
             "China built a new railway in Kazakhstan."]
    analyses = Analyser(codebook).analyse(texts, ["ru", "en"])
    russian, english = (stage.code_passage(t, a) for t, a in zip(texts, analyses))
    assert russian and all(c.details["out_of_language"] and c.details["lang"] == "ru" for c in russian)
    assert english and not any(c.details["out_of_language"] for c in english)
    assert all(c.details["trained_languages"] == meta["languages"] for c in russian + english)
