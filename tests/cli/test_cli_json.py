"""Every command is scriptable: --json (results and errors as JSON, exit codes unchanged),
--quiet, and -V."""

import json
import sys

import pytest
import typer

from stancemap.cli.main import app, main


def leaf_commands():
    """(name path, click command) for every command, sub-commands of `review` and `codebook` too."""
    def walk(command, path):
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, command
    return list(walk(typer.main.get_command(app), []))


def run_main(args, capsys, monkeypatch):
    """The console script as a user runs it: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["stancemap", *map(str, args)])
    with pytest.raises(SystemExit) as ended:
        main()
    out = capsys.readouterr()
    code = ended.value.code
    return (0 if code is None else code), out.out, out.err


def failing_args(path, command, tmp_path):
    """The command's required arguments, pointing at things that do not exist."""
    args = list(path)
    for param in command.params:
        if param.param_type_name == "argument":
            args.append(tmp_path / "missing.csv")
        elif param.required:
            name = param.opts[0]
            value = {"--project": tmp_path / "no-project", "--out": tmp_path / "out.csv"}.get(name, "stance")
            args += [name, value]
    if len(args) == len(path):  # nothing required (codebook show): a codebook that is not there
        args += ["--codebook", tmp_path / "missing.yaml"]
    return args


def test_every_command_has_json_and_quiet():
    commands = leaf_commands()
    assert len(commands) >= 20
    for path, command in commands:
        options = {opt for param in command.params for opt in param.opts}
        assert {"--json", "--quiet"} <= options, f"{' '.join(path)} lacks --json or --quiet"


@pytest.mark.slow
def test_every_command_reports_errors_as_json_with_the_same_exit_code(tmp_path, capsys, monkeypatch):
    for path, command in leaf_commands():
        args = failing_args(path, command, tmp_path)
        plain_code, _, plain_err = run_main(args, capsys, monkeypatch)
        code, out, err = run_main([*args, "--json"], capsys, monkeypatch)
        shown = " ".join(map(str, args))
        assert code == plain_code and code != 0, shown
        error = json.loads(out)
        assert error["exit_code"] == code and error["error"], shown
        assert "Traceback" not in err, shown


def test_a_command_line_mistake_is_json_too(capsys, monkeypatch):
    code, out, _ = run_main(["export", "--level", "panel", "--json"], capsys, monkeypatch)
    assert code == 2
    assert "--project" in json.loads(out)["error"] or "--out" in json.loads(out)["error"]


def test_results_as_json_and_quiet_prints_nothing(tmp_path, capsys, monkeypatch):
    from conftest import ROOT

    book = ROOT / "annotations" / "data" / "default_codebook.yaml"
    code, out, _ = run_main(["codebook", "validate", book, "--json"], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["valid"] is True
    code, out, err = run_main(["codebook", "validate", book, "--quiet"], capsys, monkeypatch)
    assert (code, out, err) == (0, "", "")
    code, out, _ = run_main(["codebook", "validate", book], capsys, monkeypatch)
    assert "valid" in out  # --quiet of the run before does not leak into this one


def test_short_version_flag(capsys, monkeypatch):
    code, out, _ = run_main(["-V"], capsys, monkeypatch)
    assert code == 0 and out.startswith("stancemap ")
