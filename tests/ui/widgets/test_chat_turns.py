"""The chat shows every turn whatever an answer's markup, and copies them all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication, QTextFrame, QTextTable

from desktop.core.answerhtml import answer_html, layout_answer, sanitise_html
from desktop.engines.base import ChatMessage
from desktop.ui.widgets.chat import ChatPanel

pytestmark = pytest.mark.gui

BROKEN_TABLE = (
    'Here is the table:\n\n<table><tr><th colspan="3">Results</th></tr>'
    "<tr><td>North</td><td>12</td><td>7"
)
LAYOUT = json.dumps(
    [
        {"bbox": [10, 10, 400, 40], "category": "Title", "text": "# Annual report"},
        {"bbox": [10, 50, 400, 90], "category": "Text", "text": "Sales rose in the north."},
    ]
)


def tables_in(chat: ChatPanel) -> int:
    def count(frame: QTextFrame) -> int:
        own = isinstance(frame, QTextTable)
        return own + sum(count(child) for child in frame.childFrames())

    return count(chat.view.document().rootFrame())


def answer(chat: ChatPanel, question: str, text: str) -> None:
    history = chat._history
    history.append(ChatMessage(role="user", text=question))
    chat.set_history(history)
    chat.begin_answer()
    chat.add_delta(text)
    chat.finish_answer()


def test_given_an_unclosed_table_and_a_layout_answer_when_asking_again_then_every_turn_shows(
    qtbot: Any,
) -> None:
    chat = ChatPanel()
    qtbot.addWidget(chat)
    chat.set_history([])
    answer(chat, "What is in the table?", BROKEN_TABLE)
    answer(chat, "Who wrote this?", LAYOUT)
    answer(chat, "And the total?", "The total is **19**.")
    shown = chat.view.toPlainText()
    for text in ("What is in the table?", "Who wrote this?", "And the total?", "19"):
        assert text in shown
    assert "<th" not in shown and "colspan" not in shown  # no raw markup
    assert "North" in shown and "Results" in shown  # the broken table's text is kept
    assert "dots.ocr reads pages" in shown and "Qwen3-VL" in shown
    assert "Annual report" in shown and '"bbox"' not in shown
    assert tables_in(chat) == 0  # the unclosed table is shown as its text, not half a grid
    chat.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    for text in ("What is in the table?", "North", "Who wrote this?", "Annual report", "19"):
        assert text in copied


def test_given_a_closed_table_then_it_is_shown_as_a_table_with_its_spans() -> None:
    table = '<table><tr><th colspan="2">A</th></tr><tr><td>1</td><td>2</td></tr></table>'
    fragment = answer_html(table)
    assert '<th colspan="2">A</th>' in fragment and fragment.count("<table>") == 1


def test_given_a_closed_table_answer_then_the_chat_shows_a_grid(qtbot: Any) -> None:
    chat = ChatPanel()
    qtbot.addWidget(chat)
    chat.set_history([])
    answer(chat, "Table?", "<table><tr><td>1</td><td>2</td></tr></table>")
    assert tables_in(chat) == 1


@pytest.mark.parametrize(
    "hostile",
    [
        '<script>alert(1)</script><img src="http://x/a.png" onerror="x">',
        '<a href="javascript:alert(1)">click</a><iframe src="file:///etc/passwd"></iframe>',
        "<b><i>never closed <table><tr><td>x",
        "</div></p></table> stray closes",
        "<style>p{display:none}</style><p style='display:none'>hidden?</p>",
    ],
)
def test_given_hostile_markup_then_the_fragment_is_inert_and_balanced(hostile: str) -> None:
    fragment = answer_html(hostile)
    lowered = fragment.lower()
    for bad in ("<script", "<img", "<iframe", "href", "onerror", "style", "<a "):
        assert bad not in lowered
    # balanced: every tag opened is closed, in order
    assert sanitise_html(fragment) == fragment


def test_given_a_layout_answer_cut_off_then_it_is_still_recognised() -> None:
    found = layout_answer('```json\n[{"bbox": [1, 2, 300, 40], "category": "Text", "text": "Hel')
    assert found is not None and found.blocks[0].text == "Hel"
    assert layout_answer("[1, 2, 3] are the first numbers") is None
    assert layout_answer("The bbox is at the top") is None


def test_given_a_long_answer_streaming_then_it_shows_as_text_and_is_formatted_when_done(
    qtbot: Any,
) -> None:
    chat = ChatPanel()
    qtbot.addWidget(chat)
    history: list[ChatMessage] = [ChatMessage(role="user", text="Describe the page")]
    chat.set_history(history)
    chat.begin_answer()
    chat.add_delta("<table><tr><td>Opened and never closed")
    qtbot.waitUntil(lambda: "Opened and never closed" in chat.view.toPlainText())
    chat.add_delta("\n\n" + " **word**" * 600)  # long: shown as it comes, as text
    qtbot.waitUntil(lambda: chat.view.toPlainText().count("word") >= 600)
    chat.finish_answer()
    answer(chat, "Next question?", "Short **answer**.")
    shown = chat.view.toPlainText()
    assert shown.count("Describe the page") == 1 and shown.count("Next question?") == 1
    assert "**" not in shown and "▍" not in shown  # formatted once finished
    assert tables_in(chat) == 0
