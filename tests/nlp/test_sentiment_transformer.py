"""The transformers path with a real (tiny, randomly initialised) classifier saved to disk:
no model can be downloaded here, so the test builds one."""

import pytest

from stancemap.errors import ModelError
from stancemap.nlp.sentiment import TransformerSentiment


@pytest.fixture
def tiny_model(tmp_path):
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    torch.manual_seed(0)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "road", "is", "good", "bad",
             "debt", "jobs", "china", "loans"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt")).save_pretrained(tmp_path / "model")
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, num_labels=3,
                        id2label={0: "negative", 1: "neutral", 2: "positive"},
                        label2id={"negative": 0, "neutral": 1, "positive": 2})
    BertForSequenceClassification(config).save_pretrained(tmp_path / "model")
    return tmp_path / "model"


def test_local_classifier_codes_sentiment(tiny_model):
    stage = TransformerSentiment(tiny_model)
    (codes,), = [stage.code_batch(["the road is good"], ["en"])]
    (code,) = codes
    assert code.dimension == "sentiment" and code.value in ("positive", "negative", "neutral")
    probabilities = code.details["probabilities"]
    assert len(probabilities) == 3 and abs(sum(probabilities) - 1) < 1e-3
    assert abs(code.score - (probabilities[2] - probabilities[0])) < 1e-3


def test_missing_or_wrong_model_folder(tmp_path, tiny_model):
    with pytest.raises(ModelError, match="Model folder not found"):
        TransformerSentiment(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="cannot be loaded as a sequence classifier"):
        TransformerSentiment(tmp_path / "empty")
