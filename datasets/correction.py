"""Intervals that count sources, not passages, and prediction-powered corrections of the
model's shares from a random validation sample.

Model-only and coders-only shares: a Wilson interval on the effective sample size (Korn and
Graubard 1998): n divided by the design effect of the sources (cluster-robust variance over
the variance as if passages were independent, at least 1), and shrunk further by (z / t)^2
with t on (sources - 1) degrees of freedom; with every passage its own source, plain Wilson.
Net indices (favour minus against): the Agresti-Caffo adjusted Wald interval on the same
effective n.

Corrected (prediction-powered, PPI++; Angelopoulos et al. 2023): the model's mean over every
passage of the cell plus the validated passages' weighted mean of (coder - lambda x model),
weights 1 / inclusion probability, lambda tuned on the sample (0 = the coders' mean alone,
1 = plain PPI). Its variance is cluster-robust over sources (both terms' influences summed per
source), floored by one pseudo-disagreement each way at the ends of the residual's range (so a
sample on which the model agreed with every coder still gets an honest width), with a t
quantile on (validated sources - 1) df. Where the coders-only interval of the same passages is
narrower, that one is given. Below MIN_VALIDATED coded passages, or with all of them from one
source, a cell gets no corrected figure. benchmarks/validity.py measures the coverage."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959964
MIN_VALIDATED = 10  # coded validation passages a cell needs for a corrected figure

MODEL_METHOD = ("model-only: Wilson (shares) / Agresti-Caffo (net) on the effective n after the "
                "design effect of sources (Korn-Graubard, t on sources-1 df)")
MEAN_METHOD = "mean score: cluster-robust (CR1) variance over sources, t on sources-1 df"
PPI_METHOD = (f"prediction-powered (PPI++, lambda tuned; the coders-only interval where that is "
              f"narrower), weights 1/inclusion probability, cluster-robust variance over sources "
              f"floored by one pseudo-disagreement each way, t on validated sources-1 df; no "
              f"figure below {MIN_VALIDATED} validated passages or from one source")


def t95(df: float) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, df)) if df >= 1 else math.inf


def _codes(clusters) -> np.ndarray:
    """Cluster labels as integers 0..G-1 (None/NaN: each passage its own source)."""
    array = np.asarray(clusters)
    if array.dtype.kind in "iu":
        return np.unique(array, return_inverse=True)[1]
    labels = [f"\0{i}" if c is None or (isinstance(c, float) and math.isnan(c)) else str(c)
              for i, c in enumerate(clusters)]
    return np.unique(np.asarray(labels, dtype=object), return_inverse=True)[1]


def cluster_variance(influence: np.ndarray, groups: np.ndarray) -> float:
    """CR1 variance of a sum of per-passage influences: sources' totals, G / (G - 1)."""
    totals = np.bincount(groups, weights=influence)
    count = len(totals)
    return float(count / (count - 1) * np.sum(totals ** 2)) if count > 1 else math.nan


def effective_n(values: np.ndarray, clusters) -> tuple[float, int]:
    """n over the design effect of sources (>= 1), and the number of sources."""
    n = len(values)
    groups = _codes(clusters)
    sources = int(groups.max()) + 1 if n else 0
    if n < 2 or sources < 2 or sources == n:  # one source, or each passage its own
        return float(n), sources
    spread = float(np.var(values, ddof=1))
    if spread == 0:
        return float(n), sources
    clustered = cluster_variance((values - values.mean()) / n, groups)
    deff = max(1.0, clustered / (spread / n))
    return n / deff * (Z95 / t95(sources - 1)) ** 2, sources


def wilson(p: float, n: float) -> tuple[float, float]:
    if n <= 0 or math.isnan(p):
        return math.nan, math.nan
    denominator = 1 + Z95 ** 2 / n
    centre = (p + Z95 ** 2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def net_bounds(favour: float, against: float, n: float) -> tuple[float, float]:
    """Favour share minus against share: one pseudo-count per class (Agresti and Caffo), so
    small cells or cells all of one stance do not get a zero-width interval."""
    if n <= 0:
        return math.nan, math.nan
    fav, ag = (favour * n + 1) / (n + 3), (against * n + 1) / (n + 3)
    centre = fav - ag
    half = Z95 * math.sqrt(max(fav + ag - centre ** 2, 0.0) / (n + 3))
    return max(-1.0, centre - half), min(1.0, centre + half)


def share_interval(hits: np.ndarray, clusters) -> tuple[float, float, float]:
    """Share of True in `hits` and its interval by source."""
    hits = np.asarray(hits, dtype=float)
    if not len(hits):
        return math.nan, math.nan, math.nan
    n_eff, _ = effective_n(hits, clusters)
    p = float(hits.mean())
    return (p, *wilson(p, n_eff))


def net_interval(values: np.ndarray, clusters) -> tuple[float, float, float]:
    """Mean of +1 / 0 / -1 values (favour - against) and its interval by source."""
    values = np.asarray(values, dtype=float)
    if not len(values):
        return math.nan, math.nan, math.nan
    n_eff, _ = effective_n(values, clusters)
    favour, against = float(np.mean(values > 0)), float(np.mean(values < 0))
    return (favour - against, *net_bounds(favour, against, n_eff))


def mean_interval(values: np.ndarray, clusters) -> tuple[float, float, float]:
    """Mean of a score with a cluster-robust t interval (NaN below two passages)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    groups = _codes(clusters)
    sources = int(groups.max()) + 1
    if sources < 2:  # one source: its passages' spread, as if independent
        if n < 2:
            return mean, math.nan, math.nan
        half = t95(n - 1) * float(np.std(values, ddof=1)) / math.sqrt(n)
    else:
        half = t95(sources - 1) * math.sqrt(cluster_variance((values - mean) / n, groups))
    return mean, mean - half, mean + half


@dataclass
class Corrected:
    value: float
    lo: float
    hi: float
    n_validated: int
    flag: str | None  # why there is no corrected figure
    lam: float = math.nan  # 0: the coders-only estimate was the narrower


BOUNDS = {"share": (0.0, 1.0), "net": (-1.0, 1.0)}


def coders_only(kind: str, coder: np.ndarray, clusters, weights: np.ndarray) -> tuple[float, float, float]:
    """The validated passages' own (weighted) share or net index, with the model-only
    construction on their effective n (also divided by Kish's design effect of the weights)."""
    n_eff, _ = effective_n(coder, clusters)
    n_eff /= float(np.mean(weights ** 2) / np.mean(weights) ** 2)
    w = weights / weights.sum()
    if kind == "share":
        p = float(np.sum(w * coder))
        return (p, *wilson(p, n_eff))
    favour, against = float(np.sum(w * (coder > 0))), float(np.sum(w * (coder < 0)))
    return (favour - against, *net_bounds(favour, against, n_eff))


def corrected_mean(kind: str, model: np.ndarray, clusters, validated: np.ndarray,
                   coder: np.ndarray, weights: np.ndarray, minimum: int = MIN_VALIDATED) -> Corrected:
    """Prediction-powered share (kind "share", 0/1 values) or net index ("net", -1/0/+1) of
    the coders' values over the cell.

    model: the model's value for every passage of the cell; validated: which of them are in
    the validation sample and coded; coder: the coders' value there (anything elsewhere);
    weights: 1 / inclusion probability there. Where the tuned estimate's interval is not
    narrower than the coders-only one, that one is given (lambda 0): the correction never
    makes a figure less precise than the coded sample alone."""
    model = np.asarray(model, dtype=float)
    validated = np.asarray(validated, dtype=bool)
    n_all, n = len(model), int(validated.sum())
    if n < minimum:
        return Corrected(math.nan, math.nan, math.nan, n, "few_validated")
    groups = _codes(clusters)
    if int(groups.max()) + 1 < 2:  # a one-source cell: its passages as the units
        groups = np.arange(n_all)
    sources = len(np.unique(groups[validated]))
    if sources < 2:
        return Corrected(math.nan, math.nan, math.nan, n, "one_validated_source")
    f, y = model[validated], np.asarray(coder, dtype=float)[validated]
    raw = np.asarray(weights, dtype=float)[validated]
    w = raw / raw.sum()
    spread = float(np.sum(w * (f - np.sum(w * f)) ** 2))
    covariance = float(np.sum(w * (f - np.sum(w * f)) * (y - np.sum(w * y))))
    lam = 0.0 if spread == 0 else float(np.clip(covariance / spread / (1 + n / n_all), 0.0, 1.0))
    residual = y - lam * f
    rectifier = float(np.sum(w * residual))
    value = lam * float(model.mean()) + rectifier
    influence = lam * (model - model.mean()) / n_all
    influence[validated] += w * (residual - rectifier)
    variance = cluster_variance(influence, groups)
    low, high = BOUNDS[kind]
    # the floor: one pseudo-disagreement each way, at the ends of the residual's range
    floor = sum((1.0 / (n + 1) * (end - rectifier)) ** 2
                for end in (high - lam * low, low - lam * high))
    half = t95(sources - 1) * math.sqrt(max(variance, floor))
    plain = coders_only(kind, y, groups[validated], raw)
    if plain[2] - plain[1] <= 2 * half:
        return Corrected(*plain, n, None, 0.0)
    return Corrected(value, max(low, value - half), min(high, value + half), n, None, lam)
