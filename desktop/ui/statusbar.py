"""Status bar pieces: the GPU memory gauge and the model state."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPointF, QRectF, QSize
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.ui.icons import fullness_colour

GIB = 1024**3


def gpu_text(used: int, total: int) -> str:
    return f"GPU {used / GIB:.1f} / {total / GIB:.1f} GiB"


class GpuGauge(QWidget):
    """A small bar plus "GPU 11.2 / 16.0 GiB" (or "No NVIDIA GPU")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gpu_gauge")
        self.setAccessibleName(self.tr("GPU memory"))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._used = 0
        self._total = 0
        self._text = self.tr("No NVIDIA GPU")
        self.paint_count = 0

    def set_reading(self, used: int, total: int) -> None:
        text = gpu_text(used, total) if total else self.tr("No NVIDIA GPU")
        old = self.fraction()
        self._used, self._total = used, total
        new = self.fraction()
        bar = (None if old is None else round(old * 120), None if new is None else round(new * 120))
        if text == self._text and bar[0] == bar[1]:
            return  # a 10 Hz poll: repaint only when the bar or the text would change
        self._text = text
        self.setToolTip(self._text)
        self.setAccessibleDescription(self._text)
        self.update()

    def text(self) -> str:
        return self._text

    def fraction(self) -> float | None:
        return self._used / self._total if self._total else None

    def sizeHint(self) -> QSize:
        width = self.fontMetrics().horizontalAdvance(self._text + "  GPU 00.0 / 00.0 GiB") // 2
        return QSize(64 + 8 + max(120, width), 20)

    def paintEvent(self, event: QPaintEvent) -> None:
        # SVG and the widget's own foreground, no QPen/QBrush: the gauge paints in the
        # first frame, before ``Qt``'s enums exist (see window.py).
        self.paint_count += 1
        frac = self.fraction()
        mid = self.palette().mid().color().name()
        fill = ""
        if frac is not None:
            width = 60 * min(1.0, max(0.0, frac))
            fill = (
                f'<rect width="{width:.2f}" height="8" rx="4" '
                f'fill="{fullness_colour(frac).name()}"/>'
            )
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="8">'
            f'<rect width="60" height="8" rx="4" fill="{mid}"/>{fill}</svg>'
        )
        role = (
            QPalette.ColorRole.WindowText
            if frac is not None
            else QPalette.ColorRole.PlaceholderText
        )
        if self.foregroundRole() != role:
            self.setForegroundRole(role)  # "No NVIDIA GPU" reads muted
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        QSvgRenderer(QByteArray(svg.encode())).render(p, QRectF(1, self.height() / 2 - 4, 60, 8))
        metrics = self.fontMetrics()  # left-aligned, vertically centred
        baseline = (self.height() + metrics.ascent() - metrics.descent()) / 2
        p.drawText(QPointF(70, baseline), self._text)
        p.end()
