"""Status bar pieces: the GPU memory gauge and the model state."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
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
        self.paint_count += 1
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(1, self.height() / 2 - 4, 60, 8)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.palette().mid().color())
        p.drawRoundedRect(bar, 4, 4)
        frac = self.fraction()
        if frac is not None:
            p.setBrush(fullness_colour(frac))
            p.drawRoundedRect(
                QRectF(bar.x(), bar.y(), bar.width() * min(1.0, frac), bar.height()), 4, 4
            )
        p.setPen(self.palette().windowText().color() if frac is not None else QColor("#8a8f98"))
        p.drawText(
            QRectF(70, 0, self.width() - 70, self.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            self._text,
        )
        p.end()
