"""Chat about the current page: streamed answers, stop, copy, a history per document."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.document import BBox
from desktop.engines.base import ChatMessage
from desktop.ui.state.results import InertBrowser
from desktop.ui.widgets.chatturns import TurnFrames, conversation_text


class ChatPanel(QWidget):
    """Shows one document's conversation; the window sends and streams.

    A region drawn on the page view is attached: the next question is about that crop.
    """

    send_requested = Signal(str)
    stop_requested = Signal()
    region_changed = Signal(object)  # BBox | None: the part of the page the chat is about

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
        about = QHBoxLayout()
        self.about = QLabel()
        self.about.setObjectName("chat_about")
        self.clear_region_button = QPushButton(self.tr("Whole page"))
        self.clear_region_button.setObjectName("chat_clear_region")
        self.clear_region_button.setToolTip(self.tr("Ask about the whole page again"))
        about.addWidget(self.about, 1)
        about.addWidget(self.clear_region_button)
        buttons = QHBoxLayout()
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("chat_send")
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("chat_stop")
        self.copy_button = QPushButton(self.tr("Copy chat"))
        self.copy_button.setObjectName("chat_copy")
        self.copy_button.setToolTip(self.tr("Copy every question and answer as text"))
        self.new_button = QPushButton(self.tr("New chat"))
        self.new_button.setObjectName("chat_new")
        self.new_button.setToolTip(self.tr("Forget this document's conversation and start again"))
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.send_button)
        layout.addWidget(self.reason)
        layout.addWidget(self.view, 1)
        layout.addLayout(about)
        layout.addWidget(self.input)
        layout.addLayout(buttons)
        self.send_button.clicked.connect(self._send)
        self.stop_button.clicked.connect(self._stop)
        self.copy_button.clicked.connect(self.copy_conversation)
        self.new_button.clicked.connect(self.new_conversation)
        self.clear_region_button.clicked.connect(self.clear_region)
        send = QShortcut(QKeySequence("Ctrl+Return"), self.input)
        send.setContext(Qt.ShortcutContext.WidgetShortcut)
        send.activated.connect(self._send)
        self._history: list[ChatMessage] = []
        self._streaming = ""
        self._busy = False
        self._enabled = True
        self._region: BBox | None = None
        self._stopping = False
        # Streamed pieces are drawn together, at most every 50 ms: re-laying out the whole
        # conversation for every token would stall the window on long answers.
        self._render_timer = QTimer(self, singleShot=True, interval=50)
        self._render_timer.timeout.connect(self._render)
        self._frames = TurnFrames(self.view.document())
        self._show_about()
        self._sync()

    # -- the region the conversation is about ----------------------------------------
    def attach_region(self, bbox: BBox) -> None:
        """The next question is about this part of the page (original pixels)."""
        self._region = tuple(int(v) for v in bbox)  # type: ignore[assignment]
        self._show_about()

    def clear_region(self) -> None:
        self._region = None
        self._show_about()

    def region(self) -> BBox | None:
        return self._region

    def _show_about(self) -> None:
        self.region_changed.emit(self._region)
        if self._region is None:
            self.about.setText(self.tr("About: the whole page"))
            self.input.setPlaceholderText(self.tr("Ask about this page… (Ctrl+Enter to send)"))
            self.clear_region_button.hide()
        else:
            self.input.setPlaceholderText(
                self.tr("Ask about the selected region… (Ctrl+Enter to send)")
            )
            x1, y1, x2, y2 = self._region
            self.about.setText(
                self.tr("About: the selected region (%1 × %2 px)")
                .replace("%1", str(x2 - x1))
                .replace("%2", str(y2 - y1))
            )
            self.clear_region_button.show()

    def set_available(self, available: bool, reason: str = "") -> None:
        """Disable with the reason when the engine cannot chat."""
        self._enabled = available
        self.reason.setText(reason)
        self.reason.setVisible(not available and bool(reason))
        self._sync()

    def set_history(self, history: list[ChatMessage]) -> None:
        """Show ``history`` (a document's own list: answers are appended to it)."""
        if history is not self._history:
            if self._busy:  # another document: its answer stops and keeps what came
                self._stopping = True
                self.stop_requested.emit()
                self.finish_answer()
            self._region = None
            self._show_about()
        self._history = history
        self._streaming = ""
        self._render()
        self._sync()

    def is_streaming(self) -> bool:
        return self._busy

    def _send(self) -> None:
        question = self.input.toPlainText().strip()
        if not question or self._busy or not self._enabled:
            return
        self.input.clear()
        self.send_requested.emit(question)

    def _stop(self) -> None:
        if self._busy:
            self._stopping = True
            self.stop_requested.emit()

    def new_conversation(self) -> None:
        """Empty this document's conversation (the list is the document's own)."""
        if self._busy:
            return
        self._history.clear()
        self.clear_region()
        self._render()
        self._sync()

    def begin_answer(self) -> None:
        self._busy = True
        self._stopping = False
        self._streaming = ""
        self._render()
        self._sync()

    def add_delta(self, text: str) -> None:
        self._streaming += text
        if not self._render_timer.isActive():
            self._render_timer.start()

    def finish_answer(self, error: str = "") -> str:
        """Close the streamed answer; returns its text (also kept in the history)."""
        answer = self._streaming
        self._busy = False
        self._streaming = ""
        self._render_timer.stop()
        if answer:
            self._history.append(ChatMessage(role="assistant", text=answer))
        if error:
            self._history.append(ChatMessage(role="system", text=error))
        elif self._stopping:  # system turns are shown, never sent to the model
            self._history.append(ChatMessage(role="system", text=self.tr("Answer stopped.")))
        self._stopping = False
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

    def conversation(self) -> str:
        """Every turn as plain text, the one being streamed included."""
        return conversation_text(self._history, self._streaming if self._busy else None)

    def copy_conversation(self) -> None:
        text = self.conversation()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _render(self) -> None:
        self._frames.show(self._history, self._streaming if self._busy else None)
        self.view.moveCursor(QTextCursor.MoveOperation.End)

    def _sync(self) -> None:
        self.send_button.setEnabled(self._enabled and not self._busy)
        self.input.setEnabled(self._enabled)
        self.stop_button.setEnabled(self._busy)
        self.copy_button.setEnabled(bool(self._history) or self._busy)
        self.new_button.setEnabled(bool(self._history) and not self._busy)
