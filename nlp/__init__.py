"""Coding: the stage interface (base.py) and registry (registry.py), the stages (entities,
countries, sectors, sentiment, stance, topics), the coder that routes passages to them per
language, the pipeline that writes their codes, and training from coders' labels.
Imports corpus/ and annotations/.

    folder ─► corpus/ (read, segment, store) ─► nlp/ (code) ─► annotations/ (review, agreement)
                                                                         │
                                        datasets/ (tables, panels, exports, merge) ◄─┘ ─► cli/
"""
