"""Text views: table words are never split, wide tables scroll, plain text wraps on request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtGui import QTextBlock

from desktop.core.document import Block
from desktop.ui.state.results import SourceView, TextView
from desktop.ui.widgets.window import MainWindow

pytestmark = pytest.mark.gui

WORDS = ["Controls", "Temperature", "Measurements", "Configuration", "Observations"]
WIDE_TABLE = (
    "<table><tr>"
    + "".join(f"<th>{w}</th>" for w in WORDS * 2)
    + "</tr><tr>"
    + "".join(f"<td>{w.lower()}</td>" for w in WORDS * 2)
    + "</tr></table>"
)


def broken_words(view: TextView) -> list[str]:
    """Words that a line break cuts in two (as "Contro" / "ls")."""
    cuts = []
    block: QTextBlock = view.document().begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        for n in range(layout.lineCount() - 1):
            line = layout.lineAt(n)
            end = line.textStart() + line.textLength()
            if 0 < end < len(text) and text[end - 1].isalpha() and text[end].isalpha():
                cuts.append(text)
        block = block.next()
    return cuts


@pytest.fixture
def narrow_view(qtbot: Any) -> Callable[[str], TextView]:
    def make(html: str) -> TextView:
        view = TextView()
        qtbot.addWidget(view)
        view.resize(320, 400)
        view.show()
        view.set_blocks([Block("Table", (0, 0, 10, 10), html, 0)])
        qtbot.waitExposed(view)
        return view

    return make


def test_given_a_wide_table_in_a_narrow_view_then_no_word_is_cut_and_it_scrolls_sideways(
    narrow_view: Callable[[str], TextView],
) -> None:
    view = narrow_view(WIDE_TABLE)
    view.document().adjustSize()
    assert broken_words(view) == []
    assert view.horizontalScrollBar().maximum() > 0


def test_given_a_long_line_then_plain_text_does_not_wrap_until_the_toggle_asks(
    qtbot: Any,
) -> None:
    view = SourceView("plain_view", wrap_toggle=True)
    qtbot.addWidget(view)
    view.resize(300, 300)
    view.show()
    view.set_text("word " * 200)
    qtbot.waitExposed(view)
    assert view.edit.document().lineCount() == 1
    assert view.edit.horizontalScrollBar().maximum() > 0
    assert view.wrap_box is not None
    view.wrap_box.click()
    assert view.edit.document().lineCount() > 1  # the one line shown wrapped
    assert view.edit.horizontalScrollBar().maximum() == 0
    again = MainWindow()  # remembered for the next start
    try:
        box = again.plain_view.wrap_box
        assert box is not None and box.isChecked()
    finally:
        again.deleteLater()


def test_given_list_items_then_a_formula_picture_and_caption_only_the_items_are_bullets(
    qtbot: Any,
) -> None:
    view = TextView()
    qtbot.addWidget(view)
    box = (0, 0, 10, 10)
    view.set_blocks(
        [
            Block("List-item", box, "- first point"),
            Block("List-item", box, "- second point"),
            Block("Formula", box, "x^2 + y^2 = r^2"),
            Block("Picture", box),
            Block("Caption", box, "Figure 8: the circle"),
        ]
    )
    bullets, sizes = [], set()
    block: QTextBlock = view.document().begin()
    while block.isValid():
        if block.textList() is not None:
            bullets.append(block.text())
            sizes.add(block.textList().count())
        block = block.next()
    # the two items are one list; the formula and the caption are not bullets of it
    assert bullets == ["first point", "second point"] and sizes == {2}
