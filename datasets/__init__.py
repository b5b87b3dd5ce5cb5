"""What the user takes away: passage, code, mention, panel and topic tables, the data dictionary,
the writers (CSV, Parquet, Stata, XLSX), the run manifest and the merge onto a researcher's own
country-year data. Downstream of everything: reads the store, the codebook and the coded results.

    folder ─► corpus/ (read, segment, store) ─► nlp/ (code) ─► annotations/ (review, agreement)
                                                                         │
                                        datasets/ (tables, panels, exports, merge) ◄─┘ ─► cli/
"""
