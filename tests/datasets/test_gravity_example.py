"""The worked gravity study (examples/gravity) runs end to end on the coded UN speeches: the
merge keeps every row of the cited trade table and invents no value, the index is the PCA of
the dyads' standardised indicators, and the model reports an estimate inside its interval."""

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import EXAMPLES

pytestmark = pytest.mark.slow  # the session's coded UNGDC project


def _gravity():
    spec = importlib.util.spec_from_file_location("gravity", EXAMPLES / "gravity" / "gravity.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["gravity"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_trade_table_cites_every_value():
    trade = pd.read_csv(EXAMPLES / "gravity" / "bilateral_trade.csv")
    assert len(trade) == 30 and set(trade["year"]) == set(range(2013, 2019))
    given = trade["trade_usd"].notna()
    assert given.sum() == 7  # the number SOURCES.md and the README state
    assert trade.loc[given, "source_url"].str.startswith("http").all()
    assert trade.loc[~given, "source_url"].isna().all()


def test_gravity_study_end_to_end(ungdc_project, tmp_path):
    import stancemap

    gravity = _gravity()
    trade = pd.read_csv(gravity.TRADE)
    designs = gravity.study(ungdc_project, out=tmp_path)
    project = stancemap.open_project(ungdc_project)
    dyads = project.dyads()
    cells = {"origin,destination,year": (dyads[~dyads["self_pair"]],
                                         ["origin", "destination", "year"], ["origin_iso3",
                                                                             "destination_iso3"]),
             "country=origin,year": (project.panel(by=["source_country", "year"]),
                                     ["source_country", "year"], ["iso3"])}
    for design in designs:
        merged = design.merged
        panel, by, keys = cells[design.on]
        # every row of the trade table, in its order, with its own values: nothing invented
        assert len(merged) == len(trade) == design.merge.rows
        pd.testing.assert_series_equal(merged["trade_usd"], trade["trade_usd"])
        assert (merged["origin"] == trade["origin"]).all()
        assert (merged["year"] == trade["year"]).all()

        # a row has panel columns exactly when its key is a cell of the project, with its values
        keyed = panel.set_index(by)
        for row in merged.to_dict("records"):
            key = tuple(row[k] for k in [*keys, "year"])
            if key in keyed.index:
                assert row["n_passages"] == keyed.loc[key, "n_passages"]
                assert row["sent_mean"] == pytest.approx(keyed.loc[key, "sent_mean"])
            else:
                assert pd.isna(row["n_passages"]) and pd.isna(row["perception_index"])
                assert key in {tuple(k) for k in design.merge.unmatched_keys}
        assert design.merge.matched_rows == merged["n_passages"].notna().sum()

        # the index: first principal component of the z-scored indicators over the project's
        # cells, recomputed with numpy's SVD (equal up to sign)
        columns = design.index["columns"]
        fitted = panel.dropna(subset=columns)
        assert len(fitted) == design.index["cells_used"]
        x = fitted[columns].to_numpy(float)
        mean, scale = x.mean(axis=0), x.std(axis=0)
        loading = np.linalg.svd((x - mean) / scale, full_matrices=False)[2][0]
        rows = merged[merged["perception_index"].notna()]
        expected = ((rows[columns].to_numpy(float) - mean) / scale) @ loading
        assert np.allclose(np.abs(expected), np.abs(rows["perception_index"].to_numpy()))

        # the model: the rows with both a trade value and an index score
        both = merged["trade_usd"].notna() & merged["perception_index"].notna()
        assert len(design.sample) == both.sum()
        if design.fit is None:
            assert design.why_not.startswith("not identified")
        else:
            tidy = design.fit.tidy().loc["perception_index"]
            assert tidy["2.5%"] < tidy["Estimate"] < tidy["97.5%"]
            assert design.fit._N <= len(design.sample)
    text = gravity.describe(designs)
    assert "trade_usd given in 7, empty in 23" in text
    assert text.count("95% CI") == sum(d.fit is not None for d in designs)


def test_gravity_script_reports_a_missing_table(ungdc_project, tmp_path, capsys):
    gravity = _gravity()
    code = gravity.main(["--project", str(ungdc_project), "--trade", str(tmp_path / "none.csv"),
                         "--out", str(tmp_path / "m.csv")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "none.csv" in err
    assert len(err.strip().splitlines()) == 1
