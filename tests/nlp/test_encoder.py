"""The encoder variants: each named by make_encoder, each saying what it is in its version, and
each close to the fp32 MiniLM it stands in for."""

import numpy as np
import pytest

from stancemap.errors import ConfigError, ModelError
from stancemap.nlp.encoder import check_encoder_choices, make_encoder

TEXTS = ["China and Kazakhstan opened the Khorgos dry port last spring.",
         "Chinese loans have left Kyrgyzstan with an unpayable debt.",
         "The harvest came late because the spring was cold."]


def test_an_unknown_encoder_is_refused_by_name():
    with pytest.raises(ModelError, match="'minilm-int4'.*minilm-int8"):
        make_encoder("minilm-int4")


@pytest.mark.parametrize("choices, named", [
    ({"minilm": "nope"}, "'minilm' = 'nope'"),
    ({"minilm": "e5"}, "'minilm' = 'e5'"),  # a head fitted on MiniLM cannot read e5 vectors
    ({"minilm-onnx-int8": "minilm-static"}, "'minilm-onnx-int8' = 'minilm-static'"),
    ({"minilm-onnx": "e5"}, "'minilm-onnx' = 'e5'"),
    ({"bert": "minilm"}, "'bert' = 'minilm'")])
def test_coding_encoders_are_checked_by_key(choices, named):
    with pytest.raises(ConfigError, match=f"coding.encoders: {named}.*minilm-onnx-int8"):
        check_encoder_choices(choices)
    check_encoder_choices({"minilm": "minilm-onnx", "e5": "e5", "minilm-onnx-int8": "minilm",
                           "minilm-onnx": "minilm"})


def test_the_onnx_exports_made_here_are_the_ones_the_shipped_heads_read():
    """The ONNX MiniLMs are exported on each machine from the bundled weights: another torch or
    onnxruntime could export or quantise otherwise, and the version (the file's hash) would say so."""
    from stancemap.nlp.default_models import ShippedModels

    fitted = {(spec["encoder"], spec["encoder_version"]) for spec in ShippedModels().manifest["models"].values()
              if spec.get("encoder", "").startswith("minilm-onnx")}
    assert {name for name, _ in fitted} == {"minilm-onnx", "minilm-onnx-int8"}  # stance, sentiment
    assert fitted == {(name, make_encoder(name).version) for name, _ in fitted}


@pytest.fixture(scope="module")
def fp32(coder):
    return coder.routes["sentiment"]["*"].encoder("minilm").encode(TEXTS)


@pytest.mark.slow
@pytest.mark.parametrize("name, version, closest", [
    ("minilm-int8", "all-MiniLM-L6-v2-int8", 0.95),
    ("minilm-onnx", "all-MiniLM-L6-v2-onnx-fp32-", 0.9999),
    ("minilm-onnx-int8", "all-MiniLM-L6-v2-onnx-int8-", 0.97)])
def test_a_variant_stays_close_to_fp32(fp32, name, version, closest):
    encoder = make_encoder(name, threads=1)
    found = encoder.encode(TEXTS)
    assert encoder.version.startswith(version) and found.shape == (3, 384)
    assert np.allclose(np.linalg.norm(found, axis=1), 1, atol=1e-4)
    assert (found * fp32).sum(axis=1).min() >= closest
    assert encoder.encode([]).shape == (0, 384)


def test_the_onnx_encoder_reads_what_torch_reads(coder):
    """Its tokenizer is tokenizers on the bundled tokenizer.json, not transformers: the same
    tokens, truncation at 256 included (a long passage), so the same vectors."""
    texts = ["Ünïcödé, 哈萨克斯坦 and Казахстан signed it.", "the Khorgos dry port " * 70 + "floods ruined the harvest " * 70]
    torch = coder.routes["sentiment"]["*"].encoder("minilm").encode(texts)
    found = make_encoder("minilm-onnx", threads=1).encode(texts)
    assert (found * torch).sum(axis=1).min() >= 0.9999
