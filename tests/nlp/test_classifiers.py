"""The two trainable classifiers on their own: multi-label sectors, saving and loading."""

import numpy as np
import pytest

from stancemap.errors import ModelError
from stancemap.nlp.finetune import TransformerClassifier
from stancemap.nlp.tfidf import TfidfClassifier

SECTORS = [
    ("The new railway and the dry port cut transit times for containers.", ("transport",)),
    ("Trucks wait two days at the border crossing on the highway.", ("transport",)),
    ("The gas pipeline and the power plant supply the whole region.", ("energy",)),
    ("Blackouts ended when the thermal power plant opened.", ("energy",)),
    ("The power line lets the railway run electric trains.", ("energy", "transport")),
    ("Electric locomotives on the new line draw power from the grid.", ("energy", "transport")),
    ("Wheat and cotton exports grew after the quarantine rules eased.", ()),
    ("Scholarships brought students to universities in Xi'an.", ()),
]


@pytest.mark.parametrize("make", [lambda: TfidfClassifier(multi_label=True),
                                  lambda: TransformerClassifier(multi_label=True, epochs=2, seed=1)],
                         ids=["tfidf", "transformer"])
def test_multi_label_sectors(make):
    inputs = [("", text) for text, _ in SECTORS] * 2
    labels = [sectors for _, sectors in SECTORS] * 2
    model = make().fit(inputs, labels, sample_weight=[2.0, 1.0, 1.5, 1.0] * 4)
    assert model.classes_ == ["energy", "transport"]
    predicted = model.predict(inputs[:4])
    assert all(isinstance(p, tuple) and set(p) <= {"energy", "transport"} for p in predicted)
    scores = model.predict_proba(inputs[:4])
    assert scores.shape == (4, 2) and ((scores >= 0) & (scores <= 1)).all()


def test_a_sector_every_item_has_is_a_constant():
    inputs = [("", text) for text, _ in SECTORS]
    labels = [tuple(sorted({*sectors, "trade"})) for _, sectors in SECTORS]
    model = TfidfClassifier(multi_label=True).fit(inputs, labels)
    assert model.classes_ == ["energy", "trade", "transport"]
    assert all("trade" in p for p in model.predict(inputs))


def test_transformer_saves_and_loads_the_same_model(tmp_path):
    inputs = [("China", text) for text, _ in SECTORS]
    labels = ["favour", "against"] * 4
    model = TransformerClassifier(epochs=1, seed=2).fit(inputs, labels, sample_weight=[1.0, 2.0] * 4)
    model.save(tmp_path / "m")
    loaded = TransformerClassifier.load(tmp_path / "m")
    assert loaded.classes_ == ["against", "favour"] and loaded.hyperparameters() == model.hyperparameters()
    assert np.array_equal(loaded.predict_proba(inputs), model.predict_proba(inputs))
    (tmp_path / "m" / "model.safetensors").write_bytes(b"not weights")
    with pytest.raises(ModelError, match="cannot be loaded as a stancemap transformer model"):
        TransformerClassifier.load(tmp_path / "m")
