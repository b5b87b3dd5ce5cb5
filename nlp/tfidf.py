"""TF-IDF features (words, and character n-grams within words, which carry inflections and
spelling variants) with logistic regression: the fast trainable classifier."""

from __future__ import annotations

import numpy as np


def joined(inputs: list[tuple[str, str]]) -> list[str]:
    """Stance is about a target: the bag of words reads the target's label before the text."""
    return [f"[{target}] {text}" if target else text for target, text in inputs]


class TfidfClassifier:
    """Balanced class weights; one-vs-rest for the multi-label sector task.
    `inputs` are (target label or "", text) pairs."""

    def __init__(self, multi_label: bool = False, C: float = 4.0, seed: int = 0):
        self.multi_label = multi_label
        self.C = C
        self.seed = seed

    def _pipeline(self):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import FeatureUnion, Pipeline

        classifier = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000,
                                        random_state=self.seed)
        if self.multi_label:
            classifier = OneVsRestClassifier(classifier)
        features = FeatureUnion([
            ("words", TfidfVectorizer(sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))])
        return Pipeline([("tfidf", features), ("classifier", classifier)])

    def fit(self, inputs: list[tuple[str, str]], labels: list, sample_weight=None):
        from sklearn.preprocessing import MultiLabelBinarizer

        if self.multi_label:
            self.binarizer_ = MultiLabelBinarizer()
            targets = self.binarizer_.fit_transform(labels)
            self.classes_ = list(self.binarizer_.classes_)
        else:
            targets = labels
            self.classes_ = sorted(set(labels))
        weights = {} if sample_weight is None else {"classifier__sample_weight": np.asarray(sample_weight)}
        self.pipeline_ = self._pipeline().fit(joined(inputs), targets, **weights)
        return self

    def hyperparameters(self) -> dict:
        return {"C": self.C, "features": "word unigrams + char_wb 2-5 grams, sublinear tf",
                "class_weight": "balanced", "seed": self.seed}

    def predict(self, inputs: list[tuple[str, str]]) -> list:
        predicted = self.pipeline_.predict(joined(inputs))
        if self.multi_label:
            return [tuple(sorted(row)) for row in self.binarizer_.inverse_transform(predicted)]
        return list(predicted)

    def predict_proba(self, inputs: list[tuple[str, str]]) -> np.ndarray:
        return self.pipeline_.predict_proba(joined(inputs))
