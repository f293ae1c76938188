"""Status bar pieces: the GPU memory gauge."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from desktop.ui.look.icons import fullness_level

GIB = 1024**3
#: Steps of the 60 px bar (half a pixel each): finer readings would repaint for nothing.
STEPS = 120


def gpu_text(used: int, total: int) -> str:
    return f"GPU {used / GIB:.1f} / {total / GIB:.1f} GiB"


class GpuGauge(QWidget):
    """A small bar plus "GPU 11.2 / 16.0 GiB" (or "No NVIDIA GPU", muted).

    Made of a QProgressBar and a QLabel, which Qt paints itself: a widget painted from
    Python would bring QPaintEvent's ~180 event types into the first paint (~2 ms).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gpu_gauge")
        self.setAccessibleName(self.tr("GPU memory"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(1, 0, 0, 0)
        layout.setSpacing(3)
        self.bar = QProgressBar()
        self.bar.setObjectName("gpu_bar")
        self.bar.setRange(0, STEPS)
        self.bar.setValue(0)
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(60, 8)
        self.bar.setProperty("level", "ok")
        self.label = QLabel()
        self.label.setObjectName("gpu_text")
        self.label.setProperty("gpu", "none")
        # Room for the longest reading plus the style sheet's padding: the status bar
        # does not shift each time the numbers change.
        widest = self.label.fontMetrics().horizontalAdvance("GPU 00.0 / 00.0 GiB")
        self.label.setMinimumWidth(widest + 12)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        self._used = 0
        self._total = 0
        self.label.setText(self.tr("No NVIDIA GPU"))

    def set_reading(self, used: int, total: int) -> None:
        text = gpu_text(used, total) if total else self.tr("No NVIDIA GPU")
        self._used, self._total = used, total
        frac = self.fraction()
        value = 0 if frac is None else round(STEPS * min(1.0, max(0.0, frac)))
        if text == self.label.text() and value == self.bar.value():
            return  # a 10 Hz poll: change widgets only when the bar or the text would
        self.label.setText(text)
        self.bar.setValue(value)
        self._restyle(self.bar, "level", "ok" if frac is None else fullness_level(frac))
        self._restyle(self.label, "gpu", "none" if frac is None else "some")
        self.setToolTip(text)
        self.setAccessibleDescription(text)

    @staticmethod
    def _restyle(widget: QWidget, name: str, value: str) -> None:
        if widget.property(name) != value:
            widget.setProperty(name, value)
            widget.style().unpolish(widget)  # style sheet rules on properties re-read
            widget.style().polish(widget)

    def text(self) -> str:
        return self.label.text()

    def level(self) -> str:
        """The bar's colour: ok (green), high (amber) or full (red)."""
        return str(self.bar.property("level"))

    def fraction(self) -> float | None:
        return self._used / self._total if self._total else None
