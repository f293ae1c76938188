"""Above the page while a PDF or Word file is written: what, how far, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


class ExportNotice(QFrame):
    """ "Saving report.pdf…" with a page count and Cancel; hidden when nothing is written."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#export_notice { border: none; border-left: 4px solid #2f8fdf; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 4, 4)
        self.label = QLabel()
        self.label.setObjectName("export_notice_text")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar()
        self.bar.setObjectName("export_progress")
        self.bar.setFormat(self.tr("page %v of %m"))
        self.bar.setMinimumWidth(170)  # "страница 12 из 120" fits on one line
        self.bar.setMaximumWidth(240)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("export_cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def begin(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first page is counted
        self.cancel_button.setEnabled(True)
        self.show()

    def set_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
