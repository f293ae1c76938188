"""Dropping, pasting and reading pages in the window against the vLLM simulator."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage

from desktop.core.document import PageStatus
from desktop.engines.remote.server import ServerEngine
from tests.ui.conftest import Ui

pytestmark = pytest.mark.gui


def drop(ui: Ui, mime: QMimeData) -> None:
    event = QDropEvent(
        QPointF(200, 200),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    ui.window.dropEvent(event)


def drop_files(ui: Ui, *paths: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    drop(ui, mime)


@pytest.fixture
def sim_ui(vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui]) -> Ui:
    sim = vllm_sim()
    return make_ui(ServerEngine(sim.base_url, sim.api_key))


def current_entry(ui: Ui) -> Any:
    return ui.controller.entries[ui.controller.current_key]


def test_given_a_scan_when_dropped_then_blocks_are_drawn_and_text_shown(
    sim_ui: Ui, fixtures_dir: Path
) -> None:
    drop_files(sim_ui, fixtures_dir / "journal_page_tables.jpg")
    sim_ui.wait(lambda: bool(current_entry(sim_ui).results.get(0)))
    page = current_entry(sim_ui).results[0]
    assert page.status in (PageStatus.OK, PageStatus.PARTIAL)
    sim_ui.wait(sim_ui.window.page_view.has_page)
    assert sim_ui.window.page_view.block_count() == len(page.blocks) > 0
    shown = sim_ui.window.text_view.toPlainText()
    first_text = next(b.text for b in page.blocks if b.text and not b.is_table)
    assert first_text.strip().lstrip("#").strip()[:20] in shown
    assert sim_ui.window.stack.currentIndex() == 1  # the drop zone gave way to the page
    assert '"blocks"' in sim_ui.window.json_view.edit.toPlainText()


def test_given_a_page_read_then_the_json_tab_is_the_clis_json_document_of_that_page(
    sim_ui: Ui, fixtures_dir: Path
) -> None:
    import json

    from desktop.core.document import Document
    from desktop.core.exports import document_to_json

    scan = fixtures_dir / "journal_page_tables.jpg"
    drop_files(sim_ui, scan)
    sim_ui.wait(lambda: bool(current_entry(sim_ui).results.get(0)))
    entry = current_entry(sim_ui)
    page = entry.results[0]
    sim_ui.wait(lambda: bool(sim_ui.window.json_view.edit.toPlainText()))
    shown = json.loads(sim_ui.window.json_view.edit.toPlainText())
    # what `dots-desktop ocr --format json` writes for this page: one schema for both
    cli = json.loads(document_to_json(Document(source=entry.path, pages=(page,))))
    assert shown == cli
    assert shown["source"] == str(scan.resolve()) and shown["pages"][0]["blocks"]


def test_given_a_page_read_when_a_block_is_clicked_then_its_text_is_selected(
    sim_ui: Ui, fixtures_dir: Path
) -> None:
    drop_files(sim_ui, fixtures_dir / "journal_page_tables.jpg")
    sim_ui.wait(lambda: bool(current_entry(sim_ui).results.get(0)))
    sim_ui.wait(lambda: sim_ui.window.page_view.block_count() > 1)
    item = sim_ui.window.page_view.block_items()[1]
    sim_ui.window.page_view.block_clicked.emit(item.number)
    selected = sim_ui.window.text_view.textCursor().selectedText()
    words = [w for w in re.findall(r"[A-Za-z]{4,}", item.block.text or "")]
    assert words, "the simulator's block should carry text"
    assert words[0] in selected
    # and back: putting the cursor in a block's text highlights its box
    other = sim_ui.window.page_view.block_items()[0]
    start, _end = sim_ui.window.text_view._ranges[0]
    cursor = sim_ui.window.text_view.textCursor()
    cursor.setPosition(start + 1)
    sim_ui.window.text_view.setTextCursor(cursor)
    assert other.isSelected() and not item.isSelected()


def test_given_a_pdf_when_dropped_then_its_pages_are_listed(sim_ui: Ui, fixtures_dir: Path) -> None:
    drop_files(sim_ui, fixtures_dir / "two_page_report.pdf")
    sim_ui.wait(lambda: sim_ui.window.documents.pages.count() == 2)
    sim_ui.wait(lambda: len(current_entry(sim_ui).results) == 2, timeout=60)
    labels = [sim_ui.window.documents.pages.item(i).text() for i in range(2)]
    assert labels[0].startswith("1") and labels[1].startswith("2")


def test_given_an_unsupported_file_when_dropped_then_a_clear_message_is_shown(
    sim_ui: Ui, tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("just text, not an image")
    drop_files(sim_ui, bogus)
    sim_ui.wait(lambda: bool(current_entry(sim_ui).error))
    assert current_entry(sim_ui).status() == "failed"
    reason = sim_ui.controller.notes.failed.reason.text()  # said in the page area
    assert reason.startswith("notes.txt:")


def test_given_an_image_on_the_clipboard_when_ctrl_v_then_it_is_read(
    sim_ui: Ui, fixtures_dir: Path, qtbot: Any
) -> None:
    image = QImage(str(fixtures_dir / "journal_page_tables.jpg"))
    QGuiApplication.clipboard().setImage(image)
    sim_ui.window.activateWindow()
    qtbot.keyClick(sim_ui.window.page_view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    if not sim_ui.controller.entries:  # offscreen may not route the shortcut: use the action
        sim_ui.window.paste_action.trigger()
    sim_ui.wait(lambda: bool(sim_ui.controller.entries))
    sim_ui.wait(lambda: bool(current_entry(sim_ui).results.get(0)))
    assert current_entry(sim_ui).results[0].blocks


def test_given_a_browser_link_when_dropped_then_nothing_is_downloaded(sim_ui: Ui) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/scan.png")])
    drop(sim_ui, mime)
    assert not sim_ui.controller.entries
    assert "example.com" in sim_ui.window.statusBar().currentMessage()


def test_given_a_page_when_a_region_is_drawn_then_only_that_region_is_read(
    sim_ui: Ui, fixtures_dir: Path, qtbot: Any
) -> None:
    drop_files(sim_ui, fixtures_dir / "journal_page_tables.jpg")
    sim_ui.wait(lambda: bool(current_entry(sim_ui).results.get(0)))
    sim_ui.wait(sim_ui.window.page_view.has_page)
    blocks_before = current_entry(sim_ui).results[0].blocks
    sim_ui.window.region_action.setChecked(True)
    view = sim_ui.window.page_view
    viewport = view.viewport()
    start, end = QPoint(60, 60), QPoint(260, 160)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    sim_ui.wait(lambda: bool(current_entry(sim_ui).region_text))
    assert sim_ui.window.region_text.toPlainText() == current_entry(sim_ui).region_text
    assert current_entry(sim_ui).results[0].blocks == blocks_before  # layout kept
    assert not sim_ui.window.region_action.isChecked()


def test_given_a_long_batch_when_escape_is_pressed_then_reading_stops(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], fixtures_dir: Path
) -> None:
    sim = vllm_sim(decode_tps=40.0)
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    drop_files(ui, fixtures_dir / "two_page_report.pdf")
    ui.wait(lambda: bool(current_entry(ui).running))
    ui.window.cancel_action.trigger()
    ui.wait(lambda: not ui.bridge.busy)
    entry = current_entry(ui)
    assert not entry.running
    assert all(p.status != PageStatus.OK for p in entry.results.values())
