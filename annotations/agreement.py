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
    """nan when undefined: no pairs, or both coders used one and the same label throughout
    (chance agreement is then 100% and kappa is 0/0)."""
    if not pairs:
        return float("nan")
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[k] * right[k] for k in set(left) | set(right)) / (n * n)
    return float("nan") if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(table: list[list[str]]) -> float:
    """Items rated by the same number (≥ 2) of raters; each row holds the raters' labels.
    nan when undefined (no items, or a single label in the whole table)."""
    if not table:
        return float("nan")
    raters = len(table[0])
    categories = sorted({label for row in table for label in row})
    counts = np.array([[row.count(c) for c in categories] for row in table], dtype=float)
    per_item = ((counts * (counts - 1)).sum(axis=1)) / (raters * (raters - 1))
    p_bar = per_item.mean()
    shares = counts.sum(axis=0) / (len(table) * raters)
    p_e = float((shares ** 2).sum())
    return float("nan") if p_e == 1 else float((p_bar - p_e) / (1 - p_e))


def krippendorff_alpha(labels: dict[str, dict[str, str]], coders: list[str]) -> float:
    """Nominal alpha over all coders, missing ratings allowed (Krippendorff 2011, the
    coincidence-matrix form). Only items with two or more ratings count; nan when there are
    none or when every counted rating is the same label (no variation: alpha is 0/0)."""
    by_item: dict = defaultdict(list)
    for coder in coders:
        for item, label in labels.get(coder, {}).items():
            by_item[item].append(label)
    pairable = [values for values in by_item.values() if len(values) >= 2]
    totals: Counter = Counter()
    disagreement = 0.0
    for values in pairable:
        m = len(values)
        counts = Counter(values)
        totals.update(counts)
        disagreement += (m * m - sum(c * c for c in counts.values())) / (m - 1)
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())
    if not pairable or expected == 0:
        return float("nan")
    return 1.0 - (n - 1) * disagreement / expected


def why_undefined(pairs_or_labels: list[str], paired_items: int, need: str = "two coders") -> str:
    """The reason a measure is not defined, for the user to read."""
    if not paired_items:
        return f"no item was coded by {need}"
    labels = sorted(set(pairs_or_labels))
    which = f"is {labels[0]!r}" if len(labels) == 1 else "is the same label"
    return (f"every rating on the {paired_items} shared item(s) {which}: with no variation, "
            f"chance agreement is 100% and the statistic is 0/0")


def _clean(value):
    if isinstance(value, float):
        return None if np.isnan(value) else round(value, 4)
    return value


@dataclass
class DimensionAgreement:
    """The measures for one dimension; a measure that is not defined is None in JSON with a
    `*_note` saying why (e.g. one shared item labelled alike by both coders)."""

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
    notes: dict[str, str]

    @property
    def message(self) -> str | None:
        """A sentence when agreement cannot be measured at all (fewer than two coders)."""
        if len(self.coders) >= 2:
            return None
        return (f"{self.dimension}: only one coder ({self.coders[0]}, {self.items} item(s)); agreement "
                f"needs a second coder on the same items — export the same items for another coder "
                f"and import their file")

    def to_json(self) -> dict:
        out = {"dimension": self.dimension, "coders": self.coders, "items": self.items,
               "percent_agreement": _clean(self.percent), "percent_items": self.percent_items,
               "cohen_kappa": {k: {kk: _clean(vv) for kk, vv in v.items()} for k, v in self.cohen.items()},
               "fleiss_kappa": _clean(self.fleiss), "fleiss_items": self.fleiss_items,
               "krippendorff_alpha": _clean(self.alpha),
               "vs_model": {k: {kk: _clean(vv) for kk, vv in v.items()} for k, v in self.vs_model.items()}}
        for measure, note in self.notes.items():
            out[f"{measure}_note"] = note
        if self.message:
            out["message"] = self.message
        return out


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


def _pair_measures(pairs: list[tuple[str, str]], need: str) -> dict:
    kappa = cohen_kappa(pairs)
    out = {"kappa": kappa, "percent": percent_agreement(pairs), "items": len(pairs)}
    if np.isnan(kappa):
        out["note"] = why_undefined([v for pair in pairs for v in pair], len(pairs), need)
    return out


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
            cohen[f"{a}~{b}"] = _pair_measures(pairs, f"both {a} and {b}")
        multi = [i for i in items if sum(i in labels[c] for c in coders) >= 2]
        full = [[labels[c][i] for c in coders] for i in items if all(i in labels[c] for c in coders)]
        vs_model = {coder: _pair_measures(
            [(labels[coder][i], model.get(dimension, {}).get(i, "none")) for i in labels[coder]],
            f"{coder} and the model") for coder in coders}
        notes = {}
        if len(coders) >= 2:
            fleiss, alpha = fleiss_kappa(full), krippendorff_alpha(labels, coders)
            paired_labels = [labels[c][i] for i in multi for c in coders if i in labels[c]]
            if not multi:
                notes["percent_agreement"] = why_undefined([], 0)
            if np.isnan(fleiss):
                notes["fleiss_kappa"] = why_undefined([v for row in full for v in row], len(full),
                                                      f"all {len(coders)} coders")
            if np.isnan(alpha):
                notes["krippendorff_alpha"] = why_undefined(paired_labels, len(multi))
        else:
            fleiss = alpha = float("nan")
            notes = {m: "one coder only: agreement needs a second coder"
                     for m in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha")}
        results.append(DimensionAgreement(
            dimension, coders, len(items), percent_agreement(pair_rates), len(multi), cohen,
            fleiss, len(full) if len(coders) >= 2 else 0, alpha, vs_model, notes))
    return results
