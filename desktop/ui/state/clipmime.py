"""The clipboard as every copy path uses it: one MIME layout, and Undo of the last copy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from desktop.core.clipcontent import ClipContent

TSV = "text/tab-separated-values"


def content_mime(content: ClipContent) -> QMimeData:
    """HTML (UTF-8, tables typed), TSV and plain text: what spreadsheets and editors take."""
    mime = QMimeData()
    mime.setHtml(content.html)
    mime.setText(content.text)
    mime.setData(TSV, content.tsv.encode("utf-8"))
    return mime


def clipboard_snapshot() -> QMimeData:
    """A copy of every format the clipboard holds now (its own object: Qt owns the live one)."""
    kept = QMimeData()
    current = QGuiApplication.clipboard().mimeData()
    if current is not None:
        for fmt in current.formats():
            kept.setData(fmt, current.data(fmt))
    return kept


class ClipboardUndo:
    """Puts a copy on the clipboard and can put back what was there before, all formats."""

    def __init__(self) -> None:
        self._before: QMimeData | None = None
        self._ours: QMimeData | None = None

    def put(self, content: ClipContent) -> None:
        self._before = clipboard_snapshot()
        self._ours = content_mime(content)
        QGuiApplication.clipboard().setMimeData(self._ours)

    def can_undo(self) -> bool:
        # Once something else was copied, "Undo" would throw that away: not ours to undo.
        return self._before is not None and QGuiApplication.clipboard().mimeData() is self._ours

    def undo(self) -> bool:
        """Restore the clipboard as it was before ``put``; False when that is no longer ours."""
        if not self.can_undo() or self._before is None:
            return False
        QGuiApplication.clipboard().setMimeData(self._before)
        self._before = self._ours = None
        return True
