"""The bundled MiniLM on ONNX Runtime: exported from the bundled weights on this machine (never
downloaded), optionally with its MatMul weights quantised to int8 per channel.

The export (torch) runs once, into the cache folder beside the unpacked weights, either by
`scripts/export_minilm_onnx.py` or on first use; coding then needs only onnxruntime and the
tokenizer (`tokenizers`, reading the bundled tokenizer.json: the same ids as transformers'
AutoTokenizer, without importing transformers, which costs a coding process seconds to start).
Embeddings are mean-pooled over the attention mask and L2-normalised, as
sentence-transformers pools all-MiniLM-L6-v2 (max 256 tokens): the fp32 export reproduces
torch's vectors (cosine 1.0000), int8 moves them slightly.

Each text runs alone: int8 quantises activations per run, so in a batch a text's vector would
move with its batch-mates (and a run on two processes, or on Dask, would code otherwise than on
one); alone it does not, and without padding it is faster too (5.0 against 7.4 CPU-s for 300
UN passages on one thread)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from stancemap.errors import Errors, ModelError
from stancemap.nlp.encoder import ENCODER_NAME, bundled_encoder_path, quiet_transformers

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MAX_TOKENS = 256  # the bundled model's sentence_bert_config.json


def onnx_path(weights: Path, variant: str) -> Path:
    return weights.with_name(weights.name + "-onnx") / f"model-{variant}.onnx"


def export(weights: Path, variant: str) -> Path:
    """Export the transformer at `weights` to ONNX (opset 17) and, for "int8", quantise it
    dynamically (onnxruntime.quantization, per-channel int8 weights). Written atomically."""
    import warnings

    import torch
    from transformers import AutoModel, AutoTokenizer

    quiet_transformers()  # no progress bars while loading the weights
    fp32 = onnx_path(weights, "fp32")
    if not fp32.exists():
        fp32.parent.mkdir(parents=True, exist_ok=True)
        model = AutoModel.from_pretrained(str(weights)).eval()

        class Hidden(torch.nn.Module):  # the token states, by keyword (forward's order changes)
            def __init__(self):
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.model(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        sample = AutoTokenizer.from_pretrained(str(weights))(["a sentence", "and another one"],
                                                             padding=True, return_tensors="pt")
        partial = fp32.with_name(f"{fp32.name}.{os.getpid()}.partial")  # processes may race
        with torch.no_grad(), warnings.catch_warnings():  # the tracer's notes on BERT's masks
            warnings.simplefilter("ignore")
            torch.onnx.export(Hidden(), tuple(sample[k] for k in INPUTS), str(partial),
                              input_names=list(INPUTS), output_names=["hidden"], opset_version=17,
                              dynamic_axes={k: {0: "batch", 1: "tokens"} for k in (*INPUTS, "hidden")},
                              dynamo=False)
        os.replace(partial, fp32)
    target = onnx_path(weights, variant)
    if variant == "int8" and not target.exists():
        import logging

        from onnxruntime.quantization import QuantType, quantize_dynamic

        logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process first
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(partial, target)
    return target


class OnnxEncoder:
    """`encode(texts)` -> normalised embeddings, as SentenceEncoder gives them, one text per run."""

    def __init__(self, variant: str = "int8", threads: int | None = None, weights: Path | None = None):
        self.variant = variant
        self.threads = threads
        self.weights = weights
        self._session = self._tokenizer = None
        self._version = None

    @property
    def version(self) -> str:
        """Names the exported file by its hash: an export made by other torch or onnxruntime
        versions (int8 weights can move) is never taken for the one a head was fitted on."""
        if self._version is None:
            import hashlib

            digest = hashlib.sha256(self._file().read_bytes()).hexdigest()[:10]
            self._version = f"{ENCODER_NAME}-onnx-{self.variant}-{digest}"
        return self._version

    def _file(self) -> Path:
        """The exported model, exported first when this machine has none yet."""
        weights = self.weights or bundled_encoder_path()
        path = onnx_path(weights, self.variant)
        return path if path.exists() else export(weights, self.variant)

    def _load(self) -> None:
        try:
            import onnxruntime
        except ImportError as err:
            raise ModelError(Errors.E030.format(package="onnxruntime", extra="torch")) from err
        from tokenizers import Tokenizer

        path = self._file()
        options = onnxruntime.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
        self._session = onnxruntime.InferenceSession(str(path), options,
                                                     providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str((self.weights or bundled_encoder_path()) / "tokenizer.json"))
        self._tokenizer.no_padding()  # the file pads and truncates to 128; one text needs neither pad
        self._tokenizer.enable_truncation(MAX_TOKENS)

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._session is None:
            self._load()
        found = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = self._tokenizer.encode(text)
            feed = dict(zip(INPUTS, (np.array([ids], dtype=np.int64) for ids in
                                     (tokens.ids, tokens.attention_mask, tokens.type_ids))))
            hidden = self._session.run(None, feed)[0]
            pooled = hidden[0].mean(axis=0)  # one text, no padding: every token counts
            found[row] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return found
