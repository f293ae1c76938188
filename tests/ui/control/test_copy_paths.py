"""Every copy path puts the same formats on the clipboard, says so, and can be undone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication, QImage

from desktop.engines.remote.server import ServerEngine
from desktop.ui.appshell.quickactions import QuickActions
from tests.ui.conftest import Ui
from tests.ui.control.test_ocr_window import current_entry, drop_files

pytestmark = pytest.mark.gui

FORMATS = {"text/html", "text/plain", "text/tab-separated-values"}


@pytest.fixture
def sim_ui(vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui]) -> Ui:
    sim = vllm_sim()
    return make_ui(ServerEngine(sim.base_url, sim.api_key))


def quick_actions(ui: Ui, told: list[tuple[str, str]]) -> QuickActions:
    def notify(title: str, text: str) -> bool:
        told.append((title, text))
        return True

    quick = QuickActions(ui.window, ui.controller, notify=notify, show_window=lambda: None)
    ui.controller.document_finished.connect(quick.document_finished)
    return quick


def clipboard() -> QMimeData:
    mime = QGuiApplication.clipboard().mimeData()
    assert mime is not None
    return mime


def assert_full_copy(mime: QMimeData) -> None:
    """HTML (UTF-8 declared), TSV and plain text, the table's cells as cells."""
    assert set(mime.formats()) >= FORMATS
    assert '<meta charset="utf-8">' in mime.html()
    assert "<table" in mime.html()
    tsv = bytes(mime.data("text/tab-separated-values").data()).decode("utf-8")
    assert "\t" in tsv  # a table row's cells, tab-separated
    assert mime.text().strip()


def undo_or_skip_if_taken(ui: Ui) -> None:
    """Click Undo; the X display is shared with other programs, which may copy meanwhile."""
    if not QGuiApplication.clipboard().ownsClipboard():
        pytest.skip("another program took the shared clipboard during the test")
    assert ui.controller.notes.undo.can_undo()
    ui.controller.notes.notice.undo_button.click()


def put_before() -> None:
    before = QMimeData()
    before.setText("what I had copied")
    before.setData("application/x-mine", b"\x01\x02")
    QGuiApplication.clipboard().setMimeData(before)


def journal_read(ui: Ui, fixtures_dir: Path) -> None:
    """The journal page dropped on the window and read by the simulator."""
    drop_files(ui, fixtures_dir / "journal_page_tables.jpg")
    ui.wait(lambda: bool(current_entry(ui).results.get(0)), timeout=60)


def region_copied(ui: Ui, fixtures_dir: Path) -> Any:
    """Something else on the clipboard, then a region of the read journal page copied:
    the notice that tells of the copy (shown)."""
    journal_read(ui, fixtures_dir)
    put_before()
    ui.controller.read_region((100, 100, 900, 500))
    notice = ui.controller.notes.notice
    ui.wait(notice.isVisible, timeout=60)
    return notice


def test_given_a_tray_ocr_of_the_clipboard_image_then_the_copy_has_every_format(
    sim_ui: Ui, fixtures_dir: Path
) -> None:
    told: list[tuple[str, str]] = []
    quick = quick_actions(sim_ui, told)
    QGuiApplication.clipboard().setImage(QImage(str(fixtures_dir / "journal_page_tables.jpg")))
    quick.ocr_clipboard()
    sim_ui.wait(lambda: bool(told), timeout=60)
    assert told[-1][0] == "Text copied"
    assert_full_copy(clipboard())


def test_given_a_screen_region_read_then_the_copy_has_every_format_and_undo_restores(
    sim_ui: Ui, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[tuple[str, str]] = []
    quick = quick_actions(sim_ui, told)
    shot = QImage(str(fixtures_dir / "journal_page_tables.jpg"))
    monkeypatch.setattr(
        "desktop.ui.appshell.region.capture_region", lambda done: done(shot) or None
    )
    put_before()
    quick.ocr_region()
    sim_ui.wait(lambda: bool(told), timeout=60)
    assert_full_copy(clipboard())
    notice = sim_ui.controller.notes.notice
    assert notice is not None and notice.isVisible()
    assert "copied to the clipboard" in notice.label.text()
    undo_or_skip_if_taken(sim_ui)
    assert clipboard().text() == "what I had copied"
    assert bytes(clipboard().data("application/x-mine").data()) == b"\x01\x02"
    assert not notice.isVisible()


def test_given_the_tables_tab_copy_then_it_has_the_same_formats(
    sim_ui: Ui, fixtures_dir: Path
) -> None:
    journal_read(sim_ui, fixtures_dir)
    sim_ui.wait(lambda: sim_ui.window.tables.picker.count() > 0)
    sim_ui.window.tables.copy_button.click()
    assert_full_copy(clipboard())


def test_given_a_region_drawn_on_the_page_then_the_copy_is_told_with_its_size_and_undone(
    sim_ui: Ui, fixtures_dir: Path
) -> None:
    notice = region_copied(sim_ui, fixtures_dir)
    copied = clipboard()
    assert set(copied.formats()) >= FORMATS
    chars = len(copied.text().strip())
    assert chars > 0 and f"{chars} characters copied" in notice.label.text()
    undo_or_skip_if_taken(sim_ui)
    assert clipboard().text() == "what I had copied"
    assert "application/x-mine" in clipboard().formats()


def test_given_something_else_copied_since_then_undo_leaves_it(
    sim_ui: Ui, fixtures_dir: Path
) -> None:
    notice = region_copied(sim_ui, fixtures_dir)
    QGuiApplication.clipboard().setText("copied later elsewhere")
    notice.undo_button.click()
    assert clipboard().text() == "copied later elsewhere"
