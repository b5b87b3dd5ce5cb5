"""Agreement measures against values computed by hand for a small table."""

import pytest

from stancemap.annotations.agreement import (cohen_kappa, fleiss_kappa, krippendorff_alpha,
                                             percent_agreement)

A = ["F", "F", "F", "A", "A", "N", "N", "F", "A", "N"]
B = ["F", "F", "A", "A", "A", "N", "F", "F", "A", "N"]


def test_percent_and_cohen():
    pairs = list(zip(A, B))
    assert percent_agreement(pairs) == pytest.approx(0.8)
    # p_o = .8, p_e = (4*4 + 3*4 + 3*2) / 100 = .34, kappa = .46 / .66
    assert cohen_kappa(pairs) == pytest.approx(0.46 / 0.66)


def test_fleiss():
    # P-bar = .8; category shares .4, .35, .25 -> P_e = .345
    assert fleiss_kappa([list(p) for p in zip(A, B)]) == pytest.approx(0.455 / 0.655)


def test_krippendorff_nominal():
    labels = {"a": dict(enumerate(A)), "b": dict(enumerate(B))}
    # 1 - (n - 1) * disagreeing pairs / sum over category pairs n_c * n_k = 1 - 19 * 4 / 262
    assert krippendorff_alpha(labels, ["a", "b"]) == pytest.approx(1 - 76 / 262)


def test_krippendorff_with_missing_ratings():
    labels = {"a": {0: "F", 1: "A", 2: "N"}, "b": {0: "F", 1: "A"}, "c": {1: "A", 2: "N"}}
    assert krippendorff_alpha(labels, ["a", "b", "c"]) == pytest.approx(1.0)


def test_perfect_and_empty():
    assert cohen_kappa([("F", "F"), ("A", "A")]) == 1.0
    assert cohen_kappa([]) != cohen_kappa([])  # nan


def test_degenerate_tables_have_a_defined_value_or_nan():
    nan = lambda v: v != v  # noqa: E731
    # one shared item, labelled alike: percent 1, kappa and alpha 0/0
    assert percent_agreement([("F", "F")]) == 1.0 and nan(cohen_kappa([("F", "F")]))
    assert nan(krippendorff_alpha({"a": {0: "F"}, "b": {0: "F"}}, ["a", "b"]))
    # one shared item, labelled differently: alpha is defined (0), so is kappa (0)
    assert krippendorff_alpha({"a": {0: "F"}, "b": {0: "A"}}, ["a", "b"]) == 0.0
    assert cohen_kappa([("F", "A")]) == 0.0
    # perfect agreement over two labels: 1
    perfect = {"a": {0: "F", 1: "A"}, "b": {0: "F", 1: "A"}}
    assert krippendorff_alpha(perfect, ["a", "b"]) == 1.0 and fleiss_kappa([["F", "F"], ["A", "A"]]) == 1.0
    # every rating the same label: undefined, not 1
    assert nan(fleiss_kappa([["F", "F"], ["F", "F"]]))
    assert nan(krippendorff_alpha({"a": {0: "F", 1: "F"}, "b": {0: "F", 1: "F"}}, ["a", "b"]))
    # no item rated twice
    assert nan(krippendorff_alpha({"a": {0: "F"}, "b": {1: "A"}}, ["a", "b"]))


def test_alpha_matches_the_krippendorff_package_on_random_tables():
    import numpy as np

    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(0)
    for _ in range(20):
        labels = {c: {i: str(rng.integers(3)) for i in range(12) if rng.random() < 0.8} for c in "abc"}
        matrix = np.array([[float(labels[c][i]) if i in labels[c] else np.nan for i in range(12)]
                           for c in "abc"])
        assert krippendorff_alpha(labels, list("abc")) == pytest.approx(
            krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))
