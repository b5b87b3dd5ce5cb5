"""A classifier fine-tuned from the bundled all-MiniLM-L6-v2 encoder, on the CPU.

The encoder's token vectors are mean-pooled (as the sentence encoder does) and fed to a linear
head; encoder and head are trained together. Stance reads (target, passage) as a sentence pair.
Weights are saved as safetensors next to the encoder's config and tokenizer, so loading never
unpickles anything."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from stancemap.errors import Errors, ModelError
from stancemap.nlp.encoder import quiet_transformers

WEIGHTS = "model.safetensors"
SETTINGS = "classifier.json"
PASSES = 4800


def _network(encoder, classes: int):
    import torch

    class PooledClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(encoder.config.hidden_size, classes)

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(self.dropout(pooled))

    return PooledClassifier()


class TransformerClassifier:
    """scikit-learn-shaped: hyperparameters here, learned state in `*_` attributes.

    `inputs` everywhere are (target label or "", text) pairs. `epochs` None: as many as make
    about 4,800 passage passes, between 2 and 6 (small sets need more passes; 2,000 passages
    must train in minutes on two cores). `trainable_layers` k: only the encoder's top k layers
    (and the head) learn; the rest stay the bundled encoder's, and only what learnt is saved —
    a model small enough to ship."""

    def __init__(self, multi_label: bool = False, epochs: int | None = None, batch_size: int = 16,
                 learning_rate: float = 1e-4, head_learning_rate: float = 2e-3,
                 max_length: int = 128, seed: int = 0, encoder_path: Path | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 trainable_layers: int | None = None):
        self.multi_label = multi_label
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.head_learning_rate = head_learning_rate
        self.max_length = max_length
        self.seed = seed
        self.encoder_path = encoder_path
        self.progress = progress
        self.trainable_layers = trainable_layers

    def _batch(self, inputs: list[tuple[str, str]]):
        targets = [target for target, _ in inputs]
        texts = [text for _, text in inputs]
        if any(targets):
            return self.tokenizer_(targets, texts, truncation="only_second", padding=True,
                                   max_length=self.max_length, return_tensors="pt")
        return self.tokenizer_(texts, truncation=True, padding=True, max_length=self.max_length,
                               return_tensors="pt")

    def _targets(self, labels: list) -> np.ndarray:
        index = {label: i for i, label in enumerate(self.classes_)}
        if self.multi_label:
            matrix = np.zeros((len(labels), len(self.classes_)), dtype=np.float32)
            for row, values in enumerate(labels):
                for value in values:
                    matrix[row, index[value]] = 1.0
            return matrix
        return np.array([index[label] for label in labels], dtype=np.int64)

    def fit(self, inputs: list[tuple[str, str]], labels: list, sample_weight=None):
        import torch
        from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

        from stancemap.nlp.encoder import bundled_encoder_path

        quiet_transformers()
        torch.manual_seed(self.seed)
        path = Path(self.encoder_path) if self.encoder_path else bundled_encoder_path()
        self.tokenizer_ = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        encoder = AutoModel.from_pretrained(str(path), local_files_only=True)
        self.encoder_config_ = encoder.config.to_dict()
        if self.trainable_layers is not None:
            frozen = [encoder.embeddings, *encoder.encoder.layer[:-self.trainable_layers or None]]
            for module in frozen:
                module.requires_grad_(False)
        self.classes_ = (sorted({v for values in labels for v in values}) if self.multi_label
                         else sorted(set(labels)))
        self.network_ = _network(encoder, len(self.classes_))
        targets = torch.from_numpy(self._targets(labels))
        weights = torch.tensor(np.ones(len(inputs)) if sample_weight is None else sample_weight,
                               dtype=torch.float32)
        if self.multi_label:
            loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
        else:  # balanced class weights, as the TF-IDF model's
            counts = np.bincount(targets.numpy(), minlength=len(self.classes_))
            balance = len(labels) / (len(self.classes_) * np.maximum(counts, 1))
            loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(balance, dtype=torch.float32),
                                                reduction="none")
        optimiser = torch.optim.AdamW([
            {"params": [p for p in self.network_.encoder.parameters() if p.requires_grad],
             "lr": self.learning_rate},
            {"params": self.network_.head.parameters(), "lr": self.head_learning_rate}],
            weight_decay=0.01)
        self.epochs_ = self.epochs or min(6, max(2, math.ceil(PASSES / len(inputs))))
        per_epoch = math.ceil(len(inputs) / self.batch_size)
        total = per_epoch * self.epochs_
        schedule = get_linear_schedule_with_warmup(optimiser, max(1, total // 10), total)
        order = np.random.default_rng(self.seed)
        self.network_.train()
        step = 0
        for _ in range(self.epochs_):
            shuffled = order.permutation(len(inputs))
            for start in range(0, len(inputs), self.batch_size):
                rows = shuffled[start:start + self.batch_size]
                logits = self.network_(**self._batch([inputs[i] for i in rows]))
                loss = loss_fn(logits, targets[rows])
                if self.multi_label:
                    loss = loss.mean(dim=1)
                loss = (loss * weights[rows]).sum() / weights[rows].sum()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.network_.parameters(), 1.0)
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                step += 1
                if self.progress:
                    self.progress(step, total)
        self.network_.eval()
        return self

    def predict_proba(self, inputs: list[tuple[str, str]]) -> np.ndarray:
        """Batches of similar length, so short passages are not padded to the longest."""
        import torch

        order = sorted(range(len(inputs)), key=lambda i: len(inputs[i][1]))
        found = np.zeros((len(inputs), len(self.classes_)), dtype=np.float64)
        with torch.inference_mode():
            for start in range(0, len(order), 64):
                rows = order[start:start + 64]
                logits = self.network_(**self._batch([inputs[i] for i in rows]))
                scores = torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)
                found[rows] = scores.numpy()
        return found

    def predict(self, inputs: list[tuple[str, str]]) -> list:
        scores = self.predict_proba(inputs)
        if self.multi_label:
            return [tuple(c for c, p in zip(self.classes_, row) if p >= 0.5) for row in scores]
        return [self.classes_[i] for i in scores.argmax(axis=1)]

    def hyperparameters(self) -> dict:
        return {"max_length": self.max_length, "epochs": self.epochs_, "batch_size": self.batch_size,
                "learning_rate": self.learning_rate, "head_learning_rate": self.head_learning_rate,
                "seed": self.seed, "trainable_layers": self.trainable_layers}

    def save(self, folder: Path, half: bool = False) -> None:
        """With `trainable_layers`, only the weights that learnt are written (the rest are the
        bundled encoder's); `half`: in fp16 (loaded back as fp32)."""
        import torch
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        learnt = {name for name, p in self.network_.named_parameters() if p.requires_grad}
        state = {k: (v.to(torch.float16) if half and v.is_floating_point() else v).contiguous()
                 for k, v in self.network_.state_dict().items()
                 if self.trainable_layers is None or k in learnt}
        save_file(state, str(folder / WEIGHTS))
        if self.trainable_layers is None:
            self.tokenizer_.save_pretrained(str(folder))
        (folder / "config.json").write_text(json.dumps(self.encoder_config_, indent=2), "utf-8")
        settings = {"classes": self.classes_, "multi_label": self.multi_label, **self.hyperparameters()}
        (folder / SETTINGS).write_text(json.dumps(settings, indent=2), "utf-8")

    @classmethod
    def load(cls, folder: Path) -> TransformerClassifier:
        from safetensors import SafetensorError
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer, BertConfig

        folder = Path(folder)
        if not (folder / WEIGHTS).exists() or not (folder / SETTINGS).exists():
            raise ModelError(Errors.E032.format(path=folder, what="stancemap transformer model",
                                                reason=f"{WEIGHTS} or {SETTINGS} is missing"))
        quiet_transformers()
        settings = json.loads((folder / SETTINGS).read_text("utf-8"))
        model = cls(settings["multi_label"], settings["epochs"], settings["batch_size"],
                    settings["learning_rate"], settings["head_learning_rate"],
                    settings["max_length"], settings["seed"],
                    trainable_layers=settings.get("trainable_layers"))
        model.classes_ = settings["classes"]
        model.epochs_ = settings["epochs"]
        model.encoder_config_ = json.loads((folder / "config.json").read_text("utf-8"))
        partial = model.trainable_layers is not None
        if partial:  # the layers that did not learn are the bundled encoder's
            from stancemap.nlp.encoder import bundled_encoder_path

            base = bundled_encoder_path()
            model.tokenizer_ = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
            encoder = AutoModel.from_pretrained(str(base), local_files_only=True)
        else:
            model.tokenizer_ = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            encoder = AutoModel.from_config(BertConfig.from_dict(model.encoder_config_))
        model.network_ = _network(encoder, len(model.classes_))
        try:
            state = {k: v.float() if v.is_floating_point() else v
                     for k, v in load_file(str(folder / WEIGHTS)).items()}
            missing, unexpected = model.network_.load_state_dict(state, strict=not partial)
            if unexpected or (partial and "head.weight" in missing):
                raise RuntimeError(f"weights that do not fit the network: {unexpected or missing}")
        except (RuntimeError, SafetensorError) as err:  # truncated, foreign or mismatched weights
            raise ModelError(Errors.E032.format(path=folder, what="stancemap transformer model",
                                                reason=str(err).splitlines()[0])) from err
        model.network_.eval()
        return model
