"""TF-IDF features (words, and character n-grams within words, which carry inflections and
spelling variants) with logistic regression: the fast trainable classifier."""

from __future__ import annotations

import numpy as np


def joined(inputs: list[tuple[str, str]]) -> list[str]:
    """Stance is about a target: the bag of words reads the target's label before the text."""
    return [f"[{target}] {text}" if target else text for target, text in inputs]


class TfidfClassifier:
    """Balanced class weights. Sectors are multi-label: one binary model per sector (a sector
    every training item has, or none has, is a constant). Written out rather than with
    OneVsRestClassifier, which refuses sample weights unless metadata routing is switched on.
    `inputs` are (target label or "", text) pairs."""

    def __init__(self, multi_label: bool = False, C: float = 4.0, seed: int = 0):
        self.multi_label = multi_label
        self.C = C
        self.seed = seed

    def _classifier(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000,
                                  random_state=self.seed)

    def fit(self, inputs: list[tuple[str, str]], labels: list, sample_weight=None):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion
        from sklearn.preprocessing import MultiLabelBinarizer

        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.features_ = FeatureUnion([
            ("words", TfidfVectorizer(sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))])
        matrix = self.features_.fit_transform(joined(inputs))
        if not self.multi_label:
            self.classes_ = sorted(set(labels))
            self.estimators_ = [self._classifier().fit(matrix, labels, sample_weight=weights)]
            return self
        binarizer = MultiLabelBinarizer().fit(labels)
        self.classes_ = [str(c) for c in binarizer.classes_]
        columns = binarizer.transform(labels)
        self.estimators_ = [
            self._classifier().fit(matrix, column, sample_weight=weights)
            if 0 < column.sum() < len(column) else float(column[0])
            for column in columns.T]
        return self

    def hyperparameters(self) -> dict:
        return {"C": self.C, "features": "word unigrams + char_wb 2-5 grams, sublinear tf",
                "class_weight": "balanced", "seed": self.seed}

    def predict_proba(self, inputs: list[tuple[str, str]]) -> np.ndarray:
        """One column per class, in `classes_` order (per sector: the chance it applies)."""
        matrix = self.features_.transform(joined(inputs))
        if not self.multi_label:
            return self.estimators_[0].predict_proba(matrix)
        return np.column_stack([
            estimator.predict_proba(matrix)[:, 1] if not isinstance(estimator, float)
            else np.full(matrix.shape[0], estimator)
            for estimator in self.estimators_])

    def predict(self, inputs: list[tuple[str, str]]) -> list:
        scores = self.predict_proba(inputs)
        if self.multi_label:
            return [tuple(c for c, p in zip(self.classes_, row) if p >= 0.5) for row in scores]
        return [self.classes_[i] for i in scores.argmax(axis=1)]
