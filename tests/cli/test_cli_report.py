"""`stancemap report` and `stancemap plot` as a user types them: files written, a summary, clear
errors with exit codes, plots in each format."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import invoke


def test_report_command_writes_html_and_network(coded_project, tmp_path):
    out = tmp_path / "r.html"
    result = invoke("report", "--project", coded_project, "--out", out, "--by", "source_country,kind",
                    "--max-passages", "50")
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / "r.entities.gexf").exists() and (tmp_path / "r.entities.graphml").exists()
    assert f"wrote {out}" in result.output and "(text of 50 of 175 passages: --max-passages)" in result.output
    assert "[1/9] passage table" in result.output  # progress lines, also when not a terminal


@pytest.mark.parametrize("args, message, code", [
    (["--by", "planet"], "Unknown --by dimension 'planet' for the report", 2),
    (["--out", "report.pdf"], "must end in .html", 2),
])
def test_report_command_errors(coded_project, tmp_path, args, message, code):
    args = [a if a != "report.pdf" else tmp_path / a for a in args]
    result = invoke("report", "--project", coded_project, *args)
    assert result.exit_code == code and message in result.output and "Traceback" not in result.output


def test_report_on_a_missing_project(tmp_path):
    result = invoke("report", "--project", tmp_path / "nope")
    assert result.exit_code != 0 and "Project not found" in result.output


@pytest.mark.parametrize("what, suffix, magic", [("stance", ".png", b"\x89PNG"), ("sectors", ".svg", b"<svg"),
                                                 ("map", ".pdf", b"%PDF")])
def test_plot_command_formats(coded_project, tmp_path, what, suffix, magic):
    out = tmp_path / f"{what}{suffix}"
    result = invoke("plot", "--project", coded_project, "--what", what, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


@pytest.mark.parametrize("args, message", [
    (["--what", "pie", "--out", "x.png"], "Unknown --what 'pie'"),
    (["--what", "map", "--out", "x.gif"], "Unknown plot format '.gif'"),
    (["--what", "topics", "--out", "x.png"], "Nothing to plot for --what topics"),
])
def test_plot_command_errors(coded_project, tmp_path, args, message):
    result = invoke("plot", "--project", coded_project, *[tmp_path / a if a.startswith("x.") else a for a in args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_plot_numbers_are_the_report_numbers(coded_project, codebook):
    from stancemap.corpus.store import Store
    from stancemap.config import Config
    from stancemap.datasets.report.plots import plot_figures
    from stancemap.datasets.panel import panel_table
    from stancemap.datasets.report.build import load_table

    store = Store(coded_project, create=False)
    try:
        figures = plot_figures(store, codebook, Config(), "stance", ["source_country", "year"])
        panel = panel_table(load_table(store, codebook), ["source_country", "year"], codebook)
    finally:
        store.dispose()
    china = next(f for f in figures if f.id == "stance-china")
    unit = next(layer for layer in china.spec["layer"] if layer.get("name") == "cells")
    rows = unit.get("data", china.spec.get("data"))["values"]
    drawn = {(r["source_country"], r["year"]): r["st_china_net"] for r in rows}
    expected = {(None if pd.isna(r.source_country) else r.source_country, r.year): round(r.st_china_net, 6)
                for r in panel.itertuples() if r.st_china_net == r.st_china_net}
    assert drawn == expected
