"""Step one of the flow: readers, metadata, language, segmentation, de-duplication and the
project store. Imports nothing from the later steps.

    folder ─► corpus/ (read, segment, store) ─► nlp/ (code) ─► annotations/ (review, agreement)
                                                                         │
                                        datasets/ (tables, panels, exports, merge) ◄─┘ ─► cli/
"""
