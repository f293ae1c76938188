"""The main window's parts that its first paint does not show, built right after it.

``MainWindow.complete()`` calls ``build_parts`` with the places the parts go (the
look-alike stand-ins, the layouts, the tab widget) and the page actions: the document
lists and the Text view take the place of their stand-ins, and the page bar and view,
the region box and the Tables, Chat, Plain text and JSON tabs are made and wired. The
window keeps the ``WindowParts`` it gets back. Their modules are imported here, after
the window is on screen (see window.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtWidgets import QLabel, QProgressBar, QToolBar, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QPlainTextEdit, QSplitter, QTabWidget

    from desktop.ui.state.results import SourceView, TextView
    from desktop.ui.widgets.chat import ChatPanel
    from desktop.ui.widgets.documents import DocumentsPanel
    from desktop.ui.widgets.extractpane import ExtractPane
    from desktop.ui.widgets.formulaview import FormulaBox
    from desktop.ui.widgets.pageview import PageView
    from desktop.ui.widgets.tables import TablesPanel


def t(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


@dataclass(frozen=True, slots=True)
class PartPlaces:
    """Where the parts go: the stand-ins they replace and the layouts that hold them."""

    splitter: QSplitter
    docs_standin: QWidget
    text_layout: QVBoxLayout
    text_standin: QWidget
    page_layout: QVBoxLayout
    tabs: QTabWidget


@dataclass(frozen=True, slots=True)
class PageActions:
    """The window's actions the page bar shows and the page view answers."""

    fit: QAction
    zoom_out: QAction
    zoom_in: QAction
    region: QAction
    retry: QAction
    cancel: QAction
    overlay: QAction


@dataclass(frozen=True, slots=True)
class WindowParts:
    """What ``build_parts`` made; the window keeps each under the same name."""

    documents: DocumentsPanel
    text_view: TextView
    page_bar: QToolBar
    page_status: QLabel
    page_progress: QProgressBar
    page_view: PageView
    region_box: QWidget
    region_text: QPlainTextEdit
    tables: TablesPanel
    chat: ChatPanel
    plain_view: SourceView
    json_view: SourceView
    extract: ExtractPane
    formula: FormulaBox


def build_parts(places: PartPlaces, actions: PageActions) -> WindowParts:
    """Put the real panels in ``places`` and connect them to the page ``actions``."""
    from PySide6.QtWidgets import QPlainTextEdit

    from desktop.ui.state.results import SourceView, TextView
    from desktop.ui.widgets.chat import ChatPanel
    from desktop.ui.widgets.documents import DocumentsPanel
    from desktop.ui.widgets.extractpane import ExtractPane
    from desktop.ui.widgets.formulaview import FormulaBox
    from desktop.ui.widgets.pageview import PageView
    from desktop.ui.widgets.tables import TablesPanel

    documents = DocumentsPanel()
    places.splitter.replaceWidget(0, documents)
    places.docs_standin.deleteLater()
    text_view = TextView()
    places.text_layout.replaceWidget(places.text_standin, text_view)
    places.text_standin.deleteLater()
    places.text_layout.setStretchFactor(text_view, 1)
    page_bar = QToolBar(t("Page"))
    page_bar.setObjectName("page_toolbar")
    page_bar.setIconSize(QSize(18, 18))
    for action in (actions.fit, actions.zoom_out, actions.zoom_in):
        page_bar.addAction(action)
    page_bar.addSeparator()
    page_bar.addAction(actions.overlay)
    page_bar.addAction(actions.region)
    page_bar.addAction(actions.retry)
    page_bar.addAction(actions.cancel)
    page_status = QLabel()
    page_status.setObjectName("page_status")
    page_status.setContentsMargins(12, 0, 8, 0)
    page_bar.addWidget(page_status)
    page_progress = QProgressBar()
    page_progress.setObjectName("page_progress")
    page_progress.setAccessibleName(t("Page progress"))
    page_progress.setRange(0, 0)
    page_progress.setMaximumWidth(120)
    page_progress.setTextVisible(False)
    page_progress.hide()
    page_bar.addWidget(page_progress)
    page_view = PageView()
    page_view.setAcceptDrops(False)
    page_view.viewport().setAcceptDrops(False)
    places.page_layout.addWidget(page_bar)
    places.page_layout.addWidget(page_view, 1)
    places.page_layout.addWidget(page_view.legend)

    # A region's text, above the page text (hidden until a region is read; its
    # QPlainTextEdit costs ~8 ms, so not before the first paint).
    region_box = QWidget()
    region_layout = QVBoxLayout(region_box)
    region_layout.setContentsMargins(0, 0, 0, 0)
    region_label = QLabel(t("Selected region"))
    region_label.setObjectName("section_label")
    region_text = QPlainTextEdit()
    region_text.setObjectName("region_text")
    region_text.setAccessibleName(t("Selected region"))
    region_text.setReadOnly(True)
    region_text.setMaximumHeight(110)
    region_layout.addWidget(region_label)
    region_layout.addWidget(region_text)
    region_box.hide()
    places.text_layout.insertWidget(0, region_box)

    tables = TablesPanel()
    chat = ChatPanel()
    plain_view = SourceView("plain_view", wrap_toggle=True)
    json_view = SourceView("json_view")
    extract = ExtractPane()
    tabs = places.tabs
    current = tabs.currentIndex()
    tabs.blockSignals(True)
    for index, panel in enumerate((tables, chat, plain_view, json_view, extract), start=1):
        label = tabs.tabText(index)
        placeholder = tabs.widget(index)
        tabs.removeTab(index)
        tabs.insertTab(index, panel, label)
        if placeholder is not None:
            placeholder.deleteLater()
    tabs.setCurrentIndex(current)
    tabs.blockSignals(False)
    actions.fit.triggered.connect(page_view.fit)
    actions.zoom_in.triggered.connect(lambda: page_view.zoom_by(1.25))
    actions.zoom_out.triggered.connect(lambda: page_view.zoom_by(0.8))
    actions.region.toggled.connect(page_view.set_region_mode)
    actions.overlay.toggled.connect(page_view.set_overlay_visible)
    page_view.block_clicked.connect(text_view.select_block)
    page_view.region_selected.connect(chat.attach_region)
    chat.region_changed.connect(page_view.mark_region)
    text_view.block_activated.connect(page_view.select_block)
    # A Formula block clicked on the page or in the text: drawn above the text.
    formula = FormulaBox()
    places.text_layout.insertWidget(1, formula)
    shown_blocks = lambda: [item.block for item in page_view.block_items()]  # noqa: E731
    page_view.block_clicked.connect(lambda pos: formula.show_block_at(shown_blocks, pos))
    text_view.block_activated.connect(lambda pos: formula.show_block_at(shown_blocks, pos))
    documents.page_selected.connect(lambda _key, _index: formula.hide())
    return WindowParts(
        documents=documents,
        text_view=text_view,
        page_bar=page_bar,
        page_status=page_status,
        page_progress=page_progress,
        page_view=page_view,
        region_box=region_box,
        region_text=region_text,
        tables=tables,
        chat=chat,
        plain_view=plain_view,
        json_view=json_view,
        extract=extract,
        formula=formula,
    )
