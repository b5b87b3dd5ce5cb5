"""The report: one self-contained HTML file of charts, a map, an entity network and a passage
browser, every number drawn from the same panel functions the exports use (datasets/panel.py)."""
