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
