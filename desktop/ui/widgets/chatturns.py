"""One chat turn as its own safe HTML fragment, and a whole conversation as text."""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication

from desktop.core.answerhtml import answer_html, layout_answer, layout_html
from desktop.core.messages import Code, Msg
from desktop.engines.base import ChatMessage
from desktop.ui.words.facts import fact_words, ui_language


def t(text: str) -> str:
    return QCoreApplication.translate("ChatPanel", text)


@functools.lru_cache(maxsize=256)
def _answer_fragment(text: str, language: str) -> str:
    # Finished answers are drawn again with every streamed piece: sanitise each once.
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
    layout = layout_answer(text)
    if layout is None:
        return text
    hint = fact_words(Msg.of(Code.CHAT_LAYOUT_ANSWER, count=len(layout.blocks)))
    return "\n\n".join([hint, *(b.text for b in layout.blocks if b.text)])
