"""The codebook every step uses, and the human side: review export/import, agreement,
adjudication, and which code stands for a passage (coders' decisions over the model's).
Imports only corpus/.

    folder ─► corpus/ (read, segment, store) ─► nlp/ (code) ─► annotations/ (review, agreement)
                                                                         │
                                        datasets/ (tables, panels, exports, merge) ◄─┘ ─► cli/
"""
