"""The Tables tab shows every table of a Table block, whole, and copies it safely."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtGui import QGuiApplication

from desktop.core.document import Block, Document, Page
from desktop.ui.widgets.tables import TablesPanel

pytestmark = pytest.mark.gui

WIDE = 300
BLOCK = (
    "<p>Note before.</p><table><caption>Table 3</caption><tr>"
    + "".join(f"<td>c{i}</td>" for i in range(WIDE))
    + "</tr></table>Between.<table><tr><td>=1+1</td><td>-12.5</td></tr></table><p>After.</p>"
)


@pytest.fixture
def panel(qtbot: Any) -> TablesPanel:
    widget = TablesPanel()
    qtbot.addWidget(widget)
    page = Page(0, 800, 600, blocks=(Block("Table", (10, 10, 400, 300), BLOCK, 0),))
    widget.set_document(Document("report.png", (page,)))
    widget.show()
    return widget


def test_given_two_tables_in_one_block_then_the_picker_lists_both_and_the_wide_one_whole(
    panel: TablesPanel,
) -> None:
    assert panel.picker.count() == 2
    assert panel.model.columnCount() == WIDE
    assert panel.model.data(panel.model.index(0, WIDE - 1)) == f"c{WIDE - 1}"


def test_given_the_second_table_when_copied_then_the_tsv_runs_no_formula(
    panel: TablesPanel,
) -> None:
    panel.picker.setCurrentIndex(1)
    panel.copy()
    text = QGuiApplication.clipboard().mimeData().text()
    assert list(csv.reader(io.StringIO(text), dialect="excel-tab")) == [["'=1+1", "-12.5"]]


def test_given_the_second_table_when_exported_to_xlsx_then_the_text_around_it_comes_too(
    panel: TablesPanel, tmp_path: Path
) -> None:
    panel.picker.setCurrentIndex(1)
    target = tmp_path / "t.xlsx"
    panel.export("xlsx", str(target))
    book = openpyxl.load_workbook(target)
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    for piece in ("Note before.", "Table 3", "Between.", "After.", "=1+1", "c299"):
        assert piece in values


def test_given_the_second_table_when_exported_to_csv_then_the_text_around_it_comes_too(
    panel: TablesPanel, tmp_path: Path
) -> None:
    panel.picker.setCurrentIndex(1)
    target = tmp_path / "t.csv"
    panel.export("csv", str(target))
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows == [["Between."], [], ["'=1+1", "-12.5"], [], ["After."]]
