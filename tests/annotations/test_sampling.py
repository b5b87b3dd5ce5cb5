"""Choosing the next passages: uncertainty from a trained model's probabilities, coverage of
countries and sectors for `diverse`, and coded passages left out of active-learning batches."""

import shutil

import pandas as pd
import pytest

from stancemap.annotations.review import Item
from stancemap.annotations.review_project import export_review, import_review
from stancemap.annotations.sampling import coverage_of, sample_items
from stancemap.config import Config
from stancemap.errors import ReviewError
from stancemap.nlp.pipeline import code_project
from stancemap.nlp.training import train


def stance(pid: str, probabilities: dict[str, float]) -> Item:
    return Item(pid, "d", "stance", "china", f"text {pid}", None, [max(probabilities, key=probabilities.get)],
                None, "model:stance_tfidf@stance-tfidf-1", model_probabilities=probabilities)


def tagged(pid: str, dimension: str, value: str) -> Item:
    return Item(pid, "d", dimension, "", f"text {pid}", None, [value], 0.9, "model")


def test_uncertainty_is_the_margin_between_the_two_likeliest_classes():
    assert stance("p", {"favour": 0.5, "against": 0.3, "neutral": 0.2}).uncertainty() == pytest.approx(0.2)
    assert stance("p", {"favour": 1.0}).uncertainty() == 1.0
    lexicon = Item("p", "d", "stance", "china", "t", None, ["against"], -0.1, "model:stance_clause")
    assert lexicon.uncertainty() == pytest.approx(0.1)


def test_uncertain_puts_the_smallest_margin_first():
    items = [stance("sure", {"favour": 0.9, "against": 0.05, "neutral": 0.05}),
             stance("torn", {"favour": 0.41, "against": 0.4, "neutral": 0.19}),
             stance("leaning", {"favour": 0.6, "against": 0.3, "neutral": 0.1})]
    assert [i.passage_id for i in sample_items(items, 2, "uncertain", 0)] == ["torn", "leaning"]


def test_diverse_trades_some_uncertainty_for_countries_not_yet_covered():
    """Six Kazakh energy passages are the least certain; four from other countries are almost
    as uncertain. uncertain hands out only Kazakh ones; diverse starts with the least certain
    passage and then spreads over the other countries."""
    items, context = [], []
    for n in range(6):
        items.append(stance(f"kaz{n}", {"favour": 0.40 + n / 1000, "against": 0.40, "neutral": 0.2}))
        context += [tagged(f"kaz{n}", "country", "KAZ"), tagged(f"kaz{n}", "sector", "energy")]
    for n, country in enumerate(["TKM", "UZB", "KGZ", "TJK"]):
        items.append(stance(f"o{n}", {"favour": 0.45 + n / 100, "against": 0.40, "neutral": 0.15}))
        context += [tagged(f"o{n}", "country", country), tagged(f"o{n}", "sector", "transport")]
    coverage = coverage_of(context)

    def countries(chosen):
        return {c for item in chosen for c in coverage[item.passage_id] if c.startswith("country:")}

    uncertain = sample_items(items, 4, "uncertain", 0, context)
    diverse = sample_items(items, 4, "diverse", 0, context)
    assert countries(uncertain) == {"country:KAZ"}
    assert diverse[0].passage_id == "kaz0" and len(countries(diverse)) == 4
    assert sample_items(items, 4, "diverse", 0, context) == diverse  # deterministic
    assert len(sample_items(items, None, "diverse", 0, context)) == 10


def test_unknown_strategy_names_the_choices():
    with pytest.raises(ReviewError, match="use random, stratified, uncertain or diverse"):
        sample_items([stance("p", {"favour": 1.0})], 1, "smart", 0)


@pytest.mark.slow
def test_active_learning_batches_skip_coded_passages(labelled_project, coded_project, codebook, tmp_path):
    """A model trained on the labelled set codes the example corpus; uncertain and diverse
    batches carry its probabilities, and a passage coded in one batch is not handed out again."""
    model = train(labelled_project, "stance", codebook, seed=0)
    project = tmp_path / "p"
    shutil.copytree(coded_project, project)
    config = Config()
    config.coding.model_versions = [model.path]
    code_project(project, config, codebook)
    first = tmp_path / "first.csv"
    export_review(project, first, codebook, dims=["stance"], sample=3, strategy="uncertain")
    table = pd.read_csv(first, keep_default_na=False)
    assert set(table.model_source) == {f"model:stance_tfidf@{model.version}"}
    table["coder_value"] = table["model_value"]
    table.to_csv(first, index=False)
    import_review(project, first, codebook, annotator="aigerim")
    second = tmp_path / "second.csv"
    export_review(project, second, codebook, dims=["stance"], sample=50, strategy="diverse")
    again = pd.read_csv(second, keep_default_na=False)
    assert again.passage_id.nunique() > 0 and not set(again.passage_id) & set(table.passage_id)
    export_review(project, tmp_path / "all.csv", codebook, dims=["stance"], strategy="uncertain")
    rest = pd.read_csv(tmp_path / "all.csv", keep_default_na=False)
    rest.assign(coder_value=rest.model_value).to_csv(tmp_path / "all.csv", index=False)
    import_review(project, tmp_path / "all.csv", codebook, annotator="aigerim")
    assert set(again.passage_id) <= set(rest.passage_id) and not set(rest.passage_id) & set(table.passage_id)
    with pytest.raises(ReviewError, match="already been coded"):
        export_review(project, tmp_path / "none.csv", codebook, dims=["stance"], strategy="diverse")
