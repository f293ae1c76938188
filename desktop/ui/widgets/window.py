"""The main window: toolbar, documents, the page with its overlay, results, status bar.

Built in two steps so the window paints as early as possible: ``MainWindow(defer=True)``
builds what the first paint shows (toolbar, drop zone, status bar, and look-alike frames
for the still-empty document lists and Text tab); ``complete()`` right after puts the real
panels (documents, page view, text views, tables, chat) in their place (windowparts.py)
and binds the shortcuts. Their modules are imported only then.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

# No ``Qt`` at module level: its first use builds ~20 ms of enums, so it waits until after
# the first paint (see DropZone and complete()).
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.look.icons import dot_icon, line_icon
from desktop.ui.widgets.firstpaint import DropZone, documents_skeleton
from desktop.ui.widgets.windowbars import build_status, build_toolbar

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QPlainTextEdit

    from desktop.ui.state.results import SourceView, TextView
    from desktop.ui.widgets.chat import ChatPanel
    from desktop.ui.widgets.documents import DocumentsPanel
    from desktop.ui.widgets.extractpane import ExtractPane
    from desktop.ui.widgets.formulaview import FormulaBox
    from desktop.ui.widgets.pageview import PageView
    from desktop.ui.widgets.sourcemarks import SourceMarks
    from desktop.ui.widgets.tables import TablesPanel

logger = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Widgets and their layout; the app controller (app.py) drives them."""

    inputs_given = Signal(object)  # Inputs
    mode_changed = Signal(str)
    cancel_requested = Signal()
    close_requested = Signal()

    # Built by complete() (windowparts.py), after the first paint:
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
    source_marks: SourceMarks  # set by control/extractcontrol.py

    def __init__(self, parent: QWidget | None = None, *, defer: bool = False) -> None:
        """``defer``: leave the hidden parts to ``complete()`` (run_gui, after first paint)."""
        super().__init__(parent)
        self.setObjectName("main_window")
        self.setWindowTitle("Dots Desktop")
        self.setAcceptDrops(True)
        self.resize(1400, 880)
        self._icons: dict[QAction, str] = {}
        self._shortcuts: dict[QAction, str] = {}
        self._page_actions: set[QAction] = set()
        self._complete = False
        self._build_actions()
        self._build_toolbar()
        self._build_centre()
        self._build_status()
        if not defer:
            self.complete()

    # -- construction ----------------------------------------------------------
    def _action(
        self, name: str, text: str, icon: str = "", shortcut: str = "", *, page: bool = False
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if icon:
            self._icons[action] = icon
            if page:
                self._page_actions.add(action)  # their icons come with the page bar
            else:
                action.setIcon(line_icon(icon, self.palette().windowText().color().name()))
        if shortcut:
            # Bound by complete(): QKeySequence's enums cost ~2 ms before the first paint,
            # and no key can be pressed before the window is there.
            self._shortcuts[action] = shortcut
        self.addAction(action)
        return action

    def _bind_shortcuts(self) -> None:
        from PySide6.QtGui import QKeySequence

        native = QKeySequence.SequenceFormat.NativeText
        for action, keys in self._shortcuts.items():
            sequence = QKeySequence(keys)
            action.setShortcuts([sequence])  # setShortcut() would name Qt.Key (see DropZone)
            action.setToolTip(f"{action.text()} ({sequence.toString(native)})")

    def _build_actions(self) -> None:
        self.open_action = self._action("open", self.tr("Open"), "open", "Ctrl+O")
        self.paste_action = self._action("paste", self.tr("Paste"), "paste", "Ctrl+V")
        self.export_action = self._action("export", self.tr("Export"), "export", "Ctrl+E")
        self.settings_action = self._action("settings", self.tr("Settings"), "settings", "Ctrl+,")
        self.cancel_action = self._action("cancel", self.tr("Cancel"), "stop", "Esc", page=True)
        self.fit_action = self._action("fit", self.tr("Fit page"), "fit", "Ctrl+0", page=True)
        self.zoom_in_action = self._action(
            "zoom_in", self.tr("Zoom in"), "zoom-in", "Ctrl++", page=True
        )
        self.zoom_out_action = self._action(
            "zoom_out", self.tr("Zoom out"), "zoom-out", "Ctrl+-", page=True
        )
        self.region_action = self._action(
            "region", self.tr("Read a region"), "region", "Ctrl+R", page=True
        )
        self.region_action.setCheckable(True)
        self._build_view_actions()
        self.retry_action = self._action(
            "retry_page", self.tr("Read page again"), "run", "F5", page=True
        )
        self.open_action.triggered.connect(self.choose_files)
        self.paste_action.triggered.connect(self.paste)
        self.cancel_action.triggered.connect(self.cancel_requested)

    def _build_view_actions(self) -> None:
        """Page-view toggles the user's choice is remembered for (viewprefs.py)."""
        self.overlay_action = self._action(
            "overlay", self.tr("Layout boxes"), "layout", "Ctrl+L", page=True
        )
        self.overlay_action.setCheckable(True)
        self.overlay_action.setChecked(True)

    def _build_toolbar(self) -> None:
        leading = (self.open_action, self.paste_action)
        built = build_toolbar(self, leading, (self.export_action, self.settings_action))
        self.toolbar = built.bar
        self.mode_combo, self.engine_chip = built.mode_combo, built.engine_chip
        self.mode_combo.currentIndexChanged.connect(lambda _i: self.mode_changed.emit(self.mode()))

    def _build_centre(self) -> None:
        splitter = QSplitter()  # horizontal
        splitter.setObjectName("main_splitter")
        self.docs_standin = documents_skeleton()  # DocumentsPanel comes with complete()
        splitter.addWidget(self.docs_standin)
        self.splitter = splitter

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        self.stack = QStackedWidget()
        self.drop_zone = DropZone()
        self._page_box = QWidget()  # the page bar and view: filled by complete()
        self.page_layout = QVBoxLayout(self._page_box)
        self.page_layout.setContentsMargins(0, 0, 0, 0)
        self.page_layout.setSpacing(0)
        self.stack.addWidget(self.drop_zone)
        self.stack.addWidget(self._page_box)
        centre_layout.addWidget(self.stack)
        splitter.addWidget(centre)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("result_tabs")
        self.tabs.setDocumentMode(True)
        self.text_tab = QWidget()
        self.text_layout = QVBoxLayout(self.text_tab)
        self.text_layout.setContentsMargins(0, 6, 0, 0)
        # The (empty) text view's look until complete() puts the real one there: a
        # QTextBrowser and its document's enums cost ~8 ms before the first paint.
        self.text_standin = QFrame()
        self.text_standin.setObjectName("text_placeholder")
        self.text_layout.addWidget(self.text_standin, 1)
        self.tabs.addTab(self.text_tab, self.tr("Text"))
        # Same labels as the panels complete() puts there: the tab bar never changes.
        for label in (
            self.tr("Tables"),
            self.tr("Chat"),
            self.tr("Plain text"),
            "JSON",
            self.tr("Extract"),
        ):
            self.tabs.addTab(QWidget(), label)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([240, 640, 520])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

    def complete(self) -> None:
        """Build the parts hidden at start: the page (bar + view) and the other tabs."""
        if self._complete:
            return
        self._complete = True
        from PySide6.QtCore import Qt

        from desktop.ui.widgets.windowparts import PageActions, PartPlaces, build_parts

        places = PartPlaces(
            self.splitter,
            self.docs_standin,
            self.text_layout,
            self.text_standin,
            self.page_layout,
            self.tabs,
        )
        actions = PageActions(
            self.fit_action,
            self.zoom_out_action,
            self.zoom_in_action,
            self.region_action,
            self.retry_action,
            self.cancel_action,
            self.overlay_action,
        )
        parts = build_parts(places, actions)
        self.documents = parts.documents
        self.text_view = parts.text_view
        self.page_bar = parts.page_bar
        self.page_status = parts.page_status
        self.page_progress = parts.page_progress
        self.page_view = parts.page_view
        self.region_box = parts.region_box
        self.region_text = parts.region_text
        self.tables = parts.tables
        self.chat = parts.chat
        self.plain_view = parts.plain_view
        self.json_view = parts.json_view
        self.extract = parts.extract
        self.formula = parts.formula
        self._bind_shortcuts()
        self._restore_view_choices()
        beside = Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        self.toolbar.setToolButtonStyle(beside)
        self.engine_chip.setToolButtonStyle(beside)
        self.drop_zone.centre()
        colour = self.palette().windowText().color().name()
        for action, name in self._icons.items():
            if action.icon().isNull():
                action.setIcon(line_icon(name, colour))

    def reword(self) -> None:
        """After a language switch: the texts built here from words and keys."""
        if self._complete:
            self._bind_shortcuts()  # tooltips carry the key names
            self.page_view.retranslate()

    def _restore_view_choices(self) -> None:
        """The overlay toggle as the user left it; each change is remembered."""
        from desktop.ui.state.viewprefs import OVERLAY, remember_view_choice, view_choice

        self.overlay_action.setChecked(view_choice(OVERLAY))
        self.page_view.set_overlay_visible(self.overlay_action.isChecked())
        self.overlay_action.toggled.connect(lambda on: remember_view_choice(OVERLAY, on))

    def _build_status(self) -> None:
        parts = build_status(self.statusBar())
        self.batch_label, self.batch_progress = parts.batch_label, parts.batch_progress
        self.gpu_gauge = parts.gpu_gauge
        self.model_state, self.model_dot = parts.model_state, parts.model_dot

    def refresh_colours(self) -> None:
        """(Re-)tint icons and backgrounds after the light/dark palette changed."""
        colour = self.palette().windowText().color().name()
        for action, name in self._icons.items():
            if self._complete or action not in self._page_actions:
                action.setIcon(line_icon(name, colour))
        if self._complete:
            self.page_view.setBackgroundBrush(self.palette().window().color().darker(108))

    # -- display helpers -----------------------------------------------------------
    def mode(self) -> str:
        return str(self.mode_combo.currentData())

    def set_mode(self, mode: str) -> None:
        index = self.mode_combo.findData(mode)
        if index >= 0:
            self.mode_combo.setCurrentIndex(index)

    def set_engine(self, name: str, state: str, state_text: str, line: str) -> None:
        """Update the chip, the status bar and the drop zone's engine sentence."""
        dot = dot_icon(state)
        self.engine_chip.setIcon(dot)
        self.engine_chip.setText(name or self.tr("No engine"))
        self.model_dot.setPixmap(dot.pixmap(12, 12))
        self.model_state.setText(" · ".join(part for part in (name, state_text) if part))
        self.drop_zone.engine_line.setText(line)

    def set_batch(self, done: int, total: int) -> None:
        active = total > 0
        self.batch_progress.setVisible(active)
        self.batch_progress.setRange(0, max(1, total))
        self.batch_progress.setValue(done)
        self.batch_label.setText(
            self.tr("Reading pages: %1 of %2 done")
            .replace("%1", str(done))
            .replace("%2", str(total))
            if active
            else ""
        )

    def show_message(self, text: str, ms: int = 8000) -> None:
        self.statusBar().showMessage(text, ms)

    # -- input -------------------------------------------------------------------
    def choose_files(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from desktop.ui.state.inputs import expand_paths

        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open scans, photos or PDFs"),
            "",
            self.tr(
                "Images and PDFs (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff *.pdf);;All files (*)"  # noqa: E501
            ),
        )
        if files:
            self.inputs_given.emit(expand_paths(files))

    def paste(self) -> None:
        from PySide6.QtGui import QGuiApplication

        from desktop.ui.state.inputs import Inputs, mime_inputs

        focus = QGuiApplication.focusObject()
        if self._complete and focus is self.chat.input:
            self.chat.input.paste()
            return
        mime = QGuiApplication.clipboard().mimeData()
        inputs = mime_inputs(mime) if mime is not None else Inputs()
        if inputs:
            self.inputs_given.emit(inputs)
        else:
            self.show_message(self.tr("The clipboard holds no image or file to read."))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        from desktop.ui.state.inputs import mime_inputs

        inputs = mime_inputs(event.mimeData())
        if inputs.skipped and not inputs:
            self.show_message(
                self.tr("Only local files can be read; links are not downloaded: %1").replace(
                    "%1", ", ".join(inputs.skipped[:3])
                )
            )
        if inputs:
            event.acceptProposedAction()
            self.inputs_given.emit(inputs)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.close_requested.emit()
