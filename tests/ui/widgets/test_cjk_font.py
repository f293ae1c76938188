"""Chinese text read by an engine shows as characters, or the window says once how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtGui import QFont

from desktop.core.document import Block, Document, Page
from desktop.ui.look.cjkfont import cjk_sample, missing_glyphs
from tests.ui.conftest import Ui

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("qapp")]

CHINESE = "光学字符识别把图片里的文字变成可以编辑的文本。"


def test_given_chinese_text_then_every_glyph_is_found_in_the_windows_fonts() -> None:
    # The fonts the app runs with (a CJK one is installed here): no empty boxes.
    assert missing_glyphs(CHINESE, QFont()) == 0
    # The check can fail: a private-use character has a glyph in no font.
    assert missing_glyphs("\U0010fffd", QFont()) == 1


def test_given_a_font_without_fallback_then_the_chinese_glyphs_are_missing() -> None:
    bare = QFont("DejaVu Sans")
    bare.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    assert missing_glyphs(cjk_sample(CHINESE), bare) == len(set(cjk_sample(CHINESE)))


def chinese_document(name: str) -> Document:
    block = Block("Text", (10, 10, 500, 60), CHINESE)
    return Document(name, (Page(0, 600, 100, blocks=(block,)),))


def test_given_no_font_for_chinese_when_a_chinese_page_is_shown_then_the_fix_is_said_once(
    make_ui: Callable[..., Ui], qtbot: Any
) -> None:
    ui = make_ui(None)
    bare = QFont("DejaVu Sans")
    bare.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)  # as on a system without CJK fonts
    ui.window.setFont(bare)
    first = ui.controller.restore(chinese_document("/tmp/chinese-1.png"))
    ui.controller.show_document(first.key)
    ui.controller.show_page(0)  # as a click on its page in the list
    notice = ui.controller.notes.notice
    ui.wait(notice.isVisible)
    assert "empty boxes" in notice.label.text() and "fonts-noto-cjk" in notice.label.text()
    notice.hide()
    second = ui.controller.restore(chinese_document("/tmp/chinese-2.png"))
    ui.controller.show_document(second.key)
    ui.controller.show_page(0)  # as a click on its page in the list
    qtbot.wait(200)
    assert not notice.isVisible()  # once a session


def test_given_cjk_fonts_when_a_chinese_page_is_shown_then_nothing_is_said(
    make_ui: Callable[..., Ui], qtbot: Any
) -> None:
    ui = make_ui(None)
    entry = ui.controller.restore(chinese_document("/tmp/chinese-3.png"))
    ui.controller.show_document(entry.key)
    ui.controller.show_page(0)  # as a click on its page in the list
    qtbot.wait(200)
    assert ui.window.plain_view.edit.toPlainText().strip().startswith("光学")
    assert not ui.controller.notes.notice.isVisible()
