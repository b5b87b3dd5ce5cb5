"""The notebook API returns the exports' own tables; the example notebook runs."""

import json

import pandas as pd
import pytest

import stancemap
from conftest import EXAMPLES, invoke
from stancemap.datasets.writers import typed


def cli_export(project, level, out, *extra):
    result = invoke("export", "--project", project, "--level", level, "--out", out, "--json", *extra)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["written"][0] == str(out)
    return pd.read_parquet(out), pd.read_csv(f"{out}.dictionary.csv", keep_default_na=False)


def plain(frame):
    """Values as Python objects, None for every kind of missing (Arrow strings, NaN, NA)."""
    return frame.astype(object).where(frame.notna(), None)


@pytest.mark.slow
@pytest.mark.parametrize("level, call", [
    ("passages", lambda p: p.passages()), ("codes", lambda p: p.codes()),
    ("mentions", lambda p: p.mentions()), ("panel", lambda p: p.panel()),
    ("index", lambda p: p.index(min_sources=1)), ("dyad", lambda p: p.dyads())])
def test_api_tables_are_the_cli_exports(coded_project, tmp_path, level, call):
    project = stancemap.open_project(coded_project)
    table = call(project)
    extra = ["--min-sources", "1"] if level == "index" else []
    exported, dictionary = cli_export(coded_project, level, tmp_path / f"{level}.parquet", *extra)
    assert list(table.columns) == list(exported.columns)
    ours = project.dictionary(table)
    assert ours.to_dict("records") == dictionary[list(ours.columns)].to_dict("records")
    types = dict(zip(ours["column"], ours["type"]))
    for column in [c for c, t in types.items() if t == "date"]:  # parquet holds dates as dates
        exported[column] = pd.to_datetime(exported[column])
    pd.testing.assert_frame_equal(plain(typed(table, types).reset_index(drop=True)), plain(exported))
    assert len(table) > 0


def test_open_project_errors_are_the_cli_errors(tmp_path):
    from stancemap.errors import StancemapError

    with pytest.raises(StancemapError, match="Project not found"):
        stancemap.open_project(tmp_path / "nothing").panel()


@pytest.mark.slow
def test_the_example_notebook_runs(coded_project, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("STANCEMAP_PROJECT", str(coded_project))
    notebook = nbformat.read(EXAMPLES / "notebooks" / "stancemap_in_a_notebook.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = "".join(o.get("text", "") + json.dumps(o.get("data", {})) for o in outputs)
    assert "explained variance" in shown and "st_dest_net" in shown


def test_merge_takes_a_data_frame_and_gives_the_cli_merge(coded_project, tmp_path):
    from stancemap.datasets.merge import merge_panel

    data = pd.DataFrame({"country": ["Kazakhstan", "KG", "Atlantis"], "year": [2024, 2024, 2024],
                         "trade": [1.5, 0.4, 9.0]})
    data.to_csv(tmp_path / "trade.csv", index=False)
    merged = stancemap.open_project(coded_project).merge(data, on="country,year")
    report = merge_panel(coded_project, tmp_path / "trade.csv", "country,year", tmp_path / "m.parquet")
    assert merged.attrs["merge"] == report.to_json() | {"written": merged.attrs["merge"]["written"]}
    assert merged.attrs["merge"]["matched_rows"] == 2 and merged.attrs["merge"]["unresolved_countries"] == ["Atlantis"]
    assert list(merged["country"]) == ["Kazakhstan", "KG", "Atlantis"]  # every row once, in order
    exported = pd.read_parquet(tmp_path / "m.parquet")
    assert list(merged.columns) == list(exported.columns)
    assert merged["n_passages"].tolist()[:2] == exported["n_passages"].tolist()[:2]
    assert pd.isna(merged["n_passages"].iloc[2])  # Atlantis matches no cell: no invented count
