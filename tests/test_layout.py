"""The four top-level folders are installed under `stancemap.*` and nowhere else."""

import subprocess
import sys

import stancemap.annotations
import stancemap.cli
import stancemap.corpus
import stancemap.nlp
from conftest import ROOT


def test_packages_come_from_the_top_level_folders():
    for module, folder in ((stancemap.corpus, "corpus"), (stancemap.nlp, "nlp"),
                           (stancemap.cli, "cli"), (stancemap.annotations, "annotations")):
        assert module.__file__.startswith(str(ROOT / folder))


def test_bare_top_level_imports_fail(tmp_path):
    for name in ("corpus", "nlp", "cli", "annotations"):
        result = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=tmp_path,
                                capture_output=True, text=True)
        assert result.returncode != 0, f"`import {name}` should fail but worked"
        assert "ModuleNotFoundError" in result.stderr


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "stancemap.cli.main", "--version"],
                            capture_output=True, text=True, cwd=ROOT.parent)
    assert result.returncode == 0
    assert result.stdout.startswith("stancemap ")
