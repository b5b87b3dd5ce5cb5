"""Human review status: how much of each dimension coders have decided, and how well they agree
with one another and with the model (annotations/agreement.py, as `review agreement` reports)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stancemap.annotations.agreement import agreement
from stancemap.annotations.resolution import code_rows
from stancemap.corpus.store import Store
from stancemap.datasets.report import charts
from stancemap.datasets.report.cells import INDEX, Cells
from stancemap.datasets.report.figures import Figure

DECIDED = ("accepted", "corrected", "rejected", "adjudicated")


def review_figures(store: Store, table: pd.DataFrame, cells: Cells, project: Path,
                   db_url: str | None) -> tuple[list[Figure], list[dict]]:
    rows_codes = code_rows(store)
    decided = rows_codes[rows_codes["status"].isin(DECIDED)]
    position = dict(zip(table["passage_id"], table[INDEX]))
    total = len(table)
    dimensions = sorted(set(rows_codes["dimension"]) - {"topic"})
    rows = []
    for dimension in dimensions:
        passages = decided.loc[decided["dimension"] == dimension, "passage_id"].unique()
        positions = [position[p] for p in passages if p in position]
        rows.append({"dimension": dimension, "n_reviewed": len(positions), "n_passages": total,
                     "share": round(len(positions) / total, 6) if total else 0.0,
                     "_cell": cells.add("review-coded", f"{dimension} · decided by a coder", positions)})
    figures = []
    if rows:
        spec = charts.bars(rows, "dimension", "share", "Share of passages a coder has decided",
                           x_title="dimension", y_title="share of passages",
                           tooltip=[("dimension", "N", "dimension"), ("n_reviewed", "C", "passages decided"),
                                    ("n_passages", "C", "of"), ("share", "Q", "share")])
        figures.append(Figure("review-coded", "review", "Share of passages a coder has decided", spec,
                              "Passages with a coder's accept, correction, rejection or adjudication in "
                              "the dimension; the rest carry model codes only."))
    table_rows = []
    for result in agreement(project, db_url):
        data = result.to_json()
        model = "; ".join(f"{coder}: κ {v['kappa']} ({v['items']} items)" if v["kappa"] is not None
                          else f"{coder}: — ({v['items']} items)" for coder, v in data["vs_model"].items())
        table_rows.append({"dimension": data["dimension"], "coders": ", ".join(data["coders"]),
                           "items": data["items"], "percent": data["percent_agreement"],
                           "fleiss": data["fleiss_kappa"], "alpha": data["krippendorff_alpha"],
                           "vs_model": model})
    return figures, table_rows
