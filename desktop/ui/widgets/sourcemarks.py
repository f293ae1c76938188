"""Where an extracted value was read: its boxes drawn over the page, in their own layer.

The marks are items of the page view's scene of their own (above the layout overlay),
so the overlay's redraws never touch them; ``clear`` removes them when the user moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsView

from desktop.core.document import BBox

#: Amber: apart from every layout category colour, so a source box never reads as a block.
MARK_COLOUR = QColor(245, 158, 11)
MARK_Z = 12


class SourceMarks:
    """The highlighted source boxes on one page view."""

    def __init__(self, view: QGraphicsView) -> None:
        self.view = view
        self._items: list[QGraphicsRectItem] = []

    def show(self, boxes: Sequence[BBox]) -> None:
        """Mark ``boxes`` (original page pixels) and bring the first into view."""
        self.clear()
        scene = self.view.scene()
        pen = QPen(MARK_COLOUR, 4)
        pen.setCosmetic(True)
        fill = QColor(MARK_COLOUR)
        fill.setAlpha(90)
        for x1, y1, x2, y2 in boxes:
            item = QGraphicsRectItem(QRectF(x1, y1, max(1, x2 - x1), max(1, y2 - y1)))
            item.setPen(pen)
            item.setBrush(QBrush(fill))
            item.setZValue(MARK_Z)
            scene.addItem(item)
            self._items.append(item)
        if self._items:
            self.view.ensureVisible(self._items[0], 40, 40)

    def boxes(self) -> list[BBox]:
        """The boxes marked now (original page pixels)."""
        found: list[BBox] = []
        for item in self._items:
            r = item.rect()
            found.append((round(r.left()), round(r.top()), round(r.right()), round(r.bottom())))
        return found

    def clear(self) -> None:
        scene = self.view.scene()
        for item in self._items:
            if item.scene() is scene:
                scene.removeItem(item)
        self._items.clear()
