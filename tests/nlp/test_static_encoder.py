"""The static MiniLM (nlp/static_encoder.py): the shipped weights read by stancemap's own glue
give model2vec's vectors, the same for a text in any batch, normalised, under a version that
names the weights."""

import numpy as np
import pytest

from stancemap.nlp.encoder import ENCODER_NAME, check_encoder_choices, make_encoder

TEXTS = ["China and Kazakhstan opened the Khorgos dry port last spring.",
         "Chinese loans have left Kyrgyzstan with an unpayable debt.",
         "The harvest came late because the spring was cold."]


@pytest.fixture(scope="module")
def static():
    return make_encoder("minilm-static")


def test_static_vectors_are_normalised_and_the_same_in_any_batch(static):
    found = static.encode(TEXTS)
    assert found.shape == (3, static.dims) and found.dtype == np.float32
    assert np.allclose(np.linalg.norm(found, axis=1), 1, atol=1e-5)
    assert np.array_equal(static.encode(TEXTS[1:2])[0], found[1])
    assert np.array_equal(static.encode(TEXTS[::-1]), found[::-1])
    assert static.encode([]).shape == (0, static.dims)
    assert not static.encode([""]).any()  # no token: a zero vector, not NaN


def test_the_version_names_the_weights_not_minilm(static, tmp_path):
    version = static.version
    assert version.startswith(f"{ENCODER_NAME}-static{static.dims}-") and version != ENCODER_NAME
    with np.load(static.path) as stored:
        arrays = dict(stored)
    arrays["vectors"] = arrays["vectors"].copy()
    arrays["vectors"][0, 0] += 1
    np.savez_compressed(tmp_path / "other.npz", **arrays)
    from stancemap.nlp.static_encoder import StaticEncoder

    assert StaticEncoder(tmp_path / "other.npz").version != version


def test_static_cannot_serve_minilm_heads():
    from stancemap.errors import ConfigError

    with pytest.raises(ConfigError, match="'minilm' = 'minilm-static'"):
        check_encoder_choices({"minilm": "minilm-static"})
    check_encoder_choices({"minilm-static": "minilm-static"})


def test_the_glue_gives_model2vecs_vectors(static):
    model2vec = pytest.importorskip("model2vec")
    from tokenizers import Tokenizer

    with np.load(static.path) as stored:
        model = model2vec.StaticModel(vectors=stored["vectors"], normalize=True,
                                      tokenizer=Tokenizer.from_str(str(stored["tokenizer"])))
    expected = model.encode(TEXTS)
    assert np.allclose(static.encode(TEXTS), expected, atol=2e-3)
