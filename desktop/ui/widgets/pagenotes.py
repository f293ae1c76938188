"""Notes in the page area: why a page failed (with Retry), and what a copy put on the clipboard
(with Undo). Both wrap their text: nothing is cut off, whatever its length or language."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

#: How long a copy notice stays (long enough to read it and reach Undo).
NOTICE_MS = 12000


class FailedPage(QFrame):
    """A failed page's reason and its fix, above the page, with a Retry button."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("failed_page")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # A red edge says "problem" in the light and the dark theme alike.
        self.setStyleSheet("#failed_page { border: none; border-left: 4px solid #d64545; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        self.title = QLabel(self.tr("This page could not be read"))
        self.title.setObjectName("failed_title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.reason = QLabel()
        self.reason.setObjectName("failed_reason")
        self.fix = QLabel()
        self.fix.setObjectName("failed_fix")
        for label in (self.reason, self.fix):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        texts.addWidget(self.title)
        texts.addWidget(self.reason)
        texts.addWidget(self.fix)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setObjectName("failed_retry")
        self.retry_button.setToolTip(self.tr("Read this page again"))
        layout.addLayout(texts, 1)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        self.retry_button.clicked.connect(self.retry_requested)
        self.hide()

    def show_failure(self, reason: str, fix: str) -> None:
        self.reason.setText(reason)
        self.fix.setText(fix)
        self.fix.setVisible(bool(fix))
        self.show()


class CopyNotice(QFrame):
    """ "123 characters copied to the clipboard." with Undo, for a while."""

    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("copy_notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#copy_notice { border: none; border-left: 4px solid #2f8fdf; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 4, 4)
        self.label = QLabel()
        self.label.setObjectName("copy_notice_text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setObjectName("copy_undo")
        self.undo_button.setToolTip(self.tr("Put back what the clipboard held before"))
        self.close_button = QPushButton("×")
        self.close_button.setObjectName("copy_notice_close")
        self.close_button.setAccessibleName(self.tr("Close"))
        self.close_button.setFlat(True)
        self.close_button.setFixedWidth(28)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self, singleShot=True, interval=NOTICE_MS)
        self._timer.timeout.connect(self.hide)
        self.undo_button.clicked.connect(self.undo_requested)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def tell(self, text: str, *, undo: bool) -> None:
        self.label.setText(text)
        self.undo_button.setVisible(undo)
        self.show()
        self._timer.start()
