"""The default stance and sentiment models shipped in stancemap/nlp/models, scored on held-out
items of the public sets (never their training items): relative, not absolute, figures."""

from pathlib import Path

import numpy as np
import pytest

from stancemap.nlp.default_models import EmbeddingHead, ShippedModels, TextHead
from stancemap.nlp.default_stage import DefaultSentiment, DefaultStance
from stancemap.nlp.labelled import SENTIMENT_TO_STANCE, by_hash, item_queries, labelled_sets
from conftest import SHARED, needs_shared

LABELLED = SHARED / "testdata" / "labelled"
OWN = Path(__file__).parents[1] / "data" / "stance_labelled.csv"


def macro_f1(truth, predicted):
    from sklearn.metrics import f1_score

    return f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)


@pytest.fixture(scope="module")
def stage():
    return DefaultStance()


@pytest.fixture(scope="module")
def held_out():
    """(train, held-out) per language as the benchmark scores them: a fixed 600 of PerSenT's
    fixed_test, RuSentNE's 20 %."""
    sets = labelled_sets(LABELLED)
    return {"en": (sets["persent"][1], by_hash(sets["persent"][2], 600)),
            "ru": (sets["rusentne"][1], sets["rusentne"][2])}


def test_a_head_saves_and_loads_without_pickle(tmp_path):
    rng = np.random.default_rng(0)
    features = rng.normal(size=(60, 8))
    labels = ["negative" if f[0] < -0.3 else "positive" if f[0] > 0.3 else "neutral" for f in features]
    head = EmbeddingHead(seed=0).fit(features, labels)
    head.save(tmp_path / "h.npz", {"name": "h"})
    loaded, meta = EmbeddingHead.load(tmp_path / "h.npz")
    assert meta == {"name": "h"} and loaded.classes_ == head.classes_
    assert loaded.predict(features) == head.predict(features)


def test_a_tfidf_head_saves_and_loads_without_pickle(tmp_path):
    """Vocabularies and idf come back from plain arrays and give the fitted model's scores."""
    texts = ["Кредиты Китая стали тяжёлым бременем.", "Китай построил отличную дорогу.",
             "Министр прилетел в Пекин.", "Долги Китаю растут, это плохо.",
             "Новая дорога из Китая — большой успех.", "Делегация обсудила график встречи."] * 3
    labels = ["negative", "positive", "neutral"] * 6
    head = TextHead(C=1.0).fit(texts, labels)
    head.save(tmp_path / "t.npz", {"name": "t", "C": 1.0, "seed": 0})
    loaded, meta = TextHead.load(tmp_path / "t.npz")
    probe = ["Кредиты Китая — бремя.", "Отличная дорога!"]
    assert meta["name"] == "t" and loaded.classes_ == head.classes_
    assert np.allclose(loaded.predict_proba(probe), head.predict_proba(probe), atol=1e-3)


def test_a_tfidf_head_with_vader_scores_saves_and_loads(tmp_path):
    """The cheap English sentiment member reads VADER's scores beside the n-grams; its saved
    parts tell the loaded head to read them again."""
    texts = ["A wonderful, generous partner.", "A terrible, corrupt deal.", "The meeting is on Monday."] * 4
    labels = ["positive", "negative", "neutral"] * 4
    head = TextHead(C=1.0, vader=True).fit(texts, labels)
    head.save(tmp_path / "t.npz", {"name": "t", "parts": ["passage", "vader"]})
    loaded, _ = TextHead.load(tmp_path / "t.npz")
    probe = ["What a wonderful road.", "Awful, corrupt loans."]
    assert loaded.vader and head._matrix(probe).shape[1] == loaded._matrix(probe).shape[1]
    assert np.allclose(loaded.predict_proba(probe), head.predict_proba(probe), atol=1e-3)


def test_the_manifest_routes_every_language():
    models = ShippedModels()
    for task in ("stance", "sentiment"):
        for lang in ("en", "ru", "zh", "kk", None):
            assert models.model_for(task, lang) in models.manifest["models"]
    assert models.details(models.model_for("stance", "en"), "en")["out_of_language"] is False
    zh = models.details(models.model_for("stance", "zh"), "zh")
    assert zh["out_of_language"] and zh["cross_lingual"] and zh["method"] == "model:default"


@pytest.fixture(scope="module")
def own_held_out():
    """The 20 % of the project's stance set the English heads never learnt from."""
    from stancemap.nlp.labelled import located, split_by_group, stance_csv

    return split_by_group(located(stance_csv(OWN)))[1]


def english_scores(stage, items) -> tuple[float, float]:
    """(shipped default, lexicon) macro-F1 on items, the lexicon reading the target's clauses."""
    from stancemap.nlp.sentiment import vader
    from stancemap.nlp.stance import stance_label

    queries = item_queries(items, "stance")
    truth = [SENTIMENT_TO_STANCE[i.label] for i in items]
    shipped = [SENTIMENT_TO_STANCE[label] for label, _, _ in stage._predict(queries)]
    analyzer = vader()
    lexicon = [stance_label(analyzer.polarity_scores(q.context)["compound"]) for q in queries]
    return macro_f1(truth, shipped), macro_f1(truth, lexicon)


@needs_shared
@pytest.mark.slow
def test_shipped_default_beats_the_lexicon_in_english(stage, held_out, own_held_out):
    """Over the two English held-out sets (news paragraphs; opinions on China and its projects),
    and not clearly worse on either. On this fixed 600 of PerSenT the lexicon scores 0.336 and
    the shipped head 0.376; on the project's 57 held-out items 0.391 and 0.666
    (benchmarks/accuracy.py)."""
    news = english_scores(stage, held_out["en"][1])
    own = english_scores(stage, own_held_out)
    assert (news[0] + own[0]) / 2 >= (news[1] + own[1]) / 2 + 0.05
    assert news[0] >= news[1] - 0.05 and own[0] >= own[1] + 0.1


@needs_shared
@pytest.mark.slow
def test_shipped_default_beats_the_majority_class_in_russian(stage, held_out):
    from collections import Counter

    train, test = held_out["ru"][0], held_out["ru"][1][:120]
    truth = [i.label for i in test]
    majority = Counter(i.label for i in train).most_common(1)[0][0]
    shipped = [label for label, _, _ in stage._predict(item_queries(test, "stance"))]
    assert macro_f1(truth, shipped) > macro_f1(truth, [majority] * len(test)) + 0.1


@pytest.mark.slow
def test_russian_and_chinese_passages_that_name_a_target_get_flagged_stance_codes(stage, codebook):
    from stancemap.nlp.analysis import Analyser

    texts = ["China built a new railway to Kazakhstan, a great success for both countries.",
             "Китай построил новую железную дорогу в Казахстан, это большой успех.",
             "中国在哈萨克斯坦修建了新铁路。这对两国合作非常有利。",
             "The weather in Almaty was cold."]
    analyses = Analyser(codebook).analyse(texts, ["en", "ru", "zh", "en"])
    english, russian, chinese, none = stage.code_passages(texts, analyses)
    assert not none
    for codes, lang, outside in ((english, "en", False), (russian, "ru", False), (chinese, "zh", True)):
        assert [c.target for c in codes] == ["china"]
        details = codes[0].details
        assert details["lang"] == lang and details["out_of_language"] is outside
        assert details["method"] == "model:default" and details["model"].startswith("default-")
        assert codes[0].value in ("favour", "against", "neutral")
    assert chinese[0].details["cross_lingual"] and "cross_lingual" not in russian[0].details
    sentiment = DefaultSentiment().code_passages(texts, analyses)
    assert all(len(codes) == 1 for codes in sentiment)
    assert sentiment[2][0].details["out_of_language"] and not sentiment[1][0].details["out_of_language"]


def test_temperature_calibrates_without_changing_labels():
    from stancemap.nlp.default_models import expected_calibration_error, fit_temperature, with_temperature

    rng = np.random.default_rng(0)
    classes = ["negative", "neutral", "positive"]
    truth = rng.integers(0, 3, 600)
    # over-confident scores: right 60 % of the time, yet 0.95 sure
    predicted = np.where(rng.random(600) < 0.6, truth, (truth + 1) % 3)
    probabilities = np.full((600, 3), 0.025)
    probabilities[np.arange(600), predicted] = 0.95
    labels = [classes[k] for k in truth]
    temperature = fit_temperature(probabilities, labels, classes)
    calibrated = with_temperature(probabilities, temperature)
    assert temperature > 1
    assert (calibrated.argmax(axis=1) == probabilities.argmax(axis=1)).all()
    assert abs(calibrated.max(axis=1).mean() - 0.6) < 0.05
    assert expected_calibration_error(calibrated, labels, classes) < 0.05 < \
        expected_calibration_error(probabilities, labels, classes)


def test_shipped_models_apply_the_stored_temperature(tmp_path):
    import json

    from stancemap.nlp.default_models import Query, with_temperature

    texts = ["Кредиты Китая стали тяжёлым бременем.", "Китай построил отличную дорогу.",
             "Министр прилетел в Пекин."] * 4
    labels = ["negative", "positive", "neutral"] * 4
    TextHead(C=1.0).fit(texts, labels).save(tmp_path / "t.npz", {"name": "t"})
    spec = {"kind": "text", "path": "t.npz", "parts": ["passage"], "languages": ["ru"],
            "task": "stance", "classes": ["negative", "neutral", "positive"]}
    manifest = {"version": "test", "tasks": {"stance": {"*": "t"}}, "models": {"t": spec}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    queries = [Query("ru", "Китай", text, [], [(0, len(text))]) for text in texts[:3]]
    raw = ShippedModels(tmp_path).probabilities("t", queries, None)
    spec["temperature"] = 2.0
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    assert np.allclose(ShippedModels(tmp_path).probabilities("t", queries, None), with_temperature(raw, 2.0))
