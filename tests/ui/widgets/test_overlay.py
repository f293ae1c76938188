"""The page overlay: readable labels outside their boxes, a toggle, a legend, block actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.core.document import CATEGORY_COLOURS, Block
from desktop.ui.widgets.overlay import place_labels
from desktop.ui.widgets.pageview import BlockItem, PageView
from desktop.ui.widgets.window import MainWindow
from desktop.ui.words.i18n import install_language
from tests.ui.conftest import Ui
from tests.ui.scripted import ScriptedEngine

pytestmark = pytest.mark.gui


@pytest.fixture
def read_ui(make_ui: Callable[..., Ui], fixtures_dir: Path) -> Ui:
    """The window after the scripted engine read a real scan (header at the top edge)."""
    return _read_scan(make_ui, fixtures_dir)


def _read_scan(make_ui: Callable[..., Ui], fixtures_dir: Path) -> Ui:
    engine = ScriptedEngine()
    ui = make_ui(engine)
    ui.engine = engine  # type: ignore[attr-defined]
    ui.controller.open_files([str(fixtures_dir / "journal_page_tables.jpg")])
    ui.wait(lambda: ui.window.page_view.has_page() and ui.window.page_view.block_count() == 6)
    return ui


@pytest.fixture
def russian(qapp: QApplication) -> Iterator[None]:
    install_language(qapp, "ru")
    yield
    install_language(qapp, "en")


def label_rect(item: BlockItem, zoom: float) -> QRectF:
    w, h = item.label.size()
    return QRectF(item.label.pos().x(), item.label.pos().y(), w / zoom, h / zoom)


# -- placement (pure geometry) --------------------------------------------------------
def test_given_a_box_at_the_top_edge_then_its_label_goes_below_not_off_the_page() -> None:
    ((x, y),) = place_labels([(10, 0, 200, 30)], [(60, 14)], (800, 1000))
    assert (x, y) == (10, 30)


def test_given_a_box_at_the_right_edge_then_its_label_stays_on_the_page() -> None:
    ((x, y),) = place_labels([(780, 500, 800, 520)], [(90, 14)], (800, 1000))
    assert x + 90 <= 800 and y == 486


def test_given_two_boxes_side_by_side_then_their_labels_do_not_overlap() -> None:
    boxes = [(10, 100, 300, 140), (12, 100, 290, 140)]
    (a, b) = place_labels(boxes, [(80, 14), (80, 14)], (800, 1000))
    assert a != b
    ra = (a[0], a[1], a[0] + 80, a[1] + 14)
    rb = (b[0], b[1], b[0] + 80, b[1] + 14)
    assert not (ra[0] < rb[2] and rb[0] < ra[2] and ra[1] < rb[3] and rb[1] < ra[3])


# -- the overlay in the window ----------------------------------------------------------
def test_given_a_read_page_then_labels_name_the_category_without_an_index(read_ui: Ui) -> None:
    labels = [item.label.text for item in read_ui.window.page_view.block_items()]
    assert labels[:3] == ["Page header", "Title", "Table"]
    assert not any(text[0].isdigit() or "_" in text for text in labels)


def test_given_a_russian_window_then_category_labels_are_russian(
    russian: None, read_ui: Ui
) -> None:
    labels = [item.label.text for item in read_ui.window.page_view.block_items()]
    assert labels[:3] == ["Верхний колонтитул", "Заголовок", "Таблица"]


def test_given_a_read_page_then_every_label_is_outside_its_box_and_on_the_page(
    read_ui: Ui,
) -> None:
    view = read_ui.window.page_view
    page = view.sceneRect()
    for zoom_step in (None, 2.0):
        if zoom_step:
            view.zoom_by(zoom_step)
        for item in view.block_items():
            rect = label_rect(item, view.zoom())
            box = item.rect()
            assert rect.bottom() <= box.top() + 0.5 or rect.top() >= box.bottom() - 0.5, (
                item.label.text,
                rect,
                box,
            )
            assert page.contains(rect.adjusted(0.5, 0.5, -0.5, -0.5)), (item.label.text, rect)


def test_given_the_overlay_toggled_off_then_boxes_labels_and_legend_hide_and_it_is_remembered(
    read_ui: Ui,
) -> None:
    window, view = read_ui.window, read_ui.window.page_view
    assert view.legend.isVisible()
    window.overlay_action.trigger()
    assert not any(i.isVisible() or i.label.isVisible() for i in view.block_items())
    assert not view.legend.isVisible()
    again = MainWindow()  # the next start
    try:
        assert not again.overlay_action.isChecked()
        assert not again.page_view.overlay_visible()
    finally:
        again.deleteLater()
    window.overlay_action.trigger()
    assert all(i.isVisible() and i.label.isVisible() for i in view.block_items())


def test_given_a_read_page_then_the_legend_shows_each_category_colour_once(
    read_ui: Ui,
) -> None:
    entries = read_ui.window.page_view.legend.entries()
    names = [words for _c, words in entries]
    assert names == ["Page header", "Title", "Table", "Text", "Page footer"]
    colour = dict((w, c) for c, w in entries)["Table"]
    assert colour == "#{:02x}{:02x}{:02x}".format(*CATEGORY_COLOURS["Table"])


def test_given_the_second_table_clicked_then_the_tables_tab_shows_table_two(
    read_ui: Ui,
) -> None:
    window = read_ui.window
    second_table = window.page_view.block_items()[4]
    centre = window.page_view.mapFromScene(second_table.rect().center())
    read_ui.qtbot.mouseClick(window.page_view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert window.tabs.currentWidget() is window.tables
    assert window.tables.current_title() == "p1_t2"
    assert window.tables.model.data(window.tables.model.index(1, 0)) == "Oslo"


def open_menu(ui: Ui, position: int) -> Any:
    view = ui.window.page_view
    item = view.block_items()[position]
    view.block_menu_requested.emit(item.number, QPoint(100, 100))
    menu = ui.controller.block_actions.menu
    assert menu is not None
    return menu


def action(menu: Any, name: str) -> Any:
    found = [a for a in menu.actions() if a.objectName() == name]
    assert found, f"{name} not in {[a.objectName() for a in menu.actions()]}"
    return found[0]


def test_given_a_table_block_menu_when_copy_table_then_cells_go_as_the_tables_tab_copies(
    read_ui: Ui,
) -> None:
    menu = open_menu(read_ui, 4)
    action(menu, "block_copy_table").trigger()
    mime = QGuiApplication.clipboard().mimeData()
    assert "text/html" in mime.formats() and "text/tab-separated-values" in mime.formats()
    tsv = bytes(mime.data("text/tab-separated-values").data()).decode()
    assert tsv.splitlines()[1].split("\t") == ["Oslo", "709000"]
    menu.close()


def test_given_a_text_block_menu_when_copy_text_then_its_text_is_on_the_clipboard(
    read_ui: Ui,
) -> None:
    menu = open_menu(read_ui, 1)
    assert [a.objectName() for a in menu.actions() if a.objectName()] == [
        "block_copy_text",
        "block_read_again",
        "block_ask",
    ]
    action(menu, "block_copy_text").trigger()
    assert QGuiApplication.clipboard().text() == "On Overlays"
    menu.close()


def test_given_a_block_menu_when_read_again_then_only_its_region_is_read(read_ui: Ui) -> None:
    menu = open_menu(read_ui, 3)
    bbox = read_ui.window.page_view.block_items()[3].block.bbox
    action(menu, "block_read_again").trigger()
    engine = read_ui.engine  # type: ignore[attr-defined]
    read_ui.wait(lambda: any(r[2] is not None for r in engine.requests))
    assert [tuple(r[2]) for r in engine.requests if r[2] is not None] == [bbox]
    read_ui.wait(lambda: read_ui.window.region_text.toPlainText() == "region again")
    menu.close()


def test_given_a_block_menu_when_ask_about_it_then_the_chat_is_about_that_region(
    read_ui: Ui,
) -> None:
    menu = open_menu(read_ui, 2)
    action(menu, "block_ask").trigger()
    window = read_ui.window
    assert window.tabs.currentWidget() is window.chat
    assert window.chat.region() == window.page_view.block_items()[2].block.bbox
    assert window.page_view.marked_region() is not None
    menu.close()


# -- odd and hostile model output ---------------------------------------------------------
@pytest.fixture
def bare_view(qtbot: Any) -> PageView:
    from PySide6.QtGui import QImage

    view = PageView()
    qtbot.addWidget(view)
    view.resize(600, 800)
    view.show()
    page = QImage(1000, 1400, QImage.Format.Format_RGB32)
    page.fill(0xFFFFFF)
    view.set_page(page)
    return view


def test_given_a_category_the_app_does_not_know_then_it_is_shown_as_sent_and_inert(
    bare_view: PageView,
) -> None:
    bare_view.set_blocks([Block("<img src=x onerror=1>Stamp", (10, 10, 200, 60), "x", 0)])
    assert bare_view.block_items()[0].label.text == "<img src=x onerror=1>Stamp"
    legend = bare_view.legend.text.text()
    assert "<img" not in legend and "&lt;img" in legend


def test_given_a_box_reaching_past_the_page_then_its_label_stays_on_the_page(
    bare_view: PageView,
) -> None:
    bare_view.set_blocks([Block("Text", (900, -40, 1300, 10), "x", 0)])
    item = bare_view.block_items()[0]
    rect = label_rect(item, bare_view.zoom())
    assert bare_view.sceneRect().contains(rect.adjusted(0.5, 0.5, -0.5, -0.5)), rect


def test_given_a_dense_page_then_labels_give_way_to_tooltips(bare_view: PageView) -> None:
    blocks = [Block("Text", (10, 10 + 30 * i, 500, 35 + 30 * i), f"line {i}", i) for i in range(45)]
    for block in blocks:  # streamed one by one, as the model writes them
        bare_view.add_blocks([block])
    items = bare_view.block_items()
    assert len(items) == 45
    assert not any(item.label.isVisible() for item in items)
    assert items[44].toolTip().startswith("Text")


@pytest.fixture
def two_in_one_ui(
    make_ui: Callable[..., Ui], fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Ui:
    """As read_ui, but the first Table block holds two tables (the model may write that)."""
    from dataclasses import replace

    from tests.ui import scripted

    plain = scripted.page_blocks

    def doubled(width: int, height: int) -> tuple[Any, ...]:
        blocks = plain(width, height)
        return tuple(
            replace(b, text=scripted.TABLE_1 + "<p>and</p>" + scripted.TABLE_1)
            if b.text == scripted.TABLE_1
            else b
            for b in blocks
        )

    monkeypatch.setattr(scripted, "page_blocks", doubled)
    return _read_scan(make_ui, fixtures_dir)


def test_given_a_block_with_two_tables_then_the_next_table_click_and_copy_find_theirs(
    two_in_one_ui: Ui,
) -> None:
    ui = two_in_one_ui
    window = ui.window
    # the table after a block of two is the page's third table, as the Tables tab names it
    later = window.page_view.block_items()[4]
    centre = window.page_view.mapFromScene(later.rect().center())
    ui.qtbot.mouseClick(window.page_view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert window.tables.current_title() == "p1_t3"
    assert window.tables.model.data(window.tables.model.index(1, 0)) == "Oslo"
    # and Copy table on the block of two copies both tables and the text between them
    menu = open_menu(ui, 2)
    action(menu, "block_copy_table").trigger()
    tsv = bytes(QGuiApplication.clipboard().mimeData().data("text/tab-separated-values").data())
    assert tsv.decode().splitlines() == [
        "Name\tQty",
        "bolts\t12",
        "and",
        "Name\tQty",
        "bolts\t12",
    ]
    menu.close()
