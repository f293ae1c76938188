"""The main window's parts that its first paint does not show, built right after it.

``MainWindow.complete()`` calls ``build_parts``: the document lists and the Text view take
the place of their look-alike stand-ins, and the page bar and view, the region box and the
Tables, Chat, Plain text and JSON tabs are made and wired. Their modules are imported here,
after the window is on screen (see window.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtWidgets import QLabel, QProgressBar, QToolBar, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from desktop.ui.widgets.window import MainWindow


def t(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def build_parts(w: MainWindow) -> None:
    """Put the real panels in the window ``w`` and connect them to its actions."""
    from PySide6.QtWidgets import QPlainTextEdit

    from desktop.ui.state.results import SourceView, TextView
    from desktop.ui.widgets.chat import ChatPanel
    from desktop.ui.widgets.documents import DocumentsPanel
    from desktop.ui.widgets.pageview import PageView
    from desktop.ui.widgets.tables import TablesPanel

    w.documents = DocumentsPanel()
    w.splitter.replaceWidget(0, w.documents)
    w.docs_standin.deleteLater()
    w.text_view = TextView()
    w.text_layout.replaceWidget(w.text_standin, w.text_view)
    w.text_standin.deleteLater()
    w.text_layout.setStretchFactor(w.text_view, 1)
    w.page_bar = QToolBar(t("Page"))
    w.page_bar.setObjectName("page_toolbar")
    w.page_bar.setIconSize(QSize(18, 18))
    for action in (w.fit_action, w.zoom_out_action, w.zoom_in_action):
        w.page_bar.addAction(action)
    w.page_bar.addSeparator()
    w.page_bar.addAction(w.region_action)
    w.page_bar.addAction(w.retry_action)
    w.page_bar.addAction(w.cancel_action)
    w.page_status = QLabel()
    w.page_status.setObjectName("page_status")
    w.page_status.setContentsMargins(12, 0, 8, 0)
    w.page_bar.addWidget(w.page_status)
    w.page_progress = QProgressBar()
    w.page_progress.setObjectName("page_progress")
    w.page_progress.setAccessibleName(t("Page progress"))
    w.page_progress.setRange(0, 0)
    w.page_progress.setMaximumWidth(120)
    w.page_progress.setTextVisible(False)
    w.page_progress.hide()
    w.page_bar.addWidget(w.page_progress)
    w.page_view = PageView()
    w.page_view.setAcceptDrops(False)
    w.page_view.viewport().setAcceptDrops(False)
    w.page_layout.addWidget(w.page_bar)
    w.page_layout.addWidget(w.page_view, 1)

    # A region's text, above the page text (hidden until a region is read; its
    # QPlainTextEdit costs ~8 ms, so not before the first paint).
    w.region_box = QWidget()
    region_layout = QVBoxLayout(w.region_box)
    region_layout.setContentsMargins(0, 0, 0, 0)
    region_label = QLabel(t("Selected region"))
    region_label.setObjectName("section_label")
    w.region_text = QPlainTextEdit()
    w.region_text.setObjectName("region_text")
    w.region_text.setAccessibleName(t("Selected region"))
    w.region_text.setReadOnly(True)
    w.region_text.setMaximumHeight(110)
    region_layout.addWidget(region_label)
    region_layout.addWidget(w.region_text)
    w.region_box.hide()
    w.text_layout.insertWidget(0, w.region_box)

    w.tables = TablesPanel()
    w.chat = ChatPanel()
    w.plain_view = SourceView("plain_view")
    w.json_view = SourceView("json_view")
    current = w.tabs.currentIndex()
    w.tabs.blockSignals(True)
    for index, panel in enumerate((w.tables, w.chat, w.plain_view, w.json_view), start=1):
        label = w.tabs.tabText(index)
        placeholder = w.tabs.widget(index)
        w.tabs.removeTab(index)
        w.tabs.insertTab(index, panel, label)
        if placeholder is not None:
            placeholder.deleteLater()
    w.tabs.setCurrentIndex(current)
    w.tabs.blockSignals(False)
    w.fit_action.triggered.connect(w.page_view.fit)
    w.zoom_in_action.triggered.connect(lambda: w.page_view.zoom_by(1.25))
    w.zoom_out_action.triggered.connect(lambda: w.page_view.zoom_by(0.8))
    w.region_action.toggled.connect(w.page_view.set_region_mode)
    w.page_view.block_clicked.connect(w.text_view.select_block)
    w.page_view.region_selected.connect(w.chat.attach_region)
    w.chat.region_changed.connect(w.page_view.mark_region)
    w.text_view.block_activated.connect(w.page_view.select_block)
