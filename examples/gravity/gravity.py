"""A worked gravity study: the UN General Debate speeches' dyadic panel merged onto a small,
cited table of China – Central Asia trade, and a PPML model with fixed effects.

    python examples/gravity/gravity.py [--project ungdc-project] [--corpus ../shared/corpus-demo/ungdc]

The project is opened with `stancemap.open_project` (and coded first with `stancemap.run` when
the folder does not exist yet); its dyads are merged onto bilateral_trade.csv by stancemap's
own merge (`merge --on origin,destination,year`: countries resolved from names, unmatched keys
reported, an unmatched row's panel columns left empty); the perception index is stancemap's
(PCA of the standardised indicators, fitted on the project's dyads); the model is pyfixest's
`fepois`. What such a model can show with a handful of observations: see the README section
"A worked gravity study" and SOURCES.md beside this file."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import stancemap
from stancemap.errors import StancemapError

HERE = Path(__file__).resolve().parent
TRADE = HERE / "bilateral_trade.csv"
UNGDC = HERE.parents[2] / "shared" / "corpus-demo" / "ungdc"
PATTERN = "{country}_{session}_{year}.txt"
FORMULA = "trade_usd ~ perception_index | origin_iso3 + year"


@dataclass
class Study:
    merged: pd.DataFrame  # one row per row of the trade table, the dyad's columns beside it
    merge: object  # stancemap's MergeReport: matched rows, keys with no dyad
    index: dict  # the index's summary: indicators, loadings, explained variance, cells
    sample: pd.DataFrame  # the rows the model can use: a trade value and an index score
    fit: object | None  # the pyfixest Fepois result, None when the sample cannot identify it
    why_not: str | None = None  # why there is no fit


def open_or_run(project: Path, corpus: Path) -> stancemap.Project:
    """The coded UN speeches: an existing project as it is, else a fresh run of the corpus."""
    if not project.exists():
        stancemap.run(corpus, project, pattern=PATTERN, topics=False)
    return stancemap.open_project(project)


def merge_dyads(project: stancemap.Project, trade: Path, out: Path):
    """stancemap's dyadic merge, written to `out` and read back (ISO3 keys as text)."""
    from stancemap.datasets.merge import merge_panel

    report = merge_panel(project.path, trade, "origin,destination,year", out,
                         config=project.config, codebook=project.codebook, db_url=project.db)
    return pd.read_csv(out, keep_default_na=False, na_values=[""]), report


def perception_index(project: stancemap.Project, merged: pd.DataFrame):
    """stancemap's perception index fitted on the project's dyads between two countries (not a
    country speaking of itself) with one source or more — each UN speech is one source — and
    scored on the merged rows from their own dyad columns (empty where no dyad matched)."""
    from stancemap.datasets.index import PerceptionIndex

    dyads = project.dyads()
    model = PerceptionIndex(min_sources=1).fit(dyads[~dyads["self_pair"]], project.codebook,
                                               ["origin", "destination", "year"])
    scores = pd.Series(float("nan"), index=merged.index)
    matched = merged[model.columns_].notna().all(axis=1)
    if matched.any():
        scores[matched] = model.transform(merged[matched])[:, 0]
    return scores, model.summary()


def fit_ppml(sample: pd.DataFrame):
    """PPML with origin and year fixed effects (pyfixest `fepois`), heteroskedasticity-robust
    errors: with five origins at most, cluster-robust errors would rest on five clusters."""
    import pyfixest as pf

    parameters = 1 + sample["origin_iso3"].nunique() + sample["year"].nunique() - 1
    if len(sample) <= parameters:
        return None, (f"{len(sample)} observations for {parameters} parameters (the index, "
                      f"{sample['origin_iso3'].nunique()} origin and "
                      f"{sample['year'].nunique() - 1} year effects): not identified")
    return pf.fepois(FORMULA, data=sample, vcov="hetero"), None


def study(project: Path, trade: Path = TRADE, corpus: Path = UNGDC,
          out: Path | None = None) -> Study:
    opened = open_or_run(Path(project), Path(corpus))
    out = Path(out) if out else Path(project) / "exports" / "gravity_merged.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    merged, report = merge_dyads(opened, Path(trade), out)
    merged["perception_index"], summary = perception_index(opened, merged)
    sample = merged[merged["trade_usd"].notna() & merged["perception_index"].notna()].copy()
    sample["year"] = sample["year"].astype(str)  # a fixed effect, not a trend
    fit, why_not = fit_ppml(sample)
    return Study(merged, report, summary, sample, fit, why_not)


def describe(result: Study) -> str:
    merged, report, index = result.merged, result.merge, result.index
    traded = int(merged["trade_usd"].notna().sum())
    lines = [f"bilateral table: {len(merged)} rows (origin, China, year), trade_usd given in "
             f"{traded}, empty in {len(merged) - traded} (no citable figure found)",
             f"merge --on origin,destination,year: {report.matched_rows} of {report.rows} rows "
             f"matched a dyad; {len(report.unmatched_keys)} keys have no dyad (no coded passage "
             f"of that origin spoke of China that year)"]
    component = index["components"][0]
    loadings = ", ".join(f"{c} {w:+.2f}" for c, w in component["loadings"].items())
    lines.append(f"perception index: PCA of {', '.join(index['columns'])} over "
                 f"{index['cells_used']} dyads (loadings {loadings}; explains "
                 f"{component['explained_variance_ratio']:.0%}); left out: "
                 + ("; ".join(f"{k} ({v})" for k, v in index["dropped_indicators"].items())
                    or "none"))
    both = result.sample
    lines.append(f"rows with a trade value and an index score: {len(both)} "
                 + ", ".join(f"{o} {y}" for o, y in zip(both["origin_iso3"], both["year"])))
    if result.fit is None:
        lines.append(f"PPML {FORMULA}: {result.why_not}")
        return "\n".join(lines)
    tidy = result.fit.tidy().loc["perception_index"]
    lines += [f"PPML (pyfixest fepois) {FORMULA}, heteroskedasticity-robust SE",
              f"n = {result.fit._N} (of {len(both)}: rows whose fixed-effect group has a single "
              f"observation add nothing and are dropped)",
              f"perception_index: {tidy['Estimate']:+.3f}  95% CI [{tidy['2.5%']:+.3f}, "
              f"{tidy['97.5%']:+.3f}]  SE {tidy['Std. Error']:.3f}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=Path("ungdc-project"))
    parser.add_argument("--corpus", type=Path, default=UNGDC)
    parser.add_argument("--trade", type=Path, default=TRADE)
    parser.add_argument("--out", type=Path, default=None, help="merged table (CSV)")
    args = parser.parse_args(argv)
    try:
        result = study(args.project, args.trade, args.corpus, args.out)
    except StancemapError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(describe(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
