"""Panel cells with the passages behind them: the numbers come from `panel_table`, the passages
from `panel_keys` grouped the same way, so a chart's value and its passages are one cell."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from stancemap.annotations.codebook import Codebook
from stancemap.config import PanelConfig
from stancemap.datasets.panel import panel_keys, panel_table, perception_rows

INDEX = "_index"  # a passage's position in the report's passage list


def clean(value: Any) -> Any:
    """A JSON-ready scalar: None for NaN/NA, plain ints and floats (rounded to 6 places)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 6)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def key_of(values) -> tuple:
    return tuple(clean(v) for v in values)


@dataclass
class Cells:
    """Every linked cell of the report: a label and the passages (positions) behind it, and
    the panel settings the cells are counted with (the project's, as its exports use)."""
    options: PanelConfig = field(default_factory=PanelConfig)
    labels: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    passages: list[list[int]] = field(default_factory=list)

    def add(self, figure: str, label: str, positions: list[int]) -> int:
        self.labels.append(label)
        self.figures.append(figure)
        self.passages.append(sorted(set(int(p) for p in positions)))
        return len(self.labels) - 1

    def to_json(self) -> list[dict]:
        """Positions as gaps from the previous one (the first from 0): sorted positions of a big
        project are mostly 1 or 2 apart, so a cell list costs ~2 bytes per passage, not ~7."""
        return [{"figure": f, "label": lab, "p": [b - a for a, b in zip([0] + p, p)]}
                for f, lab, p in zip(self.figures, self.labels, self.passages)]


def panel_cells(table: pd.DataFrame, by: list[str], codebook: Codebook, cells: Cells, validation=None
                ) -> tuple[list[dict], dict[tuple, list[int]]]:
    """The panel's rows (JSON-ready) and, per cell key, the positions of its passages; with a
    validation sample, the corrected figures too. Counted with `cells.options`, so a report
    cell is the export's cell."""
    options = cells.options
    panel = panel_table(table, by, codebook, options, validation)
    counted, _ = perception_rows(table, options)  # the passages the panel counts
    frame = panel_keys(counted, by, codebook, options)
    positions = {key_of(key if isinstance(key, tuple) else (key,)): cell[INDEX].tolist()
                 for key, cell in frame.groupby(by, dropna=False, sort=True)}
    rows = [{k: clean(v) for k, v in row.items()} for row in panel.to_dict("records")]
    return rows, positions


def shown(value, dimension: str, pooled: bool = False) -> str:
    """A cell value as a reader sees it: an empty one says what is unknown ("source country
    unknown"), never a dash a reader could take for a country; a source country no passage
    has is "all sources" (the whole corpus pooled)."""
    if value is None:
        return "all sources" if pooled and dimension == "source_country" else \
            f"{dimension.replace('_', ' ')} unknown"
    return str(value)


def link(rows: list[dict], positions: dict[tuple, list[int]], by: list[str], cells: Cells,
         figure: str, describe=None) -> list[dict]:
    """Give each row the number of its cell (`_cell`), whose passages the browser opens."""
    for row in rows:
        key = tuple(row[k] for k in by)
        label = describe(row) if describe else " · ".join(shown(v, k) for k, v in zip(by, key))
        row["_cell"] = cells.add(figure, label, positions.get(key, []))
    return rows
