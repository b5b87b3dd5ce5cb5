"""The top-level folders are installed under `stancemap.*` and nowhere else, and import one another
in one direction only."""

import ast
import subprocess
import sys

import stancemap.annotations
import stancemap.cli
import stancemap.corpus
import stancemap.datasets
import stancemap.nlp
from conftest import ROOT


def test_packages_come_from_the_top_level_folders():
    for module, folder in ((stancemap.corpus, "corpus"), (stancemap.nlp, "nlp"),
                           (stancemap.cli, "cli"), (stancemap.annotations, "annotations"),
                           (stancemap.datasets, "datasets")):
        assert module.__file__.startswith(str(ROOT / folder))


def test_bare_top_level_imports_fail(tmp_path):
    for name in ("corpus", "nlp", "cli", "annotations", "datasets"):
        result = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=tmp_path,
                                capture_output=True, text=True)
        assert result.returncode != 0, f"`import {name}` should fail but worked"
        assert "ModuleNotFoundError" in result.stderr


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "stancemap.cli.main", "--version"],
                            capture_output=True, text=True, cwd=ROOT.parent)
    assert result.returncode == 0
    assert result.stdout.startswith("stancemap ")


# which packages each package may import: data flows corpus → annotations → nlp → datasets → cli
# (the top-level `stancemap` modules — config, errors, version — are shared by all)
ALLOWED_IMPORTS = {
    "corpus": {"corpus"},
    "annotations": {"corpus", "annotations"},
    "nlp": {"corpus", "annotations", "nlp"},
    "datasets": {"corpus", "annotations", "nlp", "datasets"},
    "cli": {"corpus", "annotations", "nlp", "datasets", "cli"},
}
BASE_MODULES = {"config", "errors", "__init__", "__main__"}


def _stancemap_imports(path):
    """(line, package) for every `stancemap.<package>` import in a file, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "stancemap" and len(parts) > 1 and parts[1] not in BASE_MODULES:
                yield node.lineno, parts[1]


def test_imports_flow_one_way():
    wrong = []
    for package, allowed in ALLOWED_IMPORTS.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, imported in _stancemap_imports(path):
                if imported not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports stancemap.{imported}")
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_base_modules_import_only_corpus():
    for path in sorted((ROOT / "stancemap").glob("*.py")):
        for line, imported in _stancemap_imports(path):
            assert imported in {"corpus", "cli"}, f"{path.name}:{line} imports stancemap.{imported}"
