"""Cells a spreadsheet program would run as a formula (OWASP "CSV injection"), made inert.

A text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets. In CSV such a cell gets a single quote in front (OWASP's
recommendation: the quote shows, the formula does not run); in XLSX it is written as a string
cell with Excel's own "quote prefix" style, never as a formula. `restore` undoes `neutralise`
exactly, so a review CSV comes back with the text it went out with: a text that already began
with quotes before a trigger character gets one quote more, and `restore` takes one off.
"""

from __future__ import annotations

import re

TRIGGERS = "=+-@\t\r"
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_NEEDS = re.compile(r"'*[=+\-@\t\r]")


def is_formula_like(value) -> bool:
    """True for a text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value[:1] in tuple(TRIGGERS)


def neutralise(value):
    """The value as a CSV cell that no spreadsheet runs; anything but text passes unchanged."""
    if isinstance(value, str) and _NEEDS.match(value):
        return "'" + value
    return value


def restore(value):
    """The text `neutralise` was given (for a cell read back from a CSV file)."""
    if isinstance(value, str) and _ESCAPED.match(value):
        return value[1:]
    return value


def set_text_cell(cell, value) -> None:
    """Put a value into an openpyxl cell; text stays text (data type 's'), never a formula."""
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    if is_formula_like(value):
        cell.quotePrefix = True  # Excel keeps it text when a coder edits the cell
