"""Codebook, review export/import, agreement and training data live here."""
