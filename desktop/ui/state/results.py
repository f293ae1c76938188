"""Right pane texts: rendered Markdown (inert), plain text and JSON of the current page.

The plain text and JSON shown are the CLI's exports (core/exports.py), one schema for both.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QCoreApplication, QUrl, Signal
from PySide6.QtGui import (
    QFont,
    QImage,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from desktop.core.document import Block, Page

logger = logging.getLogger(__name__)


class InertBrowser(QTextBrowser):
    """A Markdown view that never fetches anything: no links followed, no images loaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDefaultStyleSheet(
            "table { border-collapse: collapse; margin: 6px 0; }"
            "th, td { border: 1px solid #9aa1ab; padding: 2px 8px; }"
        )

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        # OCR output is untrusted: remote or local resources named in it are never loaded.
        # An empty value (not None) is what stops Qt: for None, QTextDocument falls back to
        # reading file:// and qrc: names itself.
        if int(type) == QTextDocument.ResourceType.ImageResource.value:
            return QImage()
        return QByteArray()


def block_markdown(block: Block) -> str:
    """How one block reads in the Text tab (tables stay HTML, formulas stay LaTeX)."""
    text = (block.text or "").strip()
    if block.category == "Picture":
        return ""
    if block.category == "Formula" and text and not text.startswith("$"):
        return f"$$\n{text}\n$$"
    if block.category == "Title" and text and not text.startswith("#"):
        return f"# {text}"
    if block.category == "Section-header" and text and not text.startswith("#"):
        return f"## {text}"
    return text


class TextView(InertBrowser):
    """Rendered page text, built block by block so a block's text can be selected."""

    block_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("text_view")
        self.setAccessibleName(self.tr("Recognized text"))
        # Lines break between words only ("Contro|ls" in a narrow table column was the
        # default's anywhere-break); a table wider than the view then scrolls sideways.
        self.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self._ranges: list[tuple[int, int]] = []
        self._shown: tuple[list[Block], str] = ([], "")
        self.cursorPositionChanged.connect(self._on_cursor)
        self._quiet = False

    def set_blocks(self, blocks: tuple[Block, ...] | list[Block], plain: str = "") -> None:
        if self._shown == (list(blocks), plain):
            return  # already shown (streamed in): no re-render, selection kept
        self._quiet = True
        self.clear()
        self._ranges = []
        self._shown = ([], plain)
        if plain and not blocks:
            self.setMarkdown(plain)
        for block in blocks:
            self.append_block(block)
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self._quiet = False

    def append_blocks(self, blocks: list[Block]) -> None:
        """Several streamed blocks at once, laid out and painted once."""
        self.setUpdatesEnabled(False)
        try:
            for block in blocks:
                self.append_block(block)
        finally:
            self.setUpdatesEnabled(True)

    def append_block(self, block: Block) -> None:
        self._shown[0].append(block)
        quiet, self._quiet = self._quiet, True
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if self._ranges and block.category == "List-item":
            cursor.insertBlock()  # list items in a row stay one list
        elif self._ranges:
            # A fresh paragraph: a block after a list item must not join that list (a
            # formula, a picture or a caption shown as one more bullet).
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        start = cursor.position()
        markdown = block_markdown(block)
        if block.is_table and markdown.lstrip().startswith("<"):
            cursor.insertHtml(markdown)
        elif markdown:
            cursor.insertMarkdown(markdown)
        else:
            cursor.insertText(" ")
        self._ranges.append((start, cursor.position()))
        self._quiet = quiet

    def select_block(self, position: int) -> None:
        if not 0 <= position < len(self._ranges):
            return
        start, end = self._ranges[position]
        self._quiet = True
        cursor = self.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        self._quiet = False

    def _on_cursor(self) -> None:
        if self._quiet:
            return
        pos = self.textCursor().position()
        for i, (start, end) in enumerate(self._ranges):
            if start <= pos <= end:
                self.block_activated.emit(i)
                return


class SourceView(QWidget):
    """Plain text or JSON, monospace, read-only; lines as written unless wrapping is on."""

    def __init__(
        self, name: str, parent: QWidget | None = None, *, wrap_toggle: bool = False
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        from PySide6.QtWidgets import QCheckBox, QPlainTextEdit  # not before the first paint

        self.edit = QPlainTextEdit()
        self.edit.setObjectName(name)
        self.edit.setReadOnly(True)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.edit.setFont(font)
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.wrap_box: QCheckBox | None = None
        if wrap_toggle:
            from desktop.ui.state.viewprefs import PLAIN_WRAP, remember_view_choice, view_choice

            box = self.wrap_box = QCheckBox(self.tr("Wrap lines"))
            box.setObjectName(f"{name}_wrap")
            box.setChecked(view_choice(PLAIN_WRAP))
            self._wrap(box.isChecked())
            box.toggled.connect(self._wrap)
            box.toggled.connect(lambda on: remember_view_choice(PLAIN_WRAP, on))
            layout.addWidget(box)
        layout.addWidget(self.edit)

    def _wrap(self, on: bool) -> None:
        from PySide6.QtWidgets import QPlainTextEdit

        mode = QPlainTextEdit.LineWrapMode
        self.edit.setLineWrapMode(mode.WidgetWidth if on else mode.NoWrap)

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)


def status_sentence(page: Page | None, running: bool) -> str:
    """The page status line under the text."""

    from desktop.core.document import PageStatus

    def t(text: str) -> str:
        return QCoreApplication.translate("PageStatus", text)

    if running:
        return t("Reading this page…")
    if page is None or page.status == PageStatus.PENDING:
        return t("Not read yet.")
    words = {
        PageStatus.OK: t("Read completely."),
        PageStatus.PARTIAL: t("Partly read."),
        PageStatus.RECOVERED: t("Recovered after a problem."),
        PageStatus.FAILED: t("Failed."),
    }
    sentence = words.get(page.status, "")
    from desktop.ui.words.facts import page_reason_words

    reason = page_reason_words(page)
    return f"{sentence} {reason[:1].upper()}{reason[1:]}".strip()  # a sentence of its own
