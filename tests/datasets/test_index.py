"""The perception index against a PCA computed here by hand (numpy's SVD of the z-scores)."""

import numpy as np
import pandas as pd
import pytest

from stancemap.config import IndexConfig
from stancemap.datasets.index import PerceptionIndex, index_table
from stancemap.errors import UsageError


def small_panel(seed=3, cells=12):
    """A panel-shaped frame: cells with sources, two net stances and mean sentiment that
    move together, plus noise."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=cells)
    return pd.DataFrame({
        "source_country": [f"C{i % 4}" for i in range(cells)],
        "year": [2013 + i // 4 for i in range(cells)],
        "n_passages": rng.integers(5, 40, cells), "n_sources": [1, 3, 4, 2, 5, 6, 2, 3, 4, 5, 1, 2][:cells],
        "st_china_net": np.tanh(0.8 * mood + rng.normal(0, 0.3, cells)),
        "st_bri_net": np.tanh(0.6 * mood + rng.normal(0, 0.5, cells)),
        "sent_mean": 0.3 * mood + rng.normal(0, 0.2, cells)})


def by_hand(panel, columns, min_sources):
    used = (panel["n_sources"] >= min_sources) & panel[columns].notna().all(axis=1)
    x = panel.loc[used, columns].to_numpy(float)
    z = (x - x.mean(axis=0)) / x.std(axis=0)  # population sd, as StandardScaler
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    return used, z, vt, s ** 2 / (s ** 2).sum()


def test_index_reproduces_an_independent_pca(codebook):
    panel = small_panel()
    columns = ["st_china_net", "st_bri_net", "sent_mean"]
    table = index_table(panel, ["source_country", "year"], codebook,
                        IndexConfig(indicators=columns, min_sources=2, components=2))
    used, z, vt, ratio = by_hand(panel, columns, 2)
    summary = table.attrs["index"]
    for k, name in enumerate(("index", "index_2")):
        loadings = np.array([summary["components"][k]["loadings"][c] for c in columns])
        assert abs(loadings @ vt[k]) == pytest.approx(1, abs=1e-5)  # equal up to sign
        assert summary["components"][k]["explained_variance_ratio"] == pytest.approx(ratio[k], abs=1e-6)
        sign = np.sign(loadings @ vt[k])
        assert table.loc[used, name].to_numpy() == pytest.approx(sign * z @ vt[k], abs=1e-5)
    assert summary["components"][0]["loadings"]["st_china_net"] > 0  # sign: loadings sum > 0
    assert table["index_used"].tolist() == used.tolist()
    assert table.loc[~used, "index"].isna().all()  # one source is too few: no score, flagged
    assert summary["cells_used"] == int(used.sum()) == 10  # two cells have one source


def test_corrected_columns_replace_the_plain_ones(codebook):
    panel = small_panel()
    panel["st_china_net_ppi"] = panel["st_china_net"] * 0.5 + 0.1
    corrected = PerceptionIndex(["st_china_net", "sent_mean"]).fit(panel)
    assert corrected.columns_ == ["st_china_net_ppi", "sent_mean"]
    plain = PerceptionIndex(["st_china_net", "sent_mean"], corrected=False).fit(panel)
    assert plain.columns_ == ["st_china_net", "sent_mean"]


def test_defaults_drop_empty_and_constant_indicators(codebook):
    panel = small_panel()
    panel["st_chinese_loans_net"] = np.nan
    panel["st_bri_projects_net"] = 0.0
    model = PerceptionIndex().fit(panel, codebook)
    assert model.indicators_ == ["st_china_net", "st_bri_net", "sent_mean"]
    assert set(model.dropped_) == {"st_chinese_loans_net", "st_bri_projects_net"}


def test_bad_indicators_and_too_few_cells_are_clear_errors(codebook):
    panel = small_panel()
    with pytest.raises(UsageError, match="Unknown index indicator 'st_mars_net'"):
        PerceptionIndex(["st_mars_net"]).fit(panel, by=["source_country", "year"])
    with pytest.raises(UsageError, match="at least 3 panel cells with 7\\+ distinct sources"):
        PerceptionIndex(["st_china_net", "sent_mean"], min_sources=7).fit(panel)
    with pytest.raises(UsageError, match="--components 3 is more than the 2 indicator"):
        PerceptionIndex(["st_china_net", "sent_mean"], components=3).fit(panel)
