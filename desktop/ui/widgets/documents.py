"""Left pane: documents (newest first, with a status badge) and the current document's pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLocale,
    QObject,
    QPoint,
    QSize,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.look.icons import svg_pixmap
from desktop.ui.words.facts import facts_words

if TYPE_CHECKING:
    from desktop.ui.state.session import DocEntry

#: Qt.ItemDataRole.UserRole as a number: this module is imported before the first paint,
#: when naming ``Qt`` would cost ~20 ms of enum set-up (see window.py).
USER_ROLE = 0x0100

THUMB = QSize(96, 128)
BADGE_COLOURS = {
    "done": "#2fbf71",
    "partial": "#f0a020",
    "failed": "#e0455a",
    "reading": "#2f8fdf",
    "queued": "#8a8f98",
    "loading": "#8a8f98",
    "new": "#8a8f98",
}


def badge_text(status: str) -> str:
    names = {
        "done": QCoreApplication.translate("DocumentsPanel", "done"),
        "partial": QCoreApplication.translate("DocumentsPanel", "partial"),
        "failed": QCoreApplication.translate("DocumentsPanel", "failed"),
        "reading": QCoreApplication.translate("DocumentsPanel", "reading…"),
        "queued": QCoreApplication.translate("DocumentsPanel", "queued"),
        "loading": QCoreApplication.translate("DocumentsPanel", "opening…"),
        "new": QCoreApplication.translate("DocumentsPanel", "not read yet"),
    }
    return names.get(status, status)


def entry_text(entry: DocEntry) -> str:
    """Three lines: the name (with what tells it from a twin); status and pages; the engine
    that read it and its seconds per page (blank until it was read here)."""
    name = f"{entry.name}  ({entry.twin_hint})" if entry.twin_hint else entry.name
    status = [badge_text(entry.status())]
    if entry.page_count:
        status.append(
            QCoreApplication.translate("DocumentsPanel", "pages: %1").replace(
                "%1", str(entry.page_count)
            )
        )
    reader = [short_engine(entry.engine)] if entry.engine else []
    speed = entry.seconds_per_page()
    if speed is not None:
        reader.append(
            QCoreApplication.translate("DocumentsPanel", "%1 s/page").replace(
                "%1", QLocale().toString(speed, "f", 1)
            )
        )
    # Always three lines: the list gives every entry the first one's height.
    return "\n".join((name, "  ·  ".join(status), "  ·  ".join(reader) or " "))


def short_engine(name: str) -> str:
    """``rednote-hilab/dots.ocr @ 127.0.0.1:8000`` -> ``dots.ocr`` (the tooltip has it all)."""
    return name.split(" @ ", 1)[0].rsplit("/", 1)[-1] or name


def entry_tooltip(entry: DocEntry) -> str:
    lines = [entry.path or entry.name]
    if entry.engine:
        lines.append(
            QCoreApplication.translate("DocumentsPanel", "Read by %1").replace("%1", entry.engine)
        )
    speed = entry.seconds_per_page()
    if speed is not None:
        lines.append(
            QCoreApplication.translate("DocumentsPanel", "%1 seconds per page").replace(
                "%1", QLocale().toString(speed, "f", 1)
            )
        )
    return "\n".join(lines)


def _placeholder() -> QIcon:
    w, h = THUMB.width(), THUMB.height()
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}">'
        f'<rect x="0.5" y="0.5" width="{w - 1}" height="{h - 1}" fill="#e9ecf1" '
        'stroke="#c4c9d2" stroke-width="1"/></svg>'
    )
    return QIcon(svg_pixmap(svg, w, h, scale=1))


class DocumentsPanel(QWidget):
    """Lists documents and the pages of the selected one; thumbnails render on demand."""

    document_selected = Signal(str)
    page_selected = Signal(str, int)
    thumbnail_wanted = Signal(str, int)
    menu_requested = Signal(str, object)  # key, QPoint (global) for its menu
    remove_requested = Signal(str)  # key (the Delete key)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documents_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        self._docs_label = QLabel(self.tr("Documents"))
        self._docs_label.setObjectName("section_label")
        self.docs = QListWidget()
        self.docs.setObjectName("documents_list")
        self.docs.setAccessibleName(self.tr("Documents"))
        self.docs.setUniformItemSizes(True)
        # A long name or engine is cut short with "…" (the tooltip has it), never scrolled to.
        from PySide6.QtCore import Qt  # built after the first paint (complete())

        self.docs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.docs.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self._pages_label = QLabel(self.tr("Pages"))
        self._pages_label.setObjectName("section_label")
        self.pages = QListWidget()
        self.pages.setObjectName("pages_list")
        self.pages.setAccessibleName(self.tr("Pages"))
        self.pages.setViewMode(QListView.ViewMode.IconMode)
        self.pages.setIconSize(THUMB)
        self.pages.setGridSize(QSize(THUMB.width() + 18, THUMB.height() + 30))
        self.pages.setResizeMode(QListView.ResizeMode.Adjust)
        self.pages.setMovement(QListView.Movement.Static)
        self.pages.setUniformItemSizes(True)
        layout.addWidget(self._docs_label)
        layout.addWidget(self.docs, 2)
        layout.addWidget(self._pages_label)
        layout.addWidget(self.pages, 5)
        self._current = ""
        self._placeholder = _placeholder()
        self._requested: set[tuple[str, int]] = set()
        self._thumbs: dict[tuple[str, int], QIcon] = {}
        self._lazy = QTimer(self, singleShot=True, interval=60)
        self._lazy.timeout.connect(self._request_visible)
        self.pages.verticalScrollBar().valueChanged.connect(lambda _v: self._lazy.start())
        self.docs.currentItemChanged.connect(self._on_doc_changed)
        self._wire_document_actions()
        self.pages.currentRowChanged.connect(self._on_page_changed)

    # -- documents -------------------------------------------------------------
    def add_document(self, entry: DocEntry, select: bool = True) -> None:
        """Newest first: insert at the top (and select it)."""
        item = QListWidgetItem()
        item.setData(USER_ROLE, entry.key)
        self.docs.insertItem(0, item)
        self.update_document(entry)
        if select:
            self.docs.setCurrentItem(item)

    def _item(self, key: str) -> QListWidgetItem | None:
        for row in range(self.docs.count()):
            item = self.docs.item(row)
            if item.data(USER_ROLE) == key:
                return item
        return None

    def update_document(self, entry: DocEntry) -> None:
        item = self._item(entry.key)
        if item is None:
            return
        status = entry.status()
        item.setText(entry_text(entry))
        item.setToolTip(facts_words(entry.error) or entry_tooltip(entry))
        pix = QPixmap(12, 12)
        pix.fill(QColor(BADGE_COLOURS.get(status, "#8a8f98")))
        item.setIcon(QIcon(pix))
        if entry.key == self._current:
            self._update_page_badges(entry)

    def _wire_document_actions(self) -> None:
        """Right-click menu and the Delete key (the menu itself: control/doclist.py)."""
        from PySide6.QtCore import Qt

        self.docs.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.docs.customContextMenuRequested.connect(self._on_menu)
        self.docs.installEventFilter(self)  # the Delete key, while the list has the focus

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.docs and event.type() == QEvent.Type.KeyPress:
            from PySide6.QtGui import QKeyEvent, QKeySequence

            if isinstance(event, QKeyEvent) and event.matches(QKeySequence.StandardKey.Delete):
                self._on_delete()
                return True
        return super().eventFilter(watched, event)

    def _on_menu(self, point: QPoint) -> None:
        item = self.docs.itemAt(point)
        if item is not None:
            self.docs.setCurrentItem(item)
            self.menu_requested.emit(item.data(USER_ROLE), self.docs.viewport().mapToGlobal(point))

    def _on_delete(self) -> None:
        item = self.docs.currentItem()
        if item is not None:
            self.remove_requested.emit(item.data(USER_ROLE))

    def remove_document(self, key: str) -> None:
        """Take the entry off the list (the next one becomes current), and its thumbnails."""
        item = self._item(key)
        if item is not None:
            self.docs.takeItem(self.docs.row(item))
        self.forget(key)
        if self.docs.count() == 0:
            self._current = ""
            self.pages.clear()
            self.document_selected.emit("")

    def select_document(self, key: str) -> None:
        item = self._item(key)
        if item is not None:
            self.docs.setCurrentItem(item)

    def keys(self) -> list[str]:
        """The listed documents' keys, top (newest) first."""
        return [self.docs.item(row).data(USER_ROLE) for row in range(self.docs.count())]

    def current_key(self) -> str:
        return self._current

    def _on_doc_changed(self, current: QListWidgetItem | None, _prev: object) -> None:
        key = current.data(USER_ROLE) if current is not None else ""
        self._current = key or ""
        self.document_selected.emit(self._current)

    # -- pages -----------------------------------------------------------------
    def show_pages(self, entry: DocEntry) -> None:
        """Fill the page list with placeholders; visible thumbnails are requested lazily."""
        from PySide6.QtCore import Qt

        self.pages.blockSignals(True)
        self.pages.clear()
        for index in range(entry.page_count):
            item = QListWidgetItem(self._thumbs.get((entry.key, index), self._placeholder), "")
            item.setData(USER_ROLE, index)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.pages.addItem(item)
        self.pages.blockSignals(False)
        self._update_page_badges(entry)
        self._lazy.start()

    def _update_page_badges(self, entry: DocEntry) -> None:
        from desktop.core.document import PageStatus

        for index in range(min(self.pages.count(), entry.page_count)):
            page = entry.results.get(index)
            mark = ""
            if index in entry.running:
                mark = " ⟳"
            elif page is not None and page.status == PageStatus.OK:
                mark = " ✓"
            elif page is not None and page.status in (PageStatus.PARTIAL, PageStatus.RECOVERED):
                mark = " ◐"
            elif page is not None and page.status == PageStatus.FAILED:
                mark = " ✕"
            self.pages.item(index).setText(f"{index + 1}{mark}")

    def set_thumbnail(self, key: str, index: int, image: QImage) -> None:
        icon = QIcon(QPixmap.fromImage(image))
        self._thumbs[(key, index)] = icon
        if key == self._current and index < self.pages.count():
            self.pages.item(index).setIcon(icon)

    def select_page(self, index: int) -> None:
        if 0 <= index < self.pages.count():
            self.pages.setCurrentRow(index)

    def _on_page_changed(self, row: int) -> None:
        if row >= 0 and self._current:
            self.page_selected.emit(self._current, row)

    def _request_visible(self) -> None:
        if not self._current:
            return
        viewport = self.pages.viewport().rect()
        for row in range(self.pages.count()):
            rect = self.pages.visualItemRect(self.pages.item(row))
            if rect.intersects(viewport.adjusted(0, -200, 0, 400)):
                key = (self._current, row)
                if key not in self._requested:
                    self._requested.add(key)
                    self.thumbnail_wanted.emit(self._current, row)

    def forget(self, key: str) -> None:
        self._thumbs = {k: v for k, v in self._thumbs.items() if k[0] != key}
        self._requested = {k for k in self._requested if k[0] != key}
