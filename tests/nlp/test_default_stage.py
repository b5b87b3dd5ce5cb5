"""How the default stance and sentiment stages read a passage, with the shipped models: target
windows in long records, who is speaking, abstention, and sentiment over the whole passage."""

from pathlib import Path

import pytest

from stancemap.config import StanceConfig
from stancemap.nlp.default_stage import decide, passage_windows, target_windows

LONG = (Path(__file__).parents[1] / "data" / "ungdc_long_record.txt").read_text(encoding="utf-8")
LAST = ("Chinese loans have left Kyrgyzstan with an unpayable debt, secret terms and ruined "
        "roads, and they are a disaster for our people.")


def stance(codes, target, voice="own"):
    return [c for c in codes.get("stance", []) if c["target"] == target
            and c["details"].get("voice") == voice]


def test_a_target_named_only_in_the_last_paragraph_of_a_long_record_is_read_there(code_texts):
    text = LONG + "\n\n" + LAST
    assert len(text) > 20_000
    (codes, _), = code_texts([text])
    (code,) = stance(codes, "chinese_loans")
    assert code["value"] == "against"
    ((start, end),) = code["details"]["windows"]
    assert start > 20_000 and text[start:end].endswith("our people.")


def test_windows_take_a_sentence_either_side_and_merge():
    sentences = [(0, 10), (11, 20), (21, 30), (31, 40), (41, 50), (51, 60)]
    assert target_windows(60, [(12, 14)], sentences, limit=100) == [(0, 60)]
    assert target_windows(60, [(12, 14), (32, 34), (55, 57)], sentences, limit=30) == [(0, 60)]
    assert target_windows(60, [(2, 4), (55, 57)], sentences, limit=30) == [(0, 20), (41, 60)]


def test_a_rebuttal_in_scare_quotes_is_not_coded_against(code_texts):
    found = code_texts(["'China trap' is sheer fabrication.",
                        "China's so-called 'debt trap' is a myth spread by its rivals."])
    for codes, _ in found:
        assert all(c["value"] != "against" for c in stance(codes, "china")), codes["stance"]
    (distanced,) = stance(found[0][0], "china")
    assert distanced["details"]["abstained"] and distanced["details"]["reason"] == "distanced"


def test_a_quoted_favourable_statement_in_a_critical_article_is_a_voice_of_its_own(code_texts):
    text = ("Chinese loans have left Kyrgyzstan with unpayable debt and ruined roads. "
            '"Chinese loans are a great blessing that brings prosperity to our friends," '
            "Ambassador Du Dewen said. The debt keeps growing and the terms stay secret.")
    (codes, _), = code_texts([text])
    (quoted,) = stance(codes, "chinese_loans", "quoted")
    assert quoted["value"] == "favour" and "Du Dewen" in quoted["details"]["speaker"]
    (own,) = stance(codes, "chinese_loans")
    assert own["value"] != "favour"


def test_a_near_zero_score_abstains():
    assert decide({"negative": 0.36, "neutral": 0.24, "positive": 0.40}, 0.05) == ("neutral", True)
    assert decide({"negative": 0.36, "neutral": 0.24, "positive": 0.40}, 0.0) == ("favour", False)
    assert decide({"negative": 0.1, "neutral": 0.2, "positive": 0.7}, 0.05) == ("favour", False)
    assert decide({"negative": 0.1, "neutral": 0.5, "positive": 0.4}, 0.05) == ("neutral", False)


def test_a_russian_quote_in_guillemets_is_the_ambassadors_voice(code_texts):
    text = ("Кредиты Китая загнали Киргизию в долговую яму. «Китайские кредиты — большое благо для "
            "наших друзей», — заявил посол Ду Дэвэнь. Долг растёт, а условия остаются тайной.")
    (codes, _), = code_texts([text], langs=["ru"])
    (quoted,) = stance(codes, "chinese_loans", "quoted")
    assert quoted["value"] == "favour" and quoted["details"]["speaker"] == "Ду Дэвэнь"
    assert all(c["value"] != "favour" for c in stance(codes, "china"))


def test_sentiment_windows_hold_every_sentence_once():
    sentences = [(0, 10), (11, 20), (21, 30), (31, 75), (76, 80)]
    assert passage_windows(80, sentences, limit=100) == [(0, 80)]
    assert passage_windows(80, sentences, limit=30) == [(0, 30), (31, 75), (76, 80)]


@pytest.mark.slow
def test_sentiment_of_a_long_record_reads_all_of_it(code_texts):
    """Not the first few hundred tokens: every window, averaged by its length."""
    text = LONG + "\n\n" + LAST
    (codes, _), = code_texts([text])
    (code,) = codes["sentiment"]
    windows = code["details"]["windows"]
    assert len(windows) > 10 and windows[0][0] == 0 and text[slice(*windows[-1])].endswith("our people.")
    alone = code_texts([text[start:end] for start, end in windows])
    weights = [end - start for start, end in windows]
    for label, probability in code["details"]["probabilities"].items():
        mean = sum(w * c["sentiment"][0]["details"]["probabilities"][label]
                   for w, (c, _) in zip(weights, alone)) / sum(weights)
        assert probability == pytest.approx(mean, abs=1e-3)
    assert code["value"] == max(code["details"]["probabilities"], key=code["details"]["probabilities"].get)


class CountingEncoder:
    """A real encoder that notes every text it is asked to encode."""

    def __init__(self, encoder):
        self.encoder, self.texts = encoder, []
        self.version = encoder.version

    def encode(self, texts):
        self.texts.extend(texts)
        return self.encoder.encode(texts)


def coded_by(stage_class, coder, texts, langs=None, models=None, **settings):
    """The stage's codes and, per encoder, the texts it encoded (only the encoders that did)."""
    from stancemap.nlp.base import Batch, Features, PassageInput
    from stancemap.nlp.encoder import ENCODERS

    real = coder.routes["stance"]["*"]
    counting = {name: CountingEncoder(real.encoder(name)) for name in ENCODERS}
    stage = stage_class(models or real.models, counting, min_words=3, **settings)
    langs = langs or ["en"] * len(texts)
    passages = [PassageInput(f"p{i}", "d", 0, t, lang, {}, {}, "other", None)
                for i, (t, lang) in enumerate(zip(texts, langs))]
    batch = Batch(passages, coder.analyser.analyse(texts, langs), Features(texts))
    return stage.code(batch, list(range(len(texts)))), {n: e.texts for n, e in counting.items() if e.texts}


def every(encoded: dict) -> list[str]:
    return [t for texts in encoded.values() for t in texts]


def test_stance_encodes_only_passages_that_name_a_target(coder):
    from stancemap.nlp.default_stage import DefaultStance

    quiet = "The harvest came late this year because the spring was cold and wet."
    named = "The railway China built to Kyrgyzstan is a great success for our traders."
    codes, encoded = coded_by(DefaultStance, coder, [quiet, named])
    assert codes[0] == [] and codes[1]
    read = [text.replace("[", "").replace("]", "") for text in every(encoded)]  # the target is marked
    assert quiet not in read and named in read


def test_short_passages_are_not_encoded_and_abstain_flagged(coder):
    from stancemap.nlp.default_stage import DefaultSentiment, DefaultStance, words

    assert words("Thank you.") == 2 and words("谢谢。") == 2 and words("中国与哈萨克斯坦") == 8
    texts, langs = ["Thank you.", "谢谢。", "China? Never!", "Trade with China keeps growing."], ["en", "zh", "en", "en"]
    sentiment, encoded = coded_by(DefaultSentiment, coder, texts, langs)
    assert set(every(encoded)) <= {texts[3]}
    for index in (0, 1, 2):
        (code,) = sentiment[index]
        assert (code.value, code.score) == ("neutral", None)
        assert code.details["abstained"] and code.details["reason"] == "short"
        assert code.details["words"] == 2 and code.details["lang"] == langs[index]
    assert "abstained" not in sentiment[3][0].details
    stance, encoded = coded_by(DefaultStance, coder, texts[2:3])
    assert encoded == {}
    (code,) = stance[0]
    assert code.value == "neutral" and code.details["reason"] == "short"
    assert code.details["mentions"] == ["China"]
    dropped, _ = coded_by(DefaultStance, coder, texts[2:3], settings=StanceConfig(abstain="drop"))
    assert dropped == {0: []}


# The shipped English sentiment cascade (TF-IDF → static MiniLM → MiniLM, thresholds 0.6 and 0.6):
# TF-IDF is sure of SURE (top probability 0.83, 0.87); of STATIC (0.42, 0.44) the static MiniLM
# is (0.91, 0.96); of UNSURE neither (TF-IDF 0.47, 0.47; static 0.42, 0.45): MiniLM codes those.
SURE = ["We welcome the excellent cooperation and thank our partners for their generous support.",
        "Chinese loans left the country with unpayable debt and ruined roads."]
STATIC = ["Terrorism, war and poverty continue to destroy the lives of millions.",
          "We condemn the brutal attacks that killed innocent civilians."]
UNSURE = ["The harvest came late this year because the spring was cold and wet.",
          "Mr. President, allow me to congratulate you on your election."]


def with_thresholds(models, name: str, thresholds: list[float]):
    """The shipped models with the cascade `name` at other thresholds."""
    import copy

    from stancemap.nlp.default_models import ShippedModels

    manifest = copy.deepcopy(models.manifest)
    manifest["models"][name]["thresholds"] = thresholds
    return ShippedModels(models.folder, manifest=manifest)


def test_sentiment_encodes_only_the_passages_its_cascade_defers(coder):
    from stancemap.nlp.default_models import Query
    from stancemap.nlp.default_stage import DefaultSentiment

    models = coder.routes["stance"]["*"].models
    name = models.model_for("sentiment", "en")
    spec = models.spec(name)
    cheap, static, full = spec["members"]
    minilm = models.spec(full)["encoder"]  # MiniLM on ONNX int8 since data-5
    assert spec["kind"] == "cascade" and models.spec(static)["encoder"] == "minilm-static"
    texts = [SURE[0], STATIC[0], UNSURE[0], SURE[1], STATIC[1], UNSURE[1]]
    queries = [Query("en", "", t, [], [(0, len(t))]) for t in texts]
    sure = models.probabilities(cheap, queries, None).max(axis=1) >= spec["thresholds"][0]
    assert sure.tolist() == [True, False, False, True, False, False]
    _, encoded = coded_by(DefaultSentiment, coder, texts)
    assert sorted(encoded["minilm-static"]) == sorted(STATIC + UNSURE)  # what TF-IDF passed on
    assert sorted(encoded[minilm]) == sorted(UNSURE)  # what the static MiniLM passed on
    for thresholds, expected in (([0.0, 0.0], {}), ([1.01, 1.01], {"minilm-static": texts, minilm: texts})):
        _, encoded = coded_by(DefaultSentiment, coder, texts, models=with_thresholds(models, name, thresholds))
        assert {k: sorted(v) for k, v in encoded.items()} == {k: sorted(v) for k, v in expected.items()}
    codes, encoded = coded_by(DefaultSentiment, coder, texts, cascade=False)  # sentiment.cascade = false
    assert list(encoded) == [minilm] and sorted(encoded[minilm]) == sorted(texts)
    assert {c.details["model"] for (c,) in codes.values()} == {f"{models.version}/{full}"}
    assert not any("cascade" in c.details for (c,) in codes.values())


def test_sentiment_details_name_the_model_that_coded_each_passage(coder):
    import numpy as np

    from stancemap.nlp.default_models import Query
    from stancemap.nlp.default_stage import DefaultSentiment

    models = coder.routes["stance"]["*"].models
    name = models.model_for("sentiment", "en")
    spec = models.spec(name)
    texts = SURE + STATIC + UNSURE
    codes, _ = coded_by(DefaultSentiment, coder, texts)
    real = coder.routes["stance"]["*"]
    for index, text in enumerate(texts):
        (code,) = codes[index]
        member = spec["members"][0 if text in SURE else 1 if text in STATIC else 2]
        assert code.details["method"] == "model:default"
        assert code.details["model"] == f"{models.version}/{member}"
        assert code.details["cascade"] == f"{models.version}/{name}"
        assert code.details["thresholds"] == spec["thresholds"]
        alone = models.probabilities(member, [Query("en", "", text, [], [(0, len(text))])], real.embed)[0]
        assert np.allclose([code.details["probabilities"][c] for c in spec["classes"]], alone, atol=1e-3)
    long, version = f"{SURE[0]} {STATIC[0]} {UNSURE[0]}", models.version  # read in three windows
    codes, encoded = coded_by(DefaultSentiment, coder, [long], window_chars=100)
    (code,) = codes[0]
    assert code.details["window_models"] == [f"{version}/{m}" for m in spec["members"]]
    assert encoded[spec["encoder"]] == [UNSURE[0]]
    described = DefaultSentiment(models, real.encoders).describe()["en"]  # the run manifest's
    assert described["model"] == name and described["members"] == spec["members"]
    assert described["served_by"] == spec["encoder_version"] and "served_by_other_encoder" not in described
    served = DefaultSentiment(models, {**real.encoders, spec["encoder"]: real.encoder("minilm")}).describe()["en"]
    assert served["served_by"] != spec["encoder_version"] and served["served_by_other_encoder"]
    assert described["thresholds"] == spec["thresholds"]
    assert DefaultSentiment(models, real.encoders, cascade=False).describe()["en"]["model"] == spec["members"][-1]


# The English stance cascade (static MiniLM → MiniLM at 0.7): the static head is sure of China in
# STANCE_SURE and not of the loans in STANCE_UNSURE, so only that clause is encoded by MiniLM.
STANCE_SURE = "The railway China built to Kyrgyzstan is a great success for our traders."
STANCE_UNSURE = "Chinese loans left Kyrgyzstan with unpayable debt, secret terms and ruined roads."


def test_stance_cascade_encodes_only_what_the_static_head_defers(coder):
    from stancemap.nlp.default_stage import DefaultStance

    models = coder.routes["stance"]["*"].models
    name = models.model_for("stance", "en")
    spec = models.spec(name)
    static, full = spec["members"]
    codes, encoded = coded_by(DefaultStance, coder, [STANCE_SURE, STANCE_UNSURE])
    by = {i: {c.details["model"].split("/")[1] for c in found} for i, found in codes.items()}
    assert by == {0: {static}, 1: {full}}
    assert all(c.details["cascade"] == f"{models.version}/{name}" for found in codes.values() for c in found)
    read = [text.replace("[", "").replace("]", "") for text in encoded[spec["encoder"]]]
    assert STANCE_UNSURE in read and STANCE_SURE not in read
    codes, encoded = coded_by(DefaultStance, coder, [STANCE_SURE, STANCE_UNSURE],
                              settings=StanceConfig(cascade=False))  # stance.cascade = false
    assert list(encoded) == [spec["encoder"]] and len(encoded[spec["encoder"]]) == 2
    assert {c.details["model"] for found in codes.values() for c in found} == {f"{models.version}/{full}"}
