"""One chat turn as its own safe HTML fragment, and a whole conversation as text."""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QTextCursor, QTextDocument, QTextFrame, QTextFrameFormat

from desktop.core.messages import Code, Msg
from desktop.engines.base import ChatMessage
from desktop.ui.words.facts import fact_words, ui_language


def t(text: str) -> str:
    return QCoreApplication.translate("ChatPanel", text)


#: A streamed answer longer than this is shown as plain text until it is finished: parsing
#: and sanitising it again every 50 ms would stall the window (a 17 KB answer takes ~0.2 s).
STREAM_FORMAT_LIMIT = 2500


class TurnFrames:
    """The conversation in a QTextDocument, one frame per turn, appended as turns come.

    Each frame is filled from its turn's own sanitised fragment, so whatever one answer
    leaves open ends with its frame. While an answer streams only its frame is redrawn.
    """

    def __init__(self, document: QTextDocument) -> None:
        self.document = document
        self._turns: list[ChatMessage] | None = None
        self._shown = 0
        self._live: QTextFrame | None = None
        self._format = QTextFrameFormat()
        self._format.setBottomMargin(10)

    def show(self, turns: list[ChatMessage], streaming: str | None) -> None:
        """Show ``turns`` and, while an answer streams, its text so far."""
        if turns is not self._turns or self._shown > len(turns):
            self._rebuild(turns)
        new = turns[self._shown :]
        self._shown = len(turns)
        if new and self._live is not None:  # the streamed answer (or its note) is final
            self._fill(self._live, turn_html(new[0]))
            self._live = None
            new = new[1:]
        for message in new:
            self._append(turn_html(message))
        if streaming is not None:
            fragment = streaming_html(streaming)
            if self._live is None:
                self._live = self._append(fragment)
            else:
                self._fill(self._live, fragment)
        elif self._live is not None:  # stopped with nothing said: start clean
            self._rebuild(turns)

    def _rebuild(self, turns: list[ChatMessage]) -> None:
        self.document.clear()
        self._turns, self._shown, self._live = turns, 0, None

    def _append(self, fragment: str) -> QTextFrame:
        cursor = QTextCursor(self.document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        frame = cursor.insertFrame(self._format)
        cursor.insertHtml(fragment)
        return frame

    @staticmethod
    def _fill(frame: QTextFrame, fragment: str) -> None:
        cursor = frame.firstCursorPosition()
        cursor.setPosition(frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cursor.insertHtml(fragment)


def streaming_html(text: str) -> str:
    """The answer being streamed, with a cursor mark; formatted while it is short."""
    from desktop.core.answerhtml import answer_html  # markdown-it: not before the first paint

    who = html.escape(t("Model"))
    if len(text) <= STREAM_FORMAT_LIMIT:
        body = _quiet_headings(answer_html(text + "▍"))
    else:
        body = "<p>" + html.escape(text + "▍").replace("\n", "<br>") + "</p>"
    return f"<p><b>{who}:</b></p>{body}"


@functools.lru_cache(maxsize=256)
def _answer_fragment(text: str, language: str) -> str:
    # Finished answers are drawn again with every streamed piece: sanitise each once.
    from desktop.core.answerhtml import answer_html, layout_answer, layout_html

    layout = layout_answer(text)
    if layout is None:
        return _quiet_headings(answer_html(text))
    hint = fact_words(Msg.of(Code.CHAT_LAYOUT_ANSWER, count=len(layout.blocks)))
    body = _quiet_headings(layout_html(layout))
    return f'<p class="layout-hint"><i>{html.escape(hint)}</i></p>' + body


def _quiet_headings(fragment: str) -> str:
    # A page title in an answer is part of a conversation, not a poster: at most a level-4
    # heading. The sanitised fragment's tags carry no attributes, so the names are exact.
    for level in ("1", "2", "3"):
        fragment = fragment.replace(f"<h{level}>", "<h4>").replace(f"</h{level}>", "</h4>")
    return fragment


def turn_html(message: ChatMessage) -> str:
    """A question, an answer or a note: balanced HTML that closes everything it opens."""
    if message.role == "user":
        who = html.escape(t("You"))
        return f"<p><b>{who}:</b> {html.escape(message.text)}</p>"
    if message.role == "assistant":
        who = html.escape(t("Model"))
        body = _answer_fragment(message.text, ui_language())
        return f"<p><b>{who}:</b></p>{body}"
    return f"<p><i>{html.escape(message.text)}</i></p>"


def conversation_text(history: Sequence[ChatMessage], streaming: str | None = None) -> str:
    """The questions and answers as text, each turn labelled, as "Copy chat" puts them."""
    you, model = t("You"), t("Model")
    lines = []
    turns = list(history)
    if streaming:
        turns.append(ChatMessage(role="assistant", text=streaming))
    for message in turns:
        if message.role == "user":
            lines.append(f"{you}: {message.text}")
        elif message.role == "assistant":
            lines.append(f"{model}:\n{_answer_text(message.text)}")
        else:
            lines.append(message.text)
    return "\n\n".join(lines)


def _answer_text(text: str) -> str:
    from desktop.core.answerhtml import layout_answer

    layout = layout_answer(text)
    if layout is None:
        return text
    hint = fact_words(Msg.of(Code.CHAT_LAYOUT_ANSWER, count=len(layout.blocks)))
    return "\n\n".join([hint, *(b.text for b in layout.blocks if b.text)])
