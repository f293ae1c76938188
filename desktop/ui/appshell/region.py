"""Screen-region capture: a frameless overlay over a screenshot of all screens; drag a box."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QWidget


def grab_all_screens() -> tuple[QPixmap, QRect]:
    """One pixmap of the whole virtual desktop and its geometry."""
    screens = QGuiApplication.screens()
    if not screens:
        return QPixmap(), QRect()
    total = QRect()
    for screen in screens:
        total = total.united(screen.geometry())
    # At the sharpest screen's scale: on a HiDPI screen the text keeps its real pixels.
    dpr = max(screen.devicePixelRatio() for screen in screens)
    canvas = QPixmap(total.size() * dpr)
    canvas.setDevicePixelRatio(dpr)
    canvas.fill(Qt.GlobalColor.black)
    painter = QPainter(canvas)
    for screen in screens:
        shot = screen.grabWindow(0)
        painter.drawPixmap(screen.geometry().topLeft() - total.topLeft(), shot)
    painter.end()
    return canvas, total


class RegionOverlay(QWidget):
    """Shows the frozen screenshot dimmed; the dragged rectangle is cut out bright."""

    def __init__(
        self, shot: QPixmap, geometry: QRect, done: Callable[[QImage | None], None]
    ) -> None:
        super().__init__(
            None,
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool,
        )
        self.setObjectName("region_overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setGeometry(geometry)
        self._shot = shot
        self._done = done
        self._origin: QPoint | None = None
        self._rect = QRect()
        self._finished = False

    def selection(self) -> QRect:
        return QRect(self._rect)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.drawPixmap(0, 0, self._shot)
        p.fillRect(self.rect(), QColor(0, 0, 0, 110))
        if not self._rect.isNull():
            dpr = self._shot.devicePixelRatio()
            source = QRectF(
                self._rect.x() * dpr,
                self._rect.y() * dpr,
                self._rect.width() * dpr,
                self._rect.height() * dpr,
            )
            p.drawPixmap(QRectF(self._rect), self._shot, source)
            p.setPen(QPen(QColor("#2f8fdf"), 2))
            p.drawRect(self._rect)
        p.setPen(QColor("#ffffff"))
        p.drawText(
            self.rect().adjusted(0, 24, 0, 0),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            self.tr("Drag a rectangle around the text to read. Esc cancels."),
        )
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._origin = event.position().toPoint()
        self._rect = QRect(self._origin, self._origin)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self._rect = _span(self._origin, event.position().toPoint())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._origin is None:
            return
        self._rect = _span(self._origin, event.position().toPoint())
        self._origin = None
        if self._rect.width() < 4 or self._rect.height() < 4:
            return
        dpr = self._shot.devicePixelRatio()
        r = self._rect
        pixels = QRect(
            round(r.x() * dpr), round(r.y() * dpr), round(r.width() * dpr), round(r.height() * dpr)
        )
        image = self._shot.copy(pixels).toImage()
        image.setDevicePixelRatio(1.0)
        self.finish(image)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.finish(None)

    def finish(self, image: QImage | None) -> None:
        if self._finished:
            return
        self._finished = True
        self.close()
        self._done(image)


def _span(a: QPoint, b: QPoint) -> QRect:
    """The rectangle between two corners, as many pixels wide as the drag was long."""
    top_left = QPoint(min(a.x(), b.x()), min(a.y(), b.y()))
    return QRect(top_left, QSize(abs(a.x() - b.x()), abs(a.y() - b.y())))


_active: list[RegionOverlay] = []


def capture_region(done: Callable[[QImage | None], None]) -> RegionOverlay | None:
    """Open the overlay; ``done`` gets the chosen part of the screen, or None when cancelled."""
    shot, geometry = grab_all_screens()
    if shot.isNull():
        done(None)
        return None
    overlay = RegionOverlay(shot, geometry, done)
    _active.append(overlay)
    overlay.destroyed.connect(_active.clear)
    overlay.show()
    overlay.activateWindow()
    return overlay
