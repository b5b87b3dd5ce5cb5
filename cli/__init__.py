"""The `stancemap` command line: thin typer wrappers around plain functions of the other
packages, one module per command.

    folder ─► corpus/ (read, segment, store) ─► nlp/ (code) ─► annotations/ (review, agreement)
                                                                         │
                                        datasets/ (tables, panels, exports, merge) ◄─┘ ─► cli/
"""
