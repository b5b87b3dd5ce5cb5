"""Shared fixtures: paths to tiny test files, the shared real-world test data, the examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancemap.config import Config
from stancemap.corpus.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
HOSTILE = SHARED / "testdata" / "hostile-inputs"
UNGDC = SHARED / "corpus-demo" / "ungdc"

needs_shared = pytest.mark.skipif(
    not HOSTILE.is_dir(),
    reason=f"shared test data not found at {SHARED} (CI checks it out beside the repository)")


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def ingest_folder(tmp_path):
    """Ingest a folder into a fresh project under tmp_path and return (report, project)."""

    def run(folder: Path, project: Path | None = None, **kwargs):
        project = project or tmp_path / "project"
        kwargs.setdefault("config", Config())
        return ingest(folder, project, **kwargs), project

    return run
