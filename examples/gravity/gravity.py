"""A worked gravity study: the UN General Debate speeches merged onto a small, cited table of
China – Central Asia trade, and a PPML model with fixed effects.

    python examples/gravity/gravity.py [--project ungdc-project] [--corpus ../shared/corpus-demo/ungdc]

The project is opened with `stancemap.open_project` (and coded first with `stancemap.run` when
the folder does not exist yet); its panel is merged onto bilateral_trade.csv by stancemap's
own merge (countries resolved from names, unmatched keys reported, an unmatched row's panel
columns left empty); the perception index is stancemap's (PCA of the standardised indicators);
the model is pyfixest's `fepois`. What such a model can and cannot show with a handful of
observations: the README section "A worked gravity study" and SOURCES.md beside this file."""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import stancemap
from stancemap.errors import StancemapError

HERE = Path(__file__).resolve().parent
TRADE = HERE / "bilateral_trade.csv"
UNGDC = HERE.parents[2] / "shared" / "corpus-demo" / "ungdc"
PATTERN = "{country}_{session}_{year}.txt"


@dataclass
class Design:
    """One way of putting a perception measure beside the trade table, and its model."""
    name: str
    on: str  # the merge keys, as `stancemap merge --on` takes them
    merged: pd.DataFrame  # one row per row of the trade table, the panel's columns beside it
    merge: object  # stancemap's MergeReport: matched rows, keys with no cell
    index: dict  # the index's summary: indicators, loadings, explained variance, cells
    sample: pd.DataFrame  # the rows the model can use: a trade value and an index score
    origin: str  # the merged table's ISO3 column of the origin
    formula: str | None = None  # the model fitted, None when none is identified
    fit: object | None = None  # the pyfixest Fepois result
    why_not: str | None = None  # why there is no fit, or why year effects are left out


def open_or_run(project: Path, corpus: Path) -> stancemap.Project:
    """The coded UN speeches: an existing project as it is, else a fresh run of the corpus."""
    if not project.exists():
        stancemap.run(corpus, project, pattern=PATTERN, topics=False)
    return stancemap.open_project(project)


def merge_onto(project: stancemap.Project, trade: Path, on: str, out: Path):
    """stancemap's merge (`merge --on ON`), written to `out` and read back (ISO3 keys as text:
    NA is Namibia)."""
    from stancemap.datasets.merge import merge_panel

    report = merge_panel(project.path, trade, on, out, config=project.config,
                         codebook=project.codebook, db_url=project.db)
    return pd.read_csv(out, keep_default_na=False, na_values=[""]), report


def index_scores(cells: pd.DataFrame, by: list[str], codebook, merged: pd.DataFrame):
    """stancemap's perception index fitted on the project's cells with one source or more (each
    UN speech is one source) and scored on the merged rows from their own panel columns (empty
    where no cell matched)."""
    from stancemap.datasets.index import PerceptionIndex

    model = PerceptionIndex(min_sources=1).fit(cells, codebook, by)
    scores = pd.Series(float("nan"), index=merged.index)
    matched = merged[model.columns_].notna().all(axis=1)
    if matched.any():
        scores[matched] = model.transform(merged[matched])[:, 0]
    return scores, model.summary()


def fit_ppml(design: Design) -> Design:
    """PPML (pyfixest `fepois`) of trade on the index with origin and year fixed effects — the
    origin effects absorb distance, size and everything else constant per pair, the year
    effects China's own years; year effects are left out, and it says so, when the sample
    cannot carry them. Heteroskedasticity-robust errors: cluster-robust ones would rest on
    five clusters at most."""
    import pyfixest as pf

    sample, origin = design.sample, design.origin
    origins, years = sample[origin].nunique(), sample["year"].nunique()
    if len(sample) > 1 + origins + years - 1:
        design.formula = f"trade_usd ~ perception_index | {origin} + year"
    elif len(sample) > 1 + origins:
        design.formula = f"trade_usd ~ perception_index | {origin}"
        design.why_not = (f"year effects left out: {len(sample)} observations cannot carry the "
                          f"index, {origins} origin and {years - 1} year effects")
    else:
        design.why_not = (f"not identified: {len(sample)} observation(s) for the index and "
                          f"{origins} origin effect(s)")
        return design
    with warnings.catch_warnings():  # the singletons it drops are reported by describe()
        warnings.filterwarnings("ignore", ".*singleton fixed effect", UserWarning)
        design.fit = pf.fepois(design.formula, data=sample, vcov="hetero")
    return design


def t_interval(design: Design, estimate: float, se: float) -> tuple[int, float, float]:
    """A 95% interval on t with the fit's residual degrees of freedom: observations less the
    index and the fixed effects of the origins (and years) that kept more than one row."""
    from scipy.stats import t

    sample, origin = design.sample, design.origin
    kept = sample[sample.groupby(origin)[origin].transform("size") > 1]
    effects = kept[origin].nunique() + (kept["year"].nunique() - 1 if "+ year" in design.formula else 0)
    df = max(int(design.fit._N) - 1 - effects, 1)
    half = t.ppf(0.975, df) * se
    return df, estimate - half, estimate + half


def design(name: str, project: stancemap.Project, trade: Path, on: str, out: Path,
           cells: pd.DataFrame, by: list[str], origin: str) -> Design:
    merged, report = merge_onto(project, trade, on, out)
    merged["perception_index"], summary = index_scores(cells, by, project.codebook, merged)
    sample = merged[merged["trade_usd"].notna() & merged["perception_index"].notna()].copy()
    sample["year"] = sample["year"].astype(str)  # a fixed effect, not a trend
    return fit_ppml(Design(name, on, merged, report, summary, sample, origin))


def study(project: Path, trade: Path = TRADE, corpus: Path = UNGDC,
          out: Path | None = None) -> list[Design]:
    """Two designs on the same trade table: (1) the dyadic one a gravity model asks for — how
    each origin's speeches speak of China (`merge --on origin,destination,year`); (2) for want
    of (1), the tone of each origin's whole speech (`merge --on country=origin,year`): a
    speech's tone, not its view of China. `out` is the folder of the merged tables."""
    opened = open_or_run(Path(project), Path(corpus))
    out = Path(out) if out else Path(project) / "exports"
    out.mkdir(parents=True, exist_ok=True)
    dyads = opened.dyads()
    return [design("dyad: the origin's passages about China", opened, Path(trade),
                   "origin,destination,year", out / "gravity_dyads.csv",
                   dyads[~dyads["self_pair"]], ["origin", "destination", "year"], "origin_iso3"),
            design("speech: the tone of the origin's whole speech", opened, Path(trade),
                   "country=origin,year", out / "gravity_speeches.csv",
                   opened.panel(by=["source_country", "year"]), ["source_country", "year"],
                   "iso3")]


def describe(designs: list[Design]) -> str:
    merged = designs[0].merged
    traded = int(merged["trade_usd"].notna().sum())
    lines = [f"bilateral table: {len(merged)} rows (origin, China, year), trade_usd given in "
             f"{traded}, empty in {len(merged) - traded} (no citable figure found)"]
    for d in designs:
        report, index = d.merge, d.index
        component = index["components"][0]
        loadings = ", ".join(f"{c} {w:+.2f}" for c, w in component["loadings"].items())
        lines += ["", f"[{d.name}]",
                  f"merge --on {d.on}: {report.matched_rows} of {report.rows} rows matched; "
                  f"{len(report.unmatched_keys)} keys have no cell",
                  f"index: PCA of {', '.join(index['columns'])} over {index['cells_used']} cells "
                  f"(loadings {loadings}; explains {component['explained_variance_ratio']:.0%}); "
                  f"{len(index['dropped_indicators'])} stance indicators left out (too sparse or constant)",
                  f"rows with a trade value and an index score: {len(d.sample)} ("
                  + ", ".join(f"{o} {y}" for o, y in zip(d.sample[d.origin], d.sample["year"]))
                  + ")"]
        if d.why_not:
            lines.append(f"PPML: {d.why_not}")
        if d.fit is None:
            continue
        tidy = d.fit.tidy().loc["perception_index"]
        df, low, high = t_interval(d, tidy["Estimate"], tidy["Std. Error"])
        lines += [f"PPML (pyfixest fepois) {d.formula}, heteroskedasticity-robust SE",
                  f"n = {d.fit._N} ({len(d.sample) - d.fit._N} dropped: alone in their origin, "
                  f"fitted exactly by its effect, no information on the index)",
                  f"perception_index: {tidy['Estimate']:+.3f}  95% CI [{low:+.3f}, {high:+.3f}] "
                  f"(t, {df} residual df)  SE {tidy['Std. Error']:.3f}",
                  f"  (pyfixest's normal-approximation interval [{tidy['2.5%']:+.3f}, "
                  f"{tidy['97.5%']:+.3f}] is too narrow with so few residual degrees of freedom)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=Path("ungdc-project"))
    parser.add_argument("--corpus", type=Path, default=UNGDC)
    parser.add_argument("--trade", type=Path, default=TRADE)
    parser.add_argument("--out", type=Path, default=None,
                        help="folder of the merged tables (default PROJECT/exports)")
    args = parser.parse_args(argv)
    try:
        designs = study(args.project, args.trade, args.corpus, args.out)
    except StancemapError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(describe(designs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
