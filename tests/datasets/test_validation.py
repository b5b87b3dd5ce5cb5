"""Validation samples and corrected panel figures, through the real store and review files: a
survey of 300 answers from 30 respondents with known gold stances toward China, coded by a
deliberately biased "model" (it calls 60 % of the against answers favour)."""

import numpy as np
import pandas as pd
import pytest

from conftest import fill_review_csv
from stancemap.annotations.review import collect_items
from stancemap.annotations.review_project import export_review, import_review
from stancemap.annotations.validation import draw, load_sample
from stancemap.config import Config
from stancemap.corpus.store import Store
from stancemap.datasets.correction import MIN_VALIDATED, corrected_mean
from stancemap.datasets.export import build_table, export_project
from stancemap.datasets.merge import merge_panel
from stancemap.datasets.validation import load_validation, validation_chooser


def _validate_60(project, codebook, gold, tmp_path):
    """Draw a simple random validation sample of 60 stance items, code it with the gold values
    and import it."""
    choose = validation_chooser(codebook, size=60, share=None, strata=[], seed=1, name="validation",
                                dims=["stance"])
    out = tmp_path / "g.csv"
    export_review(project, out, codebook, fmt="csv", dims=["stance"], choose=choose)
    fill_review_csv(out, gold)
    import_review(project, out, codebook, annotator="coder")


def _panel(project, codebook, by=None):
    store = Store(project, create=False)
    try:
        return build_table(store, codebook, Config(), "panel", by or ["source_country"])
    finally:
        store.dispose()


@pytest.fixture
def copy(biased_survey, tmp_path):
    import shutil

    project, gold = biased_survey
    shutil.copytree(project, tmp_path / "p")
    return tmp_path / "p", gold


def test_corrected_interval_covers_the_coders_share_and_model_only_does_not(copy, codebook, tmp_path):
    project, gold = copy
    choose = validation_chooser(codebook, size=None, share=0.3, strata=[], seed=1, name="validation",
                                dims=["stance"])
    out = tmp_path / "gold.csv"
    _, count = export_review(project, out, codebook, fmt="csv", dims=["stance"], choose=choose)
    assert count == 90
    coded = fill_review_csv(out, gold)
    report = import_review(project, out, codebook, annotator="coder")
    assert report.validation_decisions == 90
    truth = pd.Series(gold)
    whole = _panel(project, codebook, by=["kind"]).iloc[0]
    share = float((truth == "against").mean())
    assert not whole.st_china_ag_lo <= share <= whole.st_china_ag_hi  # the model's bias
    assert whole.st_china_ag_ppi_lo <= share <= whole.st_china_ag_ppi_hi
    net = float((truth == "favour").mean() - share)
    assert whole.st_china_net_ppi_lo <= net <= whole.st_china_net_ppi_hi
    assert whole.st_china_n_validated == 90 and pd.isna(whole.st_china_ppi_flag)
    assert len(coded) == 90


def test_active_learning_picks_never_enter_the_correction(copy, codebook, tmp_path):
    project, gold = copy
    out = tmp_path / "picks.csv"
    export_review(project, out, codebook, fmt="csv", dims=["stance"], sample=100, strategy="uncertain")
    fill_review_csv(out, gold)
    import_review(project, out, codebook, annotator="coder")
    panel = _panel(project, codebook)
    assert "st_china_ppi" not in panel and panel.attrs["validation"] is None  # no sample: not validated
    choose = validation_chooser(codebook, size=20, share=None, strata=[], seed=3, name="validation",
                                dims=["stance"])
    with pytest.raises(Exception, match="active-learning"):
        export_review(project, tmp_path / "x.csv", codebook, fmt="csv", dims=["stance"],
                      strategy="uncertain", choose=choose)
    export_review(project, tmp_path / "v.csv", codebook, fmt="csv", dims=["stance"], choose=choose)
    store = Store(project, create=False)
    validation = load_validation(store, codebook)
    store.dispose()
    members = set(validation.sample.members)
    picked_coded = set(pd.read_csv(out)["passage_id"])
    # validation passages that happen to be among the picks count (they were drawn at random);
    # the other picks' codes are not in the sample
    validated = set(validation.values.index[validation.values["validated"]
                                            & validation.values["gold_stance_china"].notna()])
    assert validated == members & picked_coded
    assert not (picked_coded - members) & validated


def test_a_cell_with_too_few_validated_passages_gets_no_corrected_figure(copy, codebook, tmp_path):
    project, gold = copy
    choose = validation_chooser(codebook, size=12, share=None, strata=["source_country"], seed=2,
                                name="validation", dims=["stance"])
    out = tmp_path / "few.csv"
    export_review(project, out, codebook, fmt="csv", dims=["stance"], choose=choose)
    fill_review_csv(out, gold)
    import_review(project, out, codebook, annotator="coder")
    panel = _panel(project, codebook).set_index("source_country")
    for country in ("KAZ", "KGZ"):  # 6 of each stratum
        row = panel.loc[country]
        assert row.st_china_n_validated == 6 < MIN_VALIDATED
        assert row.st_china_ppi_flag == "few_validated" and pd.isna(row.st_china_net_ppi)
        assert pd.isna(row.st_china_net_ppi_lo) and not pd.isna(row.st_china_net_lo)


def test_stratified_sample_stores_each_stratum_probability(copy, codebook):
    project, _ = copy
    frame = {f"p{i}": ("big" if i < 80 else "small") for i in range(100)}
    members = draw(frame, 10, seed=0)
    probabilities = {stratum: p for stratum, p in members.values()}
    assert sum(s == "big" for s, _ in members.values()) == 8
    assert probabilities == {"big": 8 / 80, "small": 2 / 20}
    grown = draw(frame, 20, seed=5, held=members)
    assert set(members) <= set(grown) and len(grown) == 20
    assert {s: p for s, p in grown.values()} == {"big": 16 / 80, "small": 4 / 20}
    store = Store(project, create=False)
    try:
        choose = validation_chooser(codebook, size=30, share=None, strata=["source_country"], seed=0,
                                    name="by_country", dims=["stance"])
        chosen = choose(store, {i.passage_id for i in collect_items(store, ["stance"], codebook)})
        sample = load_sample(store, "by_country")
    finally:
        store.dispose()
    assert len(chosen) == 30 and sample.design["strata"] == ["source_country"]
    assert {v for v in sample.members.values()} == {("source_country=KAZ", 0.1), ("source_country=KGZ", 0.1)}


def test_stratum_weights_correct_an_oversampled_stratum():
    """Half the cell is stratum A (model right), half B (model always wrong); the sample takes
    40 of A and 10 of B. Unweighted, the rectifier sees mostly A; with 1/probability weights
    the corrected share lands on the truth."""
    rng = np.random.default_rng(0)
    gold = np.r_[rng.random(200) < 0.5, np.ones(200)].astype(float)
    model = np.r_[gold[:200], np.zeros(200)]
    validated = np.zeros(400, dtype=bool)
    validated[rng.choice(200, 40, replace=False)] = True
    validated[200 + rng.choice(200, 10, replace=False)] = True
    weights = np.r_[np.full(200, 200 / 40), np.full(200, 200 / 10)]
    clusters = np.arange(400)
    truth = gold.mean()
    weighted = corrected_mean("share", model, clusters, validated, gold, weights)
    flat = corrected_mean("share", model, clusters, validated, gold, np.ones(400))
    assert weighted.lo <= truth <= weighted.hi
    assert abs(weighted.value - truth) < abs(flat.value - truth)


def test_passages_repeated_inside_one_source_widen_the_interval():
    """The same 40 passages, then each repeated five times inside its source: the corrected
    interval must not shrink as if there were 200 independent passages."""
    rng = np.random.default_rng(1)
    gold = (rng.random(40) < 0.4).astype(float)
    model = np.where(rng.random(40) < 0.8, gold, 1 - gold)
    sources = np.arange(40)
    validated = np.zeros(40, dtype=bool)
    validated[:20] = True
    once = corrected_mean("share", model, sources, validated, gold, np.full(40, 2.0))
    repeat = corrected_mean("share", np.repeat(model, 5), np.repeat(sources, 5),
                            np.repeat(validated, 5), np.repeat(gold, 5), np.full(200, 2.0))
    naive = corrected_mean("share", np.repeat(model, 5), np.arange(200), np.repeat(validated, 5),
                           np.repeat(gold, 5), np.full(200, 2.0))
    assert repeat.hi - repeat.lo > naive.hi - naive.lo
    assert repeat.hi - repeat.lo == pytest.approx(once.hi - once.lo, rel=0.25)


def test_small_n_interval_is_not_zero_width():
    """Ten coded passages on which the model agreed with every coder: still a real interval."""
    model = np.r_[np.ones(10), np.zeros(90)]
    validated = np.r_[np.ones(10, dtype=bool), np.zeros(90, dtype=bool)]
    result = corrected_mean("share", model, np.arange(100), validated, model, np.full(100, 10.0))
    assert result.flag is None and result.hi - result.lo > 0.1


def test_panel_export_carries_the_corrected_columns(copy, codebook, tmp_path):
    project, gold = copy
    _validate_60(project, codebook, gold, tmp_path)
    readers = {".dta": pd.read_stata, ".parquet": pd.read_parquet, ".csv": pd.read_csv}
    for suffix, read in readers.items():
        written = export_project(project, "panel", tmp_path / f"panel{suffix}", by=["source_country"])
        frame = read(written[0])
        assert {"st_china_net_ppi", "st_china_net_ppi_lo", "st_china_n_validated",
                "st_china_ppi_flag", "one_source"} <= set(frame.columns)
        assert frame["st_china_n_validated"].sum() == 60
        manifest = next(p for p in written if p.name.endswith("manifest.json")).read_text()
        assert "prediction-powered" in manifest and '"sample": "validation"' in manifest
    data = tmp_path / "gdp.csv"
    data.write_text("country,gdp\nKazakhstan,1\nKyrgyzstan,2\n", encoding="utf-8")
    merge_panel(project, data, "country", tmp_path / "merged.csv")
    merged = pd.read_csv(tmp_path / "merged.csv")
    assert merged["st_china_n_validated"].sum() == 60 and merged["st_china_net_ppi"].notna().all()


@pytest.mark.slow
def test_report_headlines_the_corrected_figures(copy, codebook, tmp_path):
    """With a coded validation sample the stance chart draws the corrected net index (the
    exported *_ppi values), says so, and the review section compares the model with the coders;
    without one, the chart is marked not validated."""
    from report_checks import cell_rows, report_data

    from stancemap.datasets.report.build import build_report

    project, gold = copy
    before = tmp_path / "before.html"
    build_report(project, before, by=["source_country"], echo=lambda line: None)
    assert "not validated" in before.read_text(encoding="utf-8")
    _validate_60(project, codebook, gold, tmp_path)
    report = tmp_path / "report.html"
    build_report(project, report, by=["source_country"], echo=lambda line: None)
    html = report.read_text(encoding="utf-8")
    assert "Model vs coders (validation sample)" in html and "macro-F1" in html
    figure = next(f for f in report_data(report)["figures"] if f["id"] == "stance-china")
    assert figure["panel"]["value"] == "st_china_net_ppi" and "corrected" in figure["title"]
    panel = _panel(project, codebook).set_index("source_country")
    for row in cell_rows(figure["spec"]):
        assert row["st_china_net_ppi"] == pytest.approx(panel.loc[row["source_country"], "st_china_net_ppi"],
                                                        abs=1e-6)
    figures = {f["id"]: f for f in report_data(report)["figures"]}
    assert figures["map-stance"]["panel"]["value"] == "st_china_net_ppi"
    assert "corrected" in figures["map-stance"]["title"]
    before_figures = {f["id"]: f for f in report_data(before)["figures"]}
    assert "not validated" in before_figures["map-stance"]["title"]
    from stancemap.datasets.report.plots import plot_figures

    store = Store(project, create=False)
    try:  # `stancemap plot --what stance` draws the same corrected figure
        plotted = plot_figures(store, codebook, Config(), "stance", ["source_country"])
    finally:
        store.dispose()
    assert next(f for f in plotted if f.id == "stance-china").panel["value"] == "st_china_net_ppi"


def test_a_stance_a_coder_removed_stays_in_the_correction_not_in_the_counts(copy, codebook, tmp_path):
    """A coder says a sample passage takes no stance toward China ("none"): it leaves the
    passage counts and the model-only shares, and enters the correction as neutral."""
    project, gold = copy
    choose = validation_chooser(codebook, size=20, share=None, strata=[], seed=4, name="validation",
                                dims=["stance"])
    out = tmp_path / "g.csv"
    export_review(project, out, codebook, fmt="csv", dims=["stance"], choose=choose)
    removed = pd.read_csv(out)["passage_id"].iloc[0]
    fill_review_csv(out, {**gold, removed: "none"})
    import_review(project, out, codebook, annotator="coder")
    row = _panel(project, codebook, by=["target"]).set_index("target").loc["china"]
    assert row.n_passages == 299 and row.st_n == 299
    assert row.st_n_validated == 20
    store = Store(project, create=False)
    try:
        values = load_validation(store, codebook).values
    finally:
        store.dispose()
    assert values.loc[removed, "gold_stance_china"] == "neutral"
