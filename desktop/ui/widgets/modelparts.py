"""Parts of the model panel: the progress bar (image pull and weights download in bytes, the
weights with speed and time left, start-up stages in steps), the failure box, the container log."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from desktop.ui.words.modelwords import GIB, weights_progress_words

STAGES = (
    "downloading the image",
    "starting container",
    "loading weights",
    "profiling memory",
    "allocating KV cache",
    "capturing CUDA graphs",
    "starting API server",
)
WEIGHTS_STAGE = "downloading the weights"


def _gib(n: float) -> str:
    return f"{n / GIB:.1f} GiB"


def show_progress(bar: QProgressBar, status: Any, state: str) -> None:
    """Set ``bar`` for ``status`` (a runtime ControllerStatus) in ``state``."""
    if state == "pulling" and status.total_bytes:
        percent = round(100 * status.pulled_bytes / max(1, status.total_bytes))
        bar.setRange(0, 100)
        bar.setValue(percent)
        bar.setTextVisible(True)
        if status.stage == WEIGHTS_STAGE:
            bar.setFormat(weights_progress_words(status))
        else:
            bar.setFormat(
                QCoreApplication.translate("ModelPanel", "%1 of %2 (%3%)")
                .replace("%1", _gib(status.pulled_bytes))
                .replace("%2", _gib(status.total_bytes))
                .replace("%3", str(percent))
            )
        bar.show()
    elif state == "starting":
        stage = STAGES.index(status.stage) if status.stage in STAGES else 1
        bar.setRange(0, len(STAGES) - 1)
        bar.setValue(max(0, stage))
        bar.setTextVisible(False)  # the stage is named in the line above
        bar.show()
    elif state in ("pulling", "stopping"):
        bar.setTextVisible(False)
        bar.setRange(0, 0)
        bar.show()
    else:
        bar.hide()


class FailureBox(QFrame):
    """Why the model failed, its fix, and a button that applies the fix when there is one."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("failure_box")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#failure_box { border: 1px solid #e0455a; border-radius: 6px; }")
        layout = QVBoxLayout(self)
        self.failure = QLabel()
        self.failure.setObjectName("failure")
        self.failure.setWordWrap(True)
        self.failure.setStyleSheet("color: #e0455a; font-weight: bold;")
        self.fix = QLabel()
        self.fix.setObjectName("failure_fix")
        self.fix.setWordWrap(True)
        for label in (self.failure, self.fix):  # users paste these into searches and issues
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fix_button = QPushButton()
        self.fix_button.setObjectName("apply_fix")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.fix_button)
        layout.addWidget(self.failure)
        layout.addWidget(self.fix)
        layout.addLayout(row)


class ContainerLog(QPlainTextEdit):
    """The container's log, appended to as lines arrive; it follows the end while there."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("model_log")
        self.setReadOnly(True)
        self.setMaximumBlockCount(2000)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(mono)
        self._seen: list[str] = []

    def show_lines(self, lines: list[str]) -> None:
        if lines == self._seen:
            return
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        old = self._seen
        if old and len(lines) > len(old) and lines[: len(old)] == old:
            for line in lines[len(old) :]:
                self.appendPlainText(line)
        else:
            self.setPlainText("\n".join(lines))
        self._seen = lines
        if at_end:
            bar.setValue(bar.maximum())
