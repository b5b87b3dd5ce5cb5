"""A project's validation sample against its passages: strata for drawing it, the model's and
the coders' values per passage for the corrected panel figures, how much of it is coded, how
the model agrees with the coders there, and how many passages a target interval width needs.

Gold: the human codes (adjudicated > coders' majority, see annotations/resolution.py) on the
sample's passages. A coder who removed every stance toward a target ("none") said the passage
takes no stance toward it: that counts as neutral, as it does for sentiment. The model's value
is its own prediction, also where a coder replaced it."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.annotations.resolution import code_rows, resolve
from stancemap.annotations.validation import Sample, load_sample, record_draw
from stancemap.corpus.store import Store
from stancemap.errors import Errors, ReviewError

# --strata: dimensions with one value per passage
STRATA_DIMENSIONS = ("source_country", "year", "kind", "stakeholder", "source_kind", "lang", "speaker")
POLARITY = {"favour": 1, "positive": 1, "against": -1, "negative": -1, "neutral": 0, "none": 0}


@dataclass
class Validation:
    """A sample and, per passage (index passage_id), the model's and the coders' values:
    columns validated, validation_weight, model_<key>, gold_<key> for key in keys."""

    sample: Sample
    values: pd.DataFrame
    keys: list[str]  # "stance_<target>" ..., "sentiment"


def passage_strata(table: pd.DataFrame, names: list[str]) -> dict[str, str]:
    """passage_id -> "source_country=KAZ|year=2023" over the named dimensions."""
    columns = []
    for name in names:
        column = name if name in STRATA_DIMENSIONS else f"meta_{name}"
        if column not in table:
            known = ", ".join([*STRATA_DIMENSIONS, *(c[5:] for c in table.columns if c.startswith("meta_"))])
            raise ReviewError(Errors.E344.format(name=name, known=known))
        columns.append((name, column))
    return {row["passage_id"]: "|".join(f"{n}={'' if pd.isna(row[c]) else row[c]}" for n, c in columns)
            for row in table.to_dict("records")}


def validation_chooser(codebook: Codebook, *, size: int | None, share: float | None,
                       strata: list[str], seed: int, name: str, dims: list[str],
                       out_of_language: bool = True):
    """What export_review calls to pick a validation sample's passages from its items: draws
    the sample up to `size` passages (or `share` of them) and stores it, and returns the
    sample's passages no coder has coded in `dims` yet (so an export that failed, or a
    sample that grew, hands out exactly what is left)."""
    from stancemap.datasets.tables import passage_table

    if (size is None) == (share is None) or (share is not None and not 0 < share <= 1):
        raise ReviewError(Errors.E343.format(share=share))

    def choose(store: Store, passage_ids: set[str]) -> set[str]:
        labels = (passage_strata(passage_table(store, codebook, out_of_language), strata)
                  if strata else {})
        frame = {pid: labels.get(pid, "") for pid in passage_ids}
        total = size if size is not None else math.ceil(share * len(frame))
        members, _ = record_draw(store, name, frame, total, seed, strata, dims)
        return set(members) - store.reviewed_passages(dims)

    return choose


def _gold(group: list[dict]) -> str | None:
    """The coders' value of one (passage, dimension, target), or None if no coder decided."""
    if not any(not str(c["source"]).startswith("model:") or c["status"] != "predicted" for c in group):
        return None
    chosen, who = resolve(group, False)
    if who == "model":  # only rejections: the coder removed the model's value
        return "none"
    return chosen[0]["value"] if chosen else "none"


def load_validation(store: Store, codebook: Codebook, name: str | None = None) -> Validation | None:
    """The sample the panels correct with (the named one, or the one updated last)."""
    sample = load_sample(store, name)
    if sample is None:
        return None
    keys = [f"stance_{t}" for t in codebook.stance_targets] + ["sentiment"]
    rows = code_rows(store)
    rows = rows[rows["dimension"].isin(["stance", "sentiment"])]
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows.to_dict("records"):
        key = f"stance_{row['target']}" if row["dimension"] == "stance" else "sentiment"
        groups[(row["passage_id"], key)].append(row)
    values: dict[str, dict] = defaultdict(dict)
    for (pid, key), group in groups.items():
        model = sorted((c for c in group if c["status"] == "predicted"
                        and str(c["source"]).startswith("model:")), key=lambda c: c["source"])
        if model:
            values[pid][f"model_{key}"] = model[0]["value"]
        if pid in sample.members:
            gold = _gold(group)
            if gold is not None:
                values[pid][f"gold_{key}"] = "neutral" if gold == "none" else gold
    frame = pd.DataFrame.from_dict(values, orient="index")
    for key in keys:
        for side in ("model", "gold"):
            if f"{side}_{key}" not in frame:
                frame[f"{side}_{key}"] = None
    frame["validated"] = frame.index.isin(list(sample.members))
    frame["validation_weight"] = [1 / sample.members[p][1] if p in sample.members else math.nan
                                  for p in frame.index]
    frame.index.name = "passage_id"
    return Validation(sample, frame, keys)


def coded_share(validation: Validation | None) -> dict:
    """Per dimension (stance per target, sentiment): of the sample's passages the model coded,
    how many the coders have coded."""
    if validation is None:
        return {}
    frame = validation.values[validation.values["validated"]]
    found = {"sample": validation.sample.name, "kind": validation.sample.design.get("kind"),
             "passages": len(validation.sample.members), "dimensions": {}}
    for key in validation.keys:
        in_scope = frame[frame[f"model_{key}"].notna()]
        found["dimensions"][key] = {"model_coded": len(in_scope),
                                    "coders_coded": int(in_scope[f"gold_{key}"].notna().sum())}
    return found


def model_vs_coders(validation: Validation, table: pd.DataFrame) -> list[dict]:
    """Agreement of the model with the coders on the sample, per language and dimension:
    Cohen's kappa, macro-F1 and the confusion matrix (rows: coders, columns: model)."""
    from sklearn.metrics import confusion_matrix, f1_score

    from stancemap.annotations.agreement import cohen_kappa

    frame = validation.values[validation.values["validated"]]
    langs = table.set_index("passage_id")["lang"] if "lang" in table else pd.Series(dtype=object)
    found = []
    for key in validation.keys:
        both = frame[frame[f"model_{key}"].notna() & frame[f"gold_{key}"].notna()]
        if both.empty:
            continue
        both = both.assign(lang=[langs.get(p) or "unknown" for p in both.index])
        for lang, part in both.groupby("lang", sort=True):
            gold, model = list(part[f"gold_{key}"]), list(part[f"model_{key}"])
            labels = sorted(set(gold) | set(model), key=lambda v: -POLARITY.get(v, 0))
            kappa = cohen_kappa(list(zip(gold, model)))
            found.append({"dimension": key, "lang": lang, "items": len(part),
                          "kappa": None if math.isnan(kappa) else round(kappa, 3),
                          "macro_f1": round(float(f1_score(gold, model, labels=labels, average="macro",
                                                           zero_division=0)), 3),
                          "labels": labels,
                          "confusion": confusion_matrix(gold, model, labels=labels).tolist()})
    return found


PRIOR_VARIANCE = 1.0  # with too little coded: the largest variance of a net index's values


def plan_project(project: Path, codebook: Codebook, config, width: float, by: list[str] | None,
                 db_url: str | None = None) -> dict:
    """`review plan`: the plan for the project's panel cells and validation sample."""
    from stancemap.datasets.export import build_table
    from stancemap.datasets.panel import DEFAULT_BY

    by = by or list(DEFAULT_BY)
    store = Store(Path(project), url=db_url, create=False)
    try:
        panel = build_table(store, codebook, config, "panel", by)
        validation = load_validation(store, codebook, config.panel.validation_sample or None)
    finally:
        store.dispose()
    return {"by": by, **plan(panel, validation, width, by)}


def plan(panel: pd.DataFrame, validation: Validation | None, width: float,
         by: list[str]) -> dict:
    """Validation passages each panel cell needs for a corrected net index of the given 95%
    width: n = (2 x 1.96)^2 x var / width^2, var the variance of coder - model (net values)
    measured on the sample so far, or of the coders' values where that is smaller (the
    correction then falls back to them); with fewer than MIN_VALIDATED coded passages, the
    conservative prior var = 1, the largest a -1/0/+1 value can have."""
    from stancemap.datasets.correction import MIN_VALIDATED, Z95

    if not 0 < width <= 2:
        raise ReviewError(Errors.E345.format(width=width))
    spread, measured = PRIOR_VARIANCE, 0
    if validation is not None:
        frame = validation.values[validation.values["validated"]]
        gold, residuals = [], []
        for key in validation.keys:
            both = frame[frame[f"model_{key}"].notna() & frame[f"gold_{key}"].notna()]
            gold += [POLARITY.get(g, 0) for g in both[f"gold_{key}"]]
            residuals += [POLARITY.get(g, 0) - POLARITY.get(m, 0)
                          for g, m in zip(both[f"gold_{key}"], both[f"model_{key}"])]
        measured = len(residuals)
        if measured >= MIN_VALIDATED:
            spread = max(min(float(pd.Series(residuals).var()), float(pd.Series(gold).var())),
                         2 / (measured + 1))
    need = max(MIN_VALIDATED, math.ceil((2 * Z95) ** 2 * spread / width ** 2))
    cells = []
    for row in panel.to_dict("records"):
        validated = max((int(v) for k, v in row.items() if k.endswith("n_validated") and pd.notna(v)),
                        default=0)
        cells.append({**{k: row.get(k) for k in by}, "n_passages": int(row["n_passages"]),
                      "needed": min(need, int(row["n_passages"])), "validated": validated})
    return {"width": width, "variance": round(spread, 4),
            "measured_on": measured, "prior": measured < MIN_VALIDATED, "per_cell": need,
            "total": sum(c["needed"] for c in cells),
            "to_code": sum(max(0, c["needed"] - c["validated"]) for c in cells), "cells": cells}

