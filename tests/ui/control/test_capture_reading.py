"""A screen capture of small text is enlarged before reading; a doubtful read is not copied."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

from desktop.core.capturescale import TARGET_LINE_PX, line_height, reading_factor
from desktop.core.document import Block, Document, Page
from desktop.core.doubt import read_doubt
from desktop.core.messages import Code
from desktop.engines.builtin import BuiltinEngine, builtin_available
from desktop.ui.appshell.quickactions import QuickActions
from desktop.ui.state.capturescale import upscaled_for_reading
from tests.ui.conftest import Ui

pytestmark = [pytest.mark.gui, pytest.mark.timeout(600), pytest.mark.usefixtures("qapp")]

LINES = ("Invoice total due 1284.50 EUR", "Shipping address: Berlin Mitte")


def small_text_capture(pixel_size: int = 12) -> QImage:
    """Two lines of UI-sized text (x-height about 7 px), as a screen grab shows them."""
    image = QImage(340, 60, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixel_size)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    metrics = painter.fontMetrics()
    assert 6 <= metrics.xHeight() <= 8
    for n, line in enumerate(LINES):
        painter.drawText(4, 6 + metrics.ascent() + n * round(metrics.height() * 1.6), line)
    painter.end()
    return image


def test_given_small_on_screen_text_then_the_capture_is_enlarged_to_the_engines_line_size() -> None:
    capture = small_text_capture()
    enlarged = upscaled_for_reading(capture)
    assert enlarged.width() > 2 * capture.width()
    gray = enlarged.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.array(gray.constBits(), dtype=np.uint8).reshape(gray.height(), gray.bytesPerLine())
    measured = line_height(rows[:, : gray.width()].copy())
    assert measured is not None and measured >= TARGET_LINE_PX * 0.85


def test_given_large_text_or_a_blank_capture_then_it_is_left_as_it_is() -> None:
    assert reading_factor(np.full((200, 300), 255, dtype=np.uint8)) == 1.0
    big = np.full((300, 600), 255, dtype=np.uint8)
    big[100:140, 20:500] = 0  # a 40 px tall line of "ink"
    assert reading_factor(big) == 1.0
    huge = np.full((3000, 4000), 255, dtype=np.uint8)
    huge[10:20, 10:50] = 0
    assert reading_factor(huge) == 1.0  # a whole screen: never enlarged past the limits


@pytest.fixture
def builtin_ui(make_ui: Callable[..., Ui]) -> Ui:
    reason = builtin_available()
    if reason is not None:
        pytest.skip(str(reason))
    return make_ui(BuiltinEngine())


def capture_with(ui: Ui, shot: QImage, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    told: list[tuple[str, str]] = []

    def notify(title: str, text: str) -> bool:
        told.append((title, text))
        return True

    quick = QuickActions(ui.window, ui.controller, notify=notify, show_window=lambda: None)
    ui.controller.document_finished.connect(quick.document_finished)
    monkeypatch.setattr("desktop.ui.appshell.region.capture_region", lambda done: done(shot))
    quick.ocr_region()
    ui.wait(lambda: bool(told), timeout=300)
    return told


def test_given_a_small_text_capture_when_read_by_the_builtin_engine_then_its_text_is_copied(
    builtin_ui: Ui, monkeypatch: pytest.MonkeyPatch
) -> None:
    told = capture_with(builtin_ui, small_text_capture(), monkeypatch)
    assert told[-1][0] == "Text copied"
    words = " ".join(QGuiApplication.clipboard().text().split())  # the words, in order
    for line in LINES:
        assert line in words


def test_given_a_capture_with_no_text_then_the_clipboard_is_left_and_the_notice_says_why(
    builtin_ui: Ui, monkeypatch: pytest.MonkeyPatch
) -> None:
    QGuiApplication.clipboard().setText("keep me")
    blank = QImage(200, 60, QImage.Format.Format_RGB32)
    blank.fill(QColor("#f0f0f0"))
    told = capture_with(builtin_ui, blank, monkeypatch)
    assert told[-1][0] == "Text not copied"
    clip = QGuiApplication.clipboard()
    assert not builtin_ui.controller.notes.undo.can_undo()  # nothing was put there
    if clip.ownsClipboard():  # the display is shared: another program may have copied since
        assert clip.text() == "keep me"
    notice = builtin_ui.controller.notes.notice
    assert notice.isVisible() and "almost no text" in notice.label.text()
    assert not notice.undo_button.isVisible()


def page_of(*blocks: Block) -> Document:
    return Document("capture.png", (Page(0, 400, 100, blocks=blocks),))


@pytest.mark.parametrize(
    ("blocks", "code"),
    [
        ((), Code.DOUBT_LITTLE_TEXT),
        ((Block("Text", (0, 0, 10, 10), "l."),), Code.DOUBT_LITTLE_TEXT),
        (
            (
                Block(
                    "Table",
                    (0, 0, 10, 10),
                    "<table><tr><td>Total due</td></tr><tr><td>Ship to Berlin</td></tr></table>",
                ),
            ),
            Code.DOUBT_ONE_COLUMN_TABLE,
        ),
        (  # a one-column table second in its block is as doubtful as a first one
            (
                Block(
                    "Table",
                    (0, 0, 10, 10),
                    "<table><tr><td>North</td><td>12</td></tr></table>"
                    "<table><tr><td>Total due</td></tr><tr><td>Ship to Berlin</td></tr></table>",
                ),
            ),
            Code.DOUBT_ONE_COLUMN_TABLE,
        ),
        ((Block("Text", (0, 0, 10, 10), "~|;:' ,.-_ =]/ a1 !*^ Ok b2 %$#@"),), Code.DOUBT_GARBLED),
    ],
)
def test_given_a_doubtful_read_then_the_doubt_is_named(
    blocks: tuple[Block, ...], code: Code
) -> None:
    doubt = read_doubt(page_of(*blocks))
    assert doubt is not None and doubt.code is code


def test_given_a_clean_read_then_there_is_no_doubt(fixtures_dir: Path) -> None:
    table = "<table><tr><td>North</td><td>12</td></tr><tr><td>South</td><td>7</td></tr></table>"
    clean = page_of(
        Block("Text", (0, 0, 10, 10), "Invoice total"), Block("Table", (0, 0, 1, 1), table)
    )
    assert read_doubt(clean) is None
