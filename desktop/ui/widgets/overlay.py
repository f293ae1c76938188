"""The overlay's labels (outside their boxes, never off the page) and its colour legend."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QFrame, QGraphicsItem, QLabel, QVBoxLayout, QWidget

from desktop.core.document import CATEGORY_COLOURS
from desktop.ui.words.categories import category_words

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

#: (x1, y1, x2, y2) in page pixels
Rect = tuple[float, float, float, float]

PAD_X, PAD_Y = 4.0, 1.0


_FONT: list[tuple[QFont, QFontMetricsF]] = []


def _font() -> tuple[QFont, QFontMetricsF]:
    """One font (and its metrics) for every label: made once, not per streamed block."""
    if not _FONT:
        font = QFont()
        font.setPixelSize(11)
        font.setBold(True)
        _FONT.append((font, QFontMetricsF(font)))
    return _FONT[0]


def text_colour(fill: QColor) -> QColor:
    """Black on light fills (pink tables, cyan headers), white on dark ones."""
    luminance = 0.299 * fill.red() + 0.587 * fill.green() + 0.114 * fill.blue()
    return QColor("#111111") if luminance > 150 else QColor("#ffffff")


class BlockLabel(QGraphicsItem):
    """A block's category in the user's language, on a chip of the block's colour.

    Drawn at a constant screen size (it ignores the view's zoom); ``size`` is in screen
    pixels, so the page view divides by its zoom to place it in page pixels.
    """

    def __init__(self, text: str, colour: QColor, owner: QGraphicsItem) -> None:
        super().__init__()
        self.owner = owner  # the block's box: a click on the label is a click on the block
        self.text = text
        self._fill = QColor(colour)
        self._ink = text_colour(self._fill)
        self._font, metrics = _font()
        self._size = (metrics.horizontalAdvance(text) + 2 * PAD_X, metrics.height() + 2 * PAD_Y)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setZValue(5)  # above every box, whichever was drawn later
        self.setAcceptHoverEvents(False)

    def size(self) -> tuple[float, float]:
        return self._size

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, *self._size)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._fill)
        painter.drawRoundedRect(self.boundingRect(), 3, 3)
        painter.setPen(self._ink)
        painter.setFont(self._font)
        painter.drawText(QRectF(PAD_X, PAD_Y, self._size[0], self._size[1]), 0, self.text)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    boxes: Sequence[Rect],
    sizes: Sequence[tuple[float, float]],
    page: tuple[float, float],
    taken: list[Rect] | None = None,
) -> list[tuple[float, float]]:
    """Top-left corners for labels of ``sizes`` (page pixels) next to their ``boxes``.

    Above the box, or below it when the page's top edge is in the way; never off the page.
    When that spot is taken by a label placed before, the other side and the box's right
    end are tried; if all are taken the first choice stays (dense pages overlap).
    ``taken``: labels placed by an earlier call (streamed blocks are placed as they come).
    """
    width, height = page
    placed: list[Rect] = taken if taken is not None else []  # grows: the caller keeps it
    corners: list[tuple[float, float]] = []
    for (x1, y1, x2, y2), (w, h) in zip(boxes, sizes, strict=True):
        above, below = y1 - h, y2
        first, second = (above, below) if above >= 0 else (below, above)
        candidates = [(x1, first), (x1, second), (x2 - w, first), (x2 - w, second), (x1, y1)]
        chosen: Rect | None = None
        for left, top in candidates:
            cx = min(max(0.0, left), max(0.0, width - w))
            cy = min(max(0.0, top), max(0.0, height - h))
            rect = (cx, cy, cx + w, cy + h)
            if chosen is None:
                chosen = rect  # the fallback: first choice, clamped to the page
            if not any(_overlaps(rect, other) for other in placed):
                chosen = rect
                break
        assert chosen is not None
        placed.append(chosen)
        corners.append((chosen[0], chosen[1]))
    return corners


class OverlayLegend(QFrame):
    """Which colour is which category, for the categories on the shown page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overlay_legend")
        self.setAccessibleName(self.tr("Colour legend"))
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        self.text = QLabel()
        self.text.setObjectName("overlay_legend_text")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        self._categories: tuple[str, ...] = ()
        self.hide()

    def set_categories(self, categories: Sequence[str]) -> None:
        """Show ``categories`` (in page order, each once); none: the legend hides."""
        unique = tuple(dict.fromkeys(categories))
        self._categories = unique
        self.retranslate()

    def categories(self) -> tuple[str, ...]:
        return self._categories

    def entries(self) -> list[tuple[str, str]]:
        """(colour as #rrggbb, category words) as shown."""
        out = []
        for category in self._categories:
            rgb = CATEGORY_COLOURS.get(category, (0, 128, 0))
            out.append((QColor(*rgb).name(), category_words(category)))
        return out

    def retranslate(self) -> None:
        swatch = '<span style="color:{}; font-size:15px">■</span>&nbsp;{}'
        chips = [
            swatch.format(colour, html.escape(words).replace(" ", "&nbsp;"))
            for colour, words in self.entries()
        ]
        # One line under the page; it wraps between entries, never inside one.
        self.text.setText(" &nbsp;&nbsp; ".join(chips))
