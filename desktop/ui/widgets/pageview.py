"""The page with its layout overlay: zoom, pan, fit, hover, click-to-select, region drawing."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneHoverEvent,
    QGraphicsView,
    QWidget,
)

from desktop.core.document import CATEGORY_COLOURS, BBox, Block
from desktop.ui.widgets.overlay import BlockLabel, OverlayLegend, place_labels
from desktop.ui.words.categories import category_words

MIN_ZOOM, MAX_ZOOM = 0.05, 8.0
LABEL_LIMIT = 40  # more blocks than this on a page: labels only as hover tooltips


class BlockItem(QGraphicsRectItem):
    """One block's box in its category colour, labelled with its category (outside the box)."""

    def __init__(self, block: Block, number: int) -> None:
        x1, y1, x2, y2 = block.bbox
        super().__init__(QRectF(x1, y1, max(1, x2 - x1), max(1, y2 - y1)))
        self.block = block
        self.number = number
        rgb = CATEGORY_COLOURS.get(block.category, (0, 128, 0))
        self.colour = QColor(*rgb)
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self._apply(False)
        words = category_words(block.category)
        # A scene item of its own (not a child): labels stay above every box.
        self.label = BlockLabel(words, self.colour, self)
        text = (block.text or "").strip()
        tip = words
        if text:
            tip += "\n" + (text[:400] + ("…" if len(text) > 400 else ""))
        self.setToolTip(tip)
        self.label.setToolTip(tip)

    def _apply(self, highlighted: bool) -> None:
        fill = QColor(self.colour)
        fill.setAlpha(70 if highlighted else 28)
        pen = QPen(self.colour, 3 if highlighted else 2)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(QBrush(fill))

    def set_highlighted(self, on: bool) -> None:
        self._apply(on)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._apply(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._apply(self.isSelected())
        super().hoverLeaveEvent(event)


class PageView(QGraphicsView):
    """Shows one page image and the blocks found on it."""

    block_clicked = Signal(int)  # position of the block in the page's list
    block_menu_requested = Signal(int, object)  # position, QPoint (global) for the menu
    region_selected = Signal(object)  # BBox in original pixels
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_view")
        self.setAccessibleName(self.tr("Page with layout overlay"))
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        # The page is scaled smoothly once per zoom, not again on every overlay repaint.
        self._pixmap.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._scene.addItem(self._pixmap)
        self._blocks: list[BlockItem] = []
        self._region_mode = False
        self._region_origin: QPointF | None = None
        self._band = QGraphicsRectItem()
        band_pen = QPen(QColor("#2f6fde"), 2, Qt.PenStyle.DashLine)
        band_pen.setCosmetic(True)
        self._band.setPen(band_pen)
        self._band.setBrush(QColor(47, 111, 222, 40))
        self._band.setZValue(10)
        self._band.hide()
        self._scene.addItem(self._band)
        # The region the chat is about stays marked (the band only lives while dragging).
        self._marked = QGraphicsRectItem()
        marked_pen = QPen(QColor("#2f6fde"), 2, Qt.PenStyle.DashLine)
        marked_pen.setCosmetic(True)
        self._marked.setPen(marked_pen)
        self._marked.setBrush(QColor(47, 111, 222, 24))
        self._marked.setZValue(9)
        self._marked.hide()
        self._scene.addItem(self._marked)
        self._fit = True
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(self.palette().window().color().darker(108))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self._page_size = (0, 0)
        self._overlay_on = True
        self._label_rects: list[tuple[float, float, float, float]] = []  # placed, page px
        self._labelled = 0  # how many blocks' labels are placed at ``_label_zoom``
        self._label_zoom = 0.0
        # A strip under the page (the window lays it out): over the page it would hide text.
        self.legend = OverlayLegend()

    # -- content -------------------------------------------------------------
    def set_page(self, image: QImage | None, width: int = 0, height: int = 0) -> None:
        """Show a page; ``width``/``height`` (original pixels) size the scene before the image."""
        self.clear_blocks()
        if image is not None and not image.isNull():
            self._pixmap.setPixmap(QPixmap.fromImage(image))
            self._page_size = (image.width(), image.height())
        else:
            self._pixmap.setPixmap(QPixmap())
            self._page_size = (width, height)
        w, h = self._page_size
        self._scene.setSceneRect(QRectF(0, 0, max(1, w), max(1, h)))
        if self._fit:
            self.fit()

    def has_page(self) -> bool:
        return not self._pixmap.pixmap().isNull()

    def clear_blocks(self) -> None:
        for item in self._blocks:
            self._scene.removeItem(item.label)
            self._scene.removeItem(item)
        self._blocks.clear()
        self._labelled = 0
        self._sync_legend()

    def add_block(self, block: Block) -> None:
        self._add_item(block)
        self._layout_labels(fresh=False)
        self._sync_legend()

    def _add_item(self, block: Block) -> None:
        item = BlockItem(block, len(self._blocks))
        item.setVisible(self._overlay_on)
        self._scene.addItem(item)
        self._scene.addItem(item.label)
        self._blocks.append(item)

    def add_blocks(self, blocks: list[Block]) -> None:
        for block in blocks:
            self._add_item(block)
        self._layout_labels(fresh=False)
        self._sync_legend()

    def set_blocks(self, blocks: tuple[Block, ...] | list[Block]) -> None:
        if [item.block for item in self._blocks] == list(blocks):
            return  # already drawn (streamed): keep the items and their selection
        self.clear_blocks()
        self.add_blocks(list(blocks))

    # -- overlay: labels, toggle, legend ---------------------------------------
    def _layout_labels(self, fresh: bool = True) -> None:
        """Put each label next to its box at the current zoom (labels keep their screen size).

        ``fresh=False`` (blocks streaming in): only the labels not placed yet, around those
        that are, unless the zoom changed meanwhile.
        """
        # A dense page (a newspaper) would be buried under labels: then hover tells.
        on = self._overlay_on and len(self._blocks) <= LABEL_LIMIT
        zoom = max(self.zoom(), 1e-6)
        if fresh or not on or zoom != self._label_zoom:
            self._labelled = 0
            self._label_rects = []
            for item in self._blocks:
                item.label.setVisible(on)
        if not on:
            return
        self._label_zoom = zoom
        new = self._blocks[self._labelled :]
        for item in new:
            item.label.setVisible(True)
        sizes = [(w / zoom, h / zoom) for w, h in (item.label.size() for item in new)]
        boxes = [tuple(float(v) for v in item.block.bbox) for item in new]
        w, h = self._page_size
        page = (float(max(1, w)), float(max(1, h)))
        corners = place_labels(boxes, sizes, page, self._label_rects)  # type: ignore[arg-type]
        for item, (x, y) in zip(new, corners, strict=True):
            item.label.setPos(x, y)
        self._labelled = len(self._blocks)

    def set_overlay_visible(self, on: bool) -> None:
        """Show or hide the boxes, their labels and the legend (the page stays)."""
        self._overlay_on = on
        for item in self._blocks:
            item.setVisible(on)
        self._layout_labels()
        self._sync_legend()

    def overlay_visible(self) -> bool:
        return self._overlay_on

    def _sync_legend(self) -> None:
        categories = [item.block.category for item in self._blocks]
        if tuple(dict.fromkeys(categories)) != self.legend.categories():
            self.legend.set_categories(categories)
        # Never shown on its own: without a place in a layout it would be a window.
        placed = self.legend.parent() is not None
        self.legend.setVisible(placed and self._overlay_on and bool(categories))

    def retranslate(self) -> None:
        """Labels and legend in the language just chosen."""
        blocks = [item.block for item in self._blocks]
        self.clear_blocks()
        self.add_blocks(blocks)
        self.legend.retranslate()
        self.setAccessibleName(self.tr("Page with layout overlay"))

    def block_count(self) -> int:
        return len(self._blocks)

    def block_items(self) -> list[BlockItem]:
        return list(self._blocks)

    def select_block(self, position: int) -> None:
        for i, item in enumerate(self._blocks):
            item.setSelected(i == position)
            item.set_highlighted(i == position)
        if 0 <= position < len(self._blocks):
            self.ensureVisible(self._blocks[position], 40, 40)

    # -- zoom -----------------------------------------------------------------
    def fit(self) -> None:
        self._fit = True
        rect = self._scene.sceneRect()
        if rect.width() > 1:
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self._layout_labels()
        self.zoom_changed.emit(self.zoom())

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = max(MIN_ZOOM, min(MAX_ZOOM, self.zoom() * factor))
        self._fit = False
        self.scale(target / self.zoom(), target / self.zoom())
        self._layout_labels()
        self.zoom_changed.emit(self.zoom())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.ZoomIn):
            self.zoom_by(1.25)
        elif event.matches(QKeySequence.StandardKey.ZoomOut):
            self.zoom_by(0.8)
        else:
            super().keyPressEvent(event)

    # -- region selection -----------------------------------------------------
    def set_region_mode(self, on: bool) -> None:
        """While on, dragging draws a rectangle instead of panning."""
        self._region_mode = on
        self.setDragMode(
            QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.ScrollHandDrag
        )
        self.viewport().setCursor(
            Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor
        )

    def region_mode(self) -> bool:
        return self._region_mode

    def mark_region(self, bbox: BBox | None) -> None:
        """Outline ``bbox`` (original pixels) until it is cleared with None."""
        if bbox is None:
            self._marked.hide()
            return
        x1, y1, x2, y2 = bbox
        self._marked.setRect(QRectF(x1, y1, x2 - x1, y2 - y1))
        self._marked.show()

    def marked_region(self) -> BBox | None:
        return self.rect_to_bbox(self._marked.rect()) if self._marked.isVisible() else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._region_mode and event.button() == Qt.MouseButton.LeftButton:
            self._region_origin = self.mapToScene(event.position().toPoint())
            self._band.setRect(QRectF(self._region_origin, self._region_origin))
            self._band.show()
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.block_at(event.position().toPoint())
            if item is not None:
                self.select_block(item.number)
                self.block_clicked.emit(item.number)
        super().mousePressEvent(event)

    def block_at(self, point: QPoint) -> BlockItem | None:
        """The block under a viewport point (its box or its label), if the overlay shows."""
        if not self._overlay_on:
            return None
        for item in self.items(point):
            if isinstance(item, BlockLabel) and isinstance(item.owner, BlockItem):
                return item.owner
            if isinstance(item, BlockItem):
                return item
        return None

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        item = self.block_at(event.pos())
        if item is None:
            super().contextMenuEvent(event)
            return
        self.select_block(item.number)
        self.block_menu_requested.emit(item.number, event.globalPos())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._region_mode and self._region_origin is not None:
            current = self.mapToScene(event.position().toPoint())
            self._band.setRect(QRectF(self._region_origin, current).normalized())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._region_mode and self._region_origin is not None:
            rect = self._band.rect().intersected(self._scene.sceneRect())
            self._region_origin = None
            self._band.hide()
            if rect.width() >= 4 and rect.height() >= 4:
                self.region_selected.emit(self.rect_to_bbox(rect))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    @staticmethod
    def rect_to_bbox(rect: QRectF) -> BBox:
        return (int(rect.left()), int(rect.top()), int(rect.right()), int(rect.bottom()))
