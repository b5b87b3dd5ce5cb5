"""Agreement between coders, and between each coder and the model, per dimension.

An item is a passage × dimension (× stance target); a coder's label for it is their value
(";"-joined for multi-valued dimensions, "none" when they removed every value). Nominal data."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from stancemap.corpus.store import Store, codes, documents

HUMAN = ("accepted", "corrected", "rejected")


def percent_agreement(pairs: list[tuple[str, str]]) -> float:
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else float("nan")


def cohen_kappa(pairs: list[tuple[str, str]]) -> float:
    if not pairs:
        return float("nan")
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[k] * right[k] for k in set(left) | set(right)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(table: list[list[str]]) -> float:
    """Items rated by the same number (≥ 2) of raters; each row holds the raters' labels."""
    if not table:
        return float("nan")
    raters = len(table[0])
    categories = sorted({label for row in table for label in row})
    counts = np.array([[row.count(c) for c in categories] for row in table], dtype=float)
    per_item = ((counts * (counts - 1)).sum(axis=1)) / (raters * (raters - 1))
    p_bar = per_item.mean()
    shares = counts.sum(axis=0) / (len(table) * raters)
    p_e = float((shares ** 2).sum())
    return 1.0 if p_e == 1 else float((p_bar - p_e) / (1 - p_e))


def krippendorff_alpha(labels: dict[str, dict[str, str]], coders: list[str]) -> float:
    """Nominal alpha over all coders, missing ratings allowed (the `krippendorff` package)."""
    import krippendorff

    items = sorted({item for by_item in labels.values() for item in by_item})
    values = sorted({v for by_item in labels.values() for v in by_item.values()})
    if not items or len(values) < 2:
        return 1.0 if values and sum(len(labels[c]) for c in coders) > len(items) else float("nan")
    index = {v: i for i, v in enumerate(values)}
    matrix = np.full((len(coders), len(items)), np.nan)
    for row, coder in enumerate(coders):
        for column, item in enumerate(items):
            if item in labels[coder]:
                matrix[row, column] = index[labels[coder][item]]
    paired = (~np.isnan(matrix)).sum(axis=0) >= 2
    if not paired.any():
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix[:, paired], level_of_measurement="nominal"))


@dataclass
class DimensionAgreement:
    dimension: str
    coders: list[str]
    items: int
    percent: float
    percent_items: int
    cohen: dict[str, dict]
    fleiss: float
    fleiss_items: int
    alpha: float
    vs_model: dict[str, dict]

    def to_json(self) -> dict:
        def clean(v):
            return None if isinstance(v, float) and np.isnan(v) else (round(v, 4) if isinstance(v, float) else v)
        return {"dimension": self.dimension, "coders": self.coders, "items": self.items,
                "percent_agreement": clean(self.percent), "percent_items": self.percent_items,
                "cohen_kappa": {k: {kk: clean(vv) for kk, vv in v.items()} for k, v in self.cohen.items()},
                "fleiss_kappa": clean(self.fleiss), "fleiss_items": self.fleiss_items,
                "krippendorff_alpha": clean(self.alpha),
                "vs_model": {k: {kk: clean(vv) for kk, vv in v.items()} for k, v in self.vs_model.items()}}


def labels_by_coder(store: Store) -> tuple[dict, dict]:
    """{dimension: {coder: {item: label}}} for coders, and the same for the model."""
    query = (sa.select(codes.c.passage_id, codes.c.dimension, codes.c.target, codes.c.value,
                       codes.c.source, codes.c.status)
             .select_from(codes.join(documents, documents.c.doc_id == codes.c.doc_id))
             .where(documents.c.retired_at.is_(None), codes.c.dimension != "topic"))
    chosen: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    model: dict = defaultdict(lambda: defaultdict(set))
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            item = f"{row.passage_id}|{row.target}"
            if row.status == "predicted":
                model[row.dimension][item].add(row.value)
            elif row.status in HUMAN and row.source.startswith("human:"):
                bucket = chosen[row.dimension][row.source[6:]][item]
                if row.status != "rejected":
                    bucket.add(row.value)
    def label(values: set) -> str:
        values = values - {"none"}
        return ";".join(sorted(values)) or "none"
    coders = {dim: {c: {i: label(v) for i, v in items.items()} for c, items in by_coder.items()}
              for dim, by_coder in chosen.items()}
    machine = {dim: {i: label(v) for i, v in items.items()} for dim, items in model.items()}
    return coders, machine


def agreement(project: Path, db_url: str | None = None) -> list[DimensionAgreement]:
    store = Store(Path(project), url=db_url, create=False)
    try:
        coders_by_dim, model = labels_by_coder(store)
    finally:
        store.dispose()
    results = []
    for dimension in sorted(coders_by_dim):
        labels = coders_by_dim[dimension]
        coders = sorted(labels)
        items = sorted({i for by_item in labels.values() for i in by_item})
        pair_rates, cohen = [], {}
        for a, b in itertools.combinations(coders, 2):
            shared = sorted(set(labels[a]) & set(labels[b]))
            pairs = [(labels[a][i], labels[b][i]) for i in shared]
            pair_rates.extend(pairs)
            cohen[f"{a}~{b}"] = {"kappa": cohen_kappa(pairs), "percent": percent_agreement(pairs),
                                 "items": len(shared)}
        multi = [i for i in items if sum(i in labels[c] for c in coders) >= 2]
        full = [[labels[c][i] for c in coders] for i in items if all(i in labels[c] for c in coders)]
        vs_model = {}
        for coder in coders:
            pairs = [(labels[coder][i], model.get(dimension, {}).get(i, "none")) for i in labels[coder]]
            vs_model[coder] = {"kappa": cohen_kappa(pairs), "percent": percent_agreement(pairs),
                               "items": len(pairs)}
        results.append(DimensionAgreement(
            dimension, coders, len(items), percent_agreement(pair_rates), len(multi), cohen,
            fleiss_kappa(full) if len(coders) >= 2 else float("nan"), len(full) if len(coders) >= 2 else 0,
            krippendorff_alpha(labels, coders) if len(coders) >= 2 else float("nan"), vs_model))
    return results
