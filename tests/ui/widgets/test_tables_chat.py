"""Tables to spreadsheets, and chatting about a page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtGui import QGuiApplication

from desktop.core.document import Block, Document, Page
from desktop.engines.remote.server import ServerEngine
from desktop.ui.widgets.tables import TablesPanel
from tests.ui.conftest import Ui
from tests.ui.control.test_ocr_window import current_entry, drop_files

pytestmark = pytest.mark.gui

MERGED = (
    "<table><tr><th rowspan='2'>Region</th><th colspan='2'>Sales</th></tr>"
    "<tr><th>2023</th><th>2024</th></tr>"
    "<tr><td>North</td><td>84</td><td>88</td></tr>"
    '<tr><td>South, east</td><td>56</td><td>4"9</td></tr></table>'
)


@pytest.fixture
def panel(qtbot: Any) -> TablesPanel:
    widget = TablesPanel()
    qtbot.addWidget(widget)
    page = Page(0, 800, 600, blocks=(Block("Table", (10, 10, 400, 300), MERGED, 0),))
    widget.set_document(Document("report.png", (page,)))
    widget.show()
    return widget


def test_given_a_merged_table_when_copied_then_clipboard_has_html_spans_and_tsv(
    panel: TablesPanel,
) -> None:
    panel.copy()
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasHtml() and mime.hasText()
    html = mime.html()
    assert 'rowspan="2"' in html.replace("'", '"') and 'colspan="2"' in html.replace("'", '"')
    rows = list(csv.reader(io.StringIO(mime.text()), dialect="excel-tab"))
    assert rows[0] == ["Region", "Sales", ""]
    assert rows[2] == ["North", "84", "88"]
    assert rows[3] == ["South, east", "56", '4"9']  # quoting survives the round trip
    # Spreadsheets paste numbers as numbers, text as text.
    assert 'x:num="84"' in html and 'sdval="84"' in html
    assert "x:num" not in html.split("South, east")[0].rsplit("<td", 1)[-1]


def test_given_a_russian_document_when_copied_then_numbers_follow_its_separators(
    qtbot: Any,
) -> None:
    widget = TablesPanel()
    qtbot.addWidget(widget)
    table = (
        "<table><tr><th>Регион</th><th>Сумма</th><th>Доля</th></tr>"
        "<tr><td>Север</td><td>1 823,50</td><td>2,273</td></tr></table>"
    )
    blocks = (
        Block("Caption", (10, 0, 400, 9), "Выручка по регионам, тыс. руб.", 0),
        Block("Table", (10, 10, 400, 300), table, 1),
    )
    widget.set_document(Document("отчёт.png", (Page(0, 800, 600, blocks=blocks),)))
    widget.copy()
    html = QGuiApplication.clipboard().mimeData().html()
    assert 'x:num="1823.5"' in html and 'x:num="2.273"' in html


def test_given_an_edited_cell_when_a_selection_is_copied_then_only_it_goes_with_the_edit(
    panel: TablesPanel,
) -> None:
    model = panel.model
    model.setData(model.index(2, 1), "85")
    selection = QItemSelection(model.index(2, 0), model.index(3, 1))
    panel.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.Select)
    panel.copy()
    rows = list(csv.reader(io.StringIO(QGuiApplication.clipboard().text()), dialect="excel-tab"))
    assert rows == [["North", "85"], ["South, east", "56"]]


def test_given_tables_when_exported_to_xlsx_then_cells_and_merges_are_there(
    panel: TablesPanel, tmp_path: Path
) -> None:
    target = tmp_path / "tables.xlsx"
    assert panel.export("xlsx", str(target)) == str(target)
    book = openpyxl.load_workbook(target)
    sheet = book.worksheets[0]
    assert sheet.cell(1, 1).value == "Region"
    assert sheet.cell(3, 2).value == 84 and sheet.freeze_panes == "A3"  # typed, headed
    assert sheet.cell(3, 1).value == "North"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A1:A2" in merged and "B1:C1" in merged


def test_given_a_table_when_exported_to_csv_then_the_file_starts_with_a_bom(
    panel: TablesPanel, tmp_path: Path
) -> None:
    target = tmp_path / "t.csv"
    panel.export("csv", str(target))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "North" in data.decode("utf-8-sig")


def test_given_a_page_when_asking_then_the_answer_streams_and_stop_ends_it(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], fixtures_dir: Path
) -> None:
    sim = vllm_sim(decode_tps=30.0)
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    ui.window.mode_combo.setCurrentIndex(2)  # layout only: quick, the chat is what we test
    drop_files(ui, fixtures_dir / "journal_page_tables.jpg")
    ui.wait(lambda: bool(current_entry(ui).results.get(0)), timeout=60)
    chat = ui.window.chat
    chat.input.setPlainText("What is this page about?")
    chat.send_button.click()
    ui.wait(lambda: len(chat._streaming) > 5)
    assert chat.is_streaming() and chat.stop_button.isEnabled()
    partial = chat.view.toPlainText()
    chat.stop_button.click()
    ui.wait(lambda: not chat.is_streaming())
    answer = chat.last_answer()
    assert answer and len(answer) < 2000
    assert "What is this page about?" in partial
    assert chat.send_button.isEnabled() and not chat.stop_button.isEnabled()
    chat.copy_answer()
    assert QGuiApplication.clipboard().text() == answer


def test_given_an_engine_without_chat_then_the_pane_says_why(qtbot: Any) -> None:
    from desktop.ui.widgets.chat import ChatPanel

    chat = ChatPanel()
    qtbot.addWidget(chat)
    chat.set_available(False, "The built-in engine cannot chat.")
    chat.show()
    assert not chat.send_button.isEnabled()
    assert chat.reason.isVisible() and "cannot chat" in chat.reason.text()
