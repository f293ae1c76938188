"""Chat about the current page: streamed answers, stop, copy, a history per document."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.engines.base import ChatMessage
from desktop.ui.results import InertBrowser


class ChatPanel(QWidget):
    """Shows one document's conversation; the window sends and streams."""

    send_requested = Signal(str)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chat_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        self.reason = QLabel()
        self.reason.setObjectName("chat_disabled_reason")
        self.reason.setWordWrap(True)
        self.reason.hide()
        self.view = InertBrowser()
        self.view.setObjectName("chat_view")
        self.view.setAccessibleName(self.tr("Conversation"))
        self.input = QPlainTextEdit()
        self.input.setObjectName("chat_input")
        self.input.setAccessibleName(self.tr("Question"))
        self.input.setPlaceholderText(self.tr("Ask about this page… (Ctrl+Enter to send)"))
        self.input.setMaximumHeight(90)
        buttons = QHBoxLayout()
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("chat_send")
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("chat_stop")
        self.copy_button = QPushButton(self.tr("Copy answer"))
        self.copy_button.setObjectName("chat_copy")
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.send_button)
        layout.addWidget(self.reason)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.input)
        layout.addLayout(buttons)
        self.send_button.clicked.connect(self._send)
        self.stop_button.clicked.connect(self.stop_requested)
        self.copy_button.clicked.connect(self.copy_answer)
        send = QShortcut(QKeySequence("Ctrl+Return"), self.input)
        send.setContext(Qt.ShortcutContext.WidgetShortcut)
        send.activated.connect(self._send)
        self._history: list[ChatMessage] = []
        self._streaming = ""
        self._busy = False
        self._enabled = True
        self._sync()

    def set_available(self, available: bool, reason: str = "") -> None:
        """Disable with the reason when the engine cannot chat."""
        self._enabled = available
        self.reason.setText(reason)
        self.reason.setVisible(not available and bool(reason))
        self._sync()

    def set_history(self, history: list[ChatMessage]) -> None:
        self._history = history
        self._streaming = ""
        self._render()

    def is_streaming(self) -> bool:
        return self._busy

    def _send(self) -> None:
        question = self.input.toPlainText().strip()
        if not question or self._busy or not self._enabled:
            return
        self.input.clear()
        self.send_requested.emit(question)

    def begin_answer(self) -> None:
        self._busy = True
        self._streaming = ""
        self._render()
        self._sync()

    def add_delta(self, text: str) -> None:
        self._streaming += text
        self._render()

    def finish_answer(self, error: str = "") -> str:
        """Close the streamed answer; returns its text (also kept in the history)."""
        answer = self._streaming
        self._busy = False
        self._streaming = ""
        if answer:
            self._history.append(ChatMessage(role="assistant", text=answer))
        if error:
            self._history.append(ChatMessage(role="system", text=error))
        self._render()
        self._sync()
        return answer

    def last_answer(self) -> str:
        for message in reversed(self._history):
            if message.role == "assistant":
                return message.text
        return self._streaming

    def copy_answer(self) -> None:
        answer = self.last_answer()
        if answer:
            QGuiApplication.clipboard().setText(answer)

    def _render(self) -> None:
        parts: list[str] = []
        you, model = self.tr("You"), self.tr("Model")
        for message in self._history:
            if message.role == "user":
                parts.append(f"**{you}:** {html.escape(message.text)}")
            elif message.role == "assistant":
                parts.append(f"**{model}:**\n\n{message.text}")
            else:
                parts.append(f"*{html.escape(message.text)}*")
        if self._busy:
            parts.append(f"**{model}:**\n\n{self._streaming}▍")
        self.view.setMarkdown("\n\n---\n\n".join(parts))
        self.view.moveCursor(QTextCursor.MoveOperation.End)

    def _sync(self) -> None:
        self.send_button.setEnabled(self._enabled and not self._busy)
        self.input.setEnabled(self._enabled)
        self.stop_button.setEnabled(self._busy)
        self.copy_button.setEnabled(bool(self.last_answer()))
