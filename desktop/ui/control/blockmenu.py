"""What a block on the page does: a table opens in the Tables tab; right-click offers
Copy text, Copy table, Read again and Ask about this region."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu

from desktop.core.clipcontent import page_clip
from desktop.core.document import Document, Page
from desktop.core.sheets import document_sheet_tables
from desktop.core.tableblock import block_tables

if TYPE_CHECKING:
    from desktop.core.document import Block
    from desktop.ui.control.links import ControllerLink


def t(text: str) -> str:
    return QCoreApplication.translate("BlockMenu", text)


class BlockActions(QObject):
    """Connects the page view's block clicks and menus to the tabs, clipboard and reader."""

    def __init__(self, controller: ControllerLink) -> None:
        super().__init__(controller.window)
        self.controller = controller
        self.window = controller.window
        self.menu: QMenu | None = None  # the open menu (tests find it here)
        view = self.window.page_view
        view.block_clicked.connect(self.open_table)
        view.block_menu_requested.connect(self.show_menu)

    def _block(self, position: int) -> Block | None:
        c = self.controller
        entry = c.entries.get(c.current_key)
        if entry is None or c.current_page < 0:
            return None
        blocks = entry.blocks(c.current_page)
        return blocks[position] if 0 <= position < len(blocks) else None

    def _table_ordinal(self, position: int) -> int:
        """Which table of its page (from 1) the block at ``position`` starts with, numbered
        as the Tables tab names them (a Table block may hold several); 0: not a table."""
        c = self.controller
        entry = c.entries[c.current_key]
        blocks = entry.blocks(c.current_page)
        if not blocks[position].is_table:
            return 0
        before = Page(c.current_page, 0, 0, tuple(blocks[:position]))
        return len(document_sheet_tables(Document(entry.name, (before,)))) + 1

    def open_table(self, position: int) -> bool:
        """A click on a table block shows that table (not table 1) in the Tables tab."""
        block = self._block(position)
        if block is None or not block.is_table:
            return False
        c = self.controller
        tables = self.window.tables
        tables.set_document(c.entries[c.current_key].document())
        if not tables.show_table(c.current_page, self._table_ordinal(position)):
            return False  # still being read, or not a table the grid parser could read
        self.window.tabs.setCurrentWidget(tables)
        return True

    def build_menu(self, position: int) -> QMenu | None:
        block = self._block(position)
        if block is None:
            return None
        menu = QMenu(self.window.page_view)
        menu.setObjectName("block_menu")
        copy_text = menu.addAction(t("Copy text"))
        copy_text.setObjectName("block_copy_text")
        copy_text.setEnabled(bool((block.text or "").strip()) and not block.is_table)
        copy_text.triggered.connect(lambda: self.copy_text(position))
        if block.is_table:
            copy_table = menu.addAction(t("Copy table"))
            copy_table.setObjectName("block_copy_table")
            copy_table.setEnabled(self._grid(block) is not None)
            copy_table.triggered.connect(lambda: self.copy_table(position))
        menu.addSeparator()
        again = menu.addAction(t("Read again"))
        again.setObjectName("block_read_again")
        again.setToolTip(t("Read this block's region once more"))
        again.setEnabled(self.window.region_action.isEnabled())
        again.triggered.connect(lambda: self.controller.read_region(block.bbox))
        ask = menu.addAction(t("Ask about this region"))
        ask.setObjectName("block_ask")
        ask.triggered.connect(lambda: self.ask_about(position))
        return menu

    def show_menu(self, position: int, where: QPoint) -> None:
        menu = self.build_menu(position)
        if menu is None:
            return
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = menu
        menu.popup(where)

    @staticmethod
    def _grid(block: Block) -> object | None:
        tables = block_tables(block.text or "")
        return tables[0].grid if tables and tables[0].grid.cols else None

    def copy_text(self, position: int) -> None:
        block = self._block(position)
        text = (block.text or "").strip() if block is not None else ""
        if text:
            QGuiApplication.clipboard().setText(text)
            self.window.show_message(t("The block's text is on the clipboard."))

    def copy_table(self, position: int) -> None:
        """Every table of the block, with its caption and the text around it, in the same
        formats as every other copy (HTML, TSV, plain text), told with Undo."""
        block = self._block(position)
        if block is None or self._grid(block) is None:
            return
        c = self.controller
        page = Page(c.current_page, 0, 0, (block,))
        c.notes.copy(page_clip(page, c.entries[c.current_key].name))

    def ask_about(self, position: int) -> None:
        """The chat is about this block's region (its crop goes with the next question)."""
        block = self._block(position)
        if block is None:
            return
        chat = self.window.chat
        chat.attach_region(block.bbox)
        self.window.tabs.setCurrentWidget(chat)
        chat.input.setFocus()
