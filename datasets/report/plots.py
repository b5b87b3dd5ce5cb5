"""`plot`: one figure of the report as a PNG, SVG or PDF for a paper — the same chart, drawn
from the same panel numbers, rendered by vl-convert (no browser needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.corpus.atomic import write_bytes
from stancemap.annotations.resolution import code_rows
from stancemap.corpus.store import Store
from stancemap.datasets.report import charts, figures as figs
from stancemap.datasets.report.build import DEFAULT_BY, check_by, load_table
from stancemap.datasets.report.cells import Cells
from stancemap.datasets.validation import load_validation
from stancemap.errors import Errors, StancemapError, UsageError

WHAT = ("stance", "sectors", "topics", "map")
FORMATS = (".png", ".svg", ".pdf")


def plot_figures(store: Store, codebook: Codebook, config: Config, what: str,
                 by: list[str]) -> list[figs.Figure]:
    table = load_table(store, codebook, config)
    check_by(table, by)
    cells = Cells(options=config.panel)
    if what == "stance":  # corrected where the project has a validation sample, as in the report
        validation = load_validation(store, codebook, config.panel.validation_sample or None)
        return [f for f in figs.perception(table, codebook, cells, by, validation) if f.id.startswith("stance-")]
    if what == "sectors":
        return figs.sector_stance(table, codebook, cells) + figs.sectors_over_time(table, codebook, cells)
    if what == "topics":
        shares = code_rows(store)
        return figs.topics(table, shares[shares["dimension"] == "topic"], store.latest_topic_model(),
                           codebook, cells, config.seed)
    return figs.maps(table, codebook, cells)


def render(spec: dict, suffix: str, scale: float = 2.0) -> bytes:
    import vl_convert

    if suffix == ".svg":
        return vl_convert.vegalite_to_svg(spec).encode("utf-8")
    if suffix == ".pdf":
        return vl_convert.vegalite_to_pdf(spec)
    return vl_convert.vegalite_to_png(spec, scale=scale)


def plot_project(project: Path, what: str, out: Path, *, by: list[str] | None = None,
                 config: Config | None = None, codebook: Codebook | None = None,
                 db_url: str | None = None, echo: Callable[[str], None] | None = None) -> Path:
    from stancemap.annotations.codebook import load_codebook

    if what not in WHAT:
        raise UsageError(Errors.E243.format(what=what))
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(Errors.E244.format(suffix=out.suffix, path=out))
    config = config or Config()
    codebook = codebook or load_codebook(Path(config.coding.codebook) if config.coding.codebook else None)
    echo = echo or (lambda line: None)
    store = Store(Path(project), url=db_url, create=False)
    try:
        echo(f"reading the project and building the {what} figures …")
        made = plot_figures(store, codebook, config, what, list(by or DEFAULT_BY))
    finally:
        store.dispose()
    if not made:
        reasons = {"stance": "no passage has a stance code", "sectors": "no passage has a sector code",
                   "topics": "the project has no topic model; run `stancemap topics` first",
                   "map": "no study country has data (source or mentioned countries)"}
        raise UsageError(Errors.E245.format(what=what, reason=reasons[what]))
    echo(f"rendering {len(made)} chart(s) to {out.name} …")
    data = render(charts.stacked([f.spec for f in made]), suffix)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(out, data)
    except OSError as err:
        raise StancemapError(Errors.E246.format(path=out, reason=err.strerror or err)) from err
    return out
