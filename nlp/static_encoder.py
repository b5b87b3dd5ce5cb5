"""A static MiniLM: model2vec's distillation of the bundled all-MiniLM-L6-v2. Each token's vector
is MiniLM's output for that token alone (PCA-reduced, weighted down for frequent tokens), a text's
vector the mean of its tokens' vectors — a table lookup, no transformer at coding time, so the
English cascades use it as their middle member (nlp/default_models.py).

Distilled by the training script (`distil`, needs model2vec and torch), shipped as
nlp/models/minilm-static.npz: float16 vectors and the distilled tokenizer's JSON. Coding reads
it with `tokenizers` alone: the ~20 lines of `StaticEncoder.encode` are model2vec's
StaticModel.encode (tokens without [CLS]/[SEP], unknown tokens dropped, at most 512, mean,
L2 norm), so model2vec itself is a training dependency only."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from stancemap.errors import Errors, ModelError

STATIC_FILE = "minilm-static.npz"
MAX_TOKENS = 512  # model2vec's default truncation


def distil(path: Path, dims: int) -> dict[str, np.ndarray]:
    """The static model's arrays, distilled from the MiniLM folder `path` (offline): `vectors`
    (tokens x `dims`, float16) and `tokenizer` (its JSON). Deterministic: one forward pass per
    token on the CPU and an eigendecomposition PCA, nothing drawn (so no seed)."""
    from stancemap.nlp.encoder import quiet_transformers

    quiet_transformers()
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(str(path), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True, use_fast=True)
    static = distill_from_model(model, tokenizer, device="cpu", pca_dims=dims, quantize_to="float16")
    return {"vectors": np.asarray(static.embedding, dtype=np.float16),
            "tokenizer": np.array(static.tokenizer.to_str())}


class StaticEncoder:
    """The shipped static MiniLM (`path`: its .npz). Its version names the weights (dimensions
    and a hash of the vectors), so codes and heads made with it are never taken for MiniLM's."""

    def __init__(self, path: Path | None = None):
        from stancemap.nlp.default_models import MODELS_DIR

        self.path = Path(path) if path else MODELS_DIR / STATIC_FILE
        self._loaded = None

    def _load(self):
        if self._loaded is None:
            if not self.path.exists():
                raise ModelError(Errors.E121.format(name="static MiniLM", path=self.path, dimension="stance"))
            from tokenizers import Tokenizer

            with np.load(self.path, allow_pickle=False) as stored:
                vectors = stored["vectors"]
                tokenizer = Tokenizer.from_str(str(stored["tokenizer"]))
            tokenizer.no_padding()
            tokenizer.enable_truncation(MAX_TOKENS)
            digest = hashlib.sha1(vectors.tobytes()).hexdigest()[:10]
            self._loaded = (tokenizer, vectors.astype(np.float32), tokenizer.token_to_id("[UNK]"), digest)
        return self._loaded

    @property
    def dims(self) -> int:
        return self._load()[1].shape[1]

    @property
    def version(self) -> str:
        from stancemap.nlp.encoder import ENCODER_NAME

        return f"{ENCODER_NAME}-static{self.dims}-{self._load()[3]}"

    def encode(self, texts: list[str]) -> np.ndarray:
        tokenizer, vectors, unknown, _ = self._load()
        found = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        for row, encoding in enumerate(tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)):
            ids = [i for i in encoding.ids if i != unknown]
            if ids:
                found[row] = vectors[ids].mean(axis=0)
        norms = np.linalg.norm(found, axis=1, keepdims=True)
        return found / np.where(norms > 0, norms, 1.0)
