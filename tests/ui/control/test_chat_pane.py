"""The chat pane against the vLLM simulator: turns, regions, history per document, Markdown."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication

from desktop.engines.remote.server import ServerEngine
from desktop.ui.widgets.chat import ChatPanel
from tests.ui.conftest import Ui
from tests.ui.control.test_ocr_window import current_entry, drop_files

pytestmark = pytest.mark.gui


@pytest.fixture
def chat_ui(vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui]) -> tuple[Ui, Any]:
    sim = vllm_sim()
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    ui.window.mode_combo.setCurrentIndex(2)  # layout only: quick, the chat is what we test
    return ui, sim


def open_page(ui: Ui, path: Path, *, read: bool = True) -> Any:
    """Drop ``path``; wait until its page shows (and, with ``read``, until it was read)."""
    before = ui.controller.current_key
    drop_files(ui, path)
    ui.wait(lambda: ui.controller.current_key not in ("", before))
    if read:
        ui.wait(lambda: bool(current_entry(ui).results.get(0)))
    ui.wait(ui.window.page_view.has_page)
    return current_entry(ui)


def ask(ui: Ui, question: str) -> str:
    chat = ui.window.chat
    chat.input.setPlainText(question)
    chat.send_button.click()
    ui.wait(chat.is_streaming)
    ui.wait(lambda: not chat.is_streaming())
    return chat.last_answer()


def request_with(sim: Any, text: str) -> dict[str, Any]:
    """The chat request whose messages contain ``text`` (OCR requests go to the same URL)."""
    for body in reversed(list(sim.stats.chat_requests)):
        if text in repr(body["messages"]):
            return dict(body)
    raise AssertionError(f"no request asked {text!r}")


def sent_image(body: dict[str, Any]) -> Image.Image:
    for message in body["messages"]:
        if isinstance(message["content"], list):
            for part in message["content"]:
                if part["type"] == "image_url":
                    data = part["image_url"]["url"].split(",", 1)[1]
                    return Image.open(io.BytesIO(base64.b64decode(data)))
    raise AssertionError("no image in the request")


def test_given_a_first_answer_when_asking_again_then_the_second_request_carries_the_first(
    chat_ui: tuple[Ui, Any], fixtures_dir: Path
) -> None:
    ui, sim = chat_ui
    open_page(ui, fixtures_dir / "journal_page_tables.jpg")
    first = ask(ui, "What is the title?")
    assert first
    second = ask(ui, "And the first table?")
    body = request_with(sim, "And the first table?")
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["user", "assistant", "user"]
    assert body["messages"][1]["content"] == first
    assert body["messages"][2]["content"] == "And the first table?"
    shown = ui.window.chat.view.toPlainText()
    assert "What is the title?" in shown and "And the first table?" in shown
    assert second in shown.replace("\u2029", "\n") or second[:20] in shown


def test_given_a_region_drawn_on_the_page_when_asking_then_the_crop_is_sent(
    chat_ui: tuple[Ui, Any], fixtures_dir: Path, qtbot: Any
) -> None:
    ui, sim = chat_ui
    entry = open_page(ui, fixtures_dir / "journal_page_tables.jpg")
    ui.window.region_action.setChecked(True)
    viewport = ui.window.page_view.viewport()
    start, end = QPoint(60, 60), QPoint(300, 140)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    chat = ui.window.chat
    region = chat.region()
    assert region is not None
    assert "selected region" in chat.about.text()
    assert ui.window.page_view.marked_region() == region  # the page shows what is asked about
    ui.window.tabs.setCurrentWidget(chat)
    ask(ui, "What does this part say?")
    assert entry.chat[0].region == region
    crop = sent_image(request_with(sim, "What does this part say?"))
    x1, y1, x2, y2 = region
    page = Image.open(fixtures_dir / "journal_page_tables.jpg")
    assert crop.width / crop.height == pytest.approx((x2 - x1) / (y2 - y1), rel=0.2)
    assert crop.width / crop.height != pytest.approx(page.width / page.height, rel=0.2)
    chat.clear_region_button.click()
    assert chat.region() is None and "whole page" in chat.about.text()
    assert ui.window.page_view.marked_region() is None


def test_given_two_documents_when_switching_back_then_each_shows_its_own_chat(
    chat_ui: tuple[Ui, Any], fixtures_dir: Path
) -> None:
    ui, _ = chat_ui
    first = open_page(ui, fixtures_dir / "journal_page_tables.jpg")
    ask(ui, "Question about the journal")
    open_page(ui, fixtures_dir / "russian_page.png")
    assert ui.controller.current_key != first.key
    chat = ui.window.chat
    assert "Question about the journal" not in chat.view.toPlainText()
    ask(ui, "Question about the Russian page")
    ui.window.documents.document_selected.emit(first.key)
    shown = chat.view.toPlainText()
    assert "Question about the journal" in shown
    assert "Question about the Russian page" not in shown


def test_given_a_streamed_answer_when_stopped_then_copy_puts_the_partial_answer_on_clipboard(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], fixtures_dir: Path
) -> None:
    sim = vllm_sim(decode_tps=40.0)
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    ui.window.mode_combo.setCurrentIndex(2)
    open_page(ui, fixtures_dir / "journal_page_tables.jpg", read=False)  # slow decoding
    chat = ui.window.chat
    chat.input.setPlainText("Summarise the page in detail please")
    chat.send_button.click()
    ui.wait(lambda: len(chat._streaming) > 8)
    assert chat.stop_button.isEnabled() and not chat.send_button.isEnabled()
    chat.stop_button.click()
    ui.wait(lambda: not chat.is_streaming())
    chat.copy_button.click()  # the whole conversation: the question and the partial answer
    copied = QGuiApplication.clipboard().text()
    assert "Summarise the page in detail please" in copied and chat.last_answer() in copied
    assert chat.send_button.isEnabled()
    assert "Answer stopped." in chat.view.toPlainText()
    entry = current_entry(ui)
    assert [m.role for m in entry.chat] == ["user", "assistant", "system"]
    chat.new_button.click()
    assert entry.chat == [] and "Summarise" not in chat.view.toPlainText()
    assert not chat.new_button.isEnabled()


def test_given_an_answer_streaming_when_another_document_is_shown_then_it_stops_cleanly(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], fixtures_dir: Path
) -> None:
    sim = vllm_sim(decode_tps=40.0)
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    ui.window.mode_combo.setCurrentIndex(2)
    first = open_page(ui, fixtures_dir / "journal_page_tables.jpg", read=False)
    chat = ui.window.chat
    chat.input.setPlainText("Describe everything on this page")
    chat.send_button.click()
    ui.wait(lambda: len(chat._streaming) > 8)
    drop_files(ui, fixtures_dir / "russian_page.png")  # shown at once; not read to the end
    ui.wait(lambda: ui.controller.current_key != first.key)
    assert not chat.is_streaming() and chat.send_button.isEnabled()
    assert chat.view.toPlainText().strip() == ""
    assert [m.role for m in first.chat] == ["user", "assistant", "system"]
    ui.wait(lambda: sim.cancelled_requests >= 1)  # the chat stream to the server was closed


def test_given_a_markdown_answer_then_it_is_rendered_not_shown_as_markup(qtbot: Any) -> None:
    chat = ChatPanel()
    qtbot.addWidget(chat)
    chat.set_history([])
    chat.begin_answer()
    chat.add_delta("The total is **42** and\n\n- one\n- two")
    chat.finish_answer()
    text = chat.view.toPlainText()
    assert "**" not in text and "42" in text
    html = chat.view.toHtml()
    assert "font-weight:700" in html or "font-weight:600" in html
    assert chat.copy_button.isEnabled()


def test_given_an_engine_that_cannot_chat_then_input_is_off_and_the_reason_shown(
    qtbot: Any,
) -> None:
    chat = ChatPanel()
    qtbot.addWidget(chat)
    chat.show()
    chat.set_available(False, "The current engine cannot chat about pages.")
    assert not chat.input.isEnabled() and not chat.send_button.isEnabled()
    assert chat.reason.isVisible()
    chat.set_available(True)
    assert chat.input.isEnabled() and not chat.reason.isVisible()


def image_count(body: dict[str, Any]) -> int:
    return sum(
        1
        for m in body["messages"]
        if isinstance(m["content"], list)
        for part in m["content"]
        if part["type"] == "image_url"
    )


def test_given_a_conversation_when_a_region_is_drawn_then_the_next_question_sends_its_crop(
    chat_ui: tuple[Ui, Any], fixtures_dir: Path, qtbot: Any
) -> None:
    ui, sim = chat_ui
    entry = open_page(ui, fixtures_dir / "journal_page_tables.jpg")
    ui.window.tabs.setCurrentWidget(ui.window.chat)
    ask(ui, "What is the title?")
    ui.window.region_action.setChecked(True)
    viewport = ui.window.page_view.viewport()
    start, end = QPoint(60, 60), QPoint(300, 140)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    region = ui.window.chat.region()
    assert region is not None
    ask(ui, "And this part?")
    body = request_with(sim, "And this part?")
    assert image_count(body) == 1  # one image per request: the crop, on the new question
    assert isinstance(body["messages"][-1]["content"], list)
    crop = sent_image(body)
    x1, y1, x2, y2 = region
    assert crop.width / crop.height == pytest.approx((x2 - x1) / (y2 - y1), rel=0.2)
    asked = [m for m in entry.chat if m.role == "user"]
    assert asked[0].region is None and asked[0].image is not None  # the first turn is kept
    assert asked[1].region == region
    ui.window.chat.clear_region_button.click()
    ask(ui, "Back to the whole page?")
    whole = sent_image(request_with(sim, "Back to the whole page?"))
    page = Image.open(fixtures_dir / "journal_page_tables.jpg")
    assert whole.width / whole.height == pytest.approx(page.width / page.height, rel=0.05)


def test_given_a_conversation_when_the_app_restarts_then_the_document_reopens_with_it(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], fixtures_dir: Path
) -> None:
    from desktop.engines.batch.history import HistoryStore

    sim = vllm_sim()
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    ui.window.mode_combo.setCurrentIndex(2)
    store = HistoryStore()
    ui.controller.history = store
    entry = open_page(ui, fixtures_dir / "journal_page_tables.jpg")
    ui.wait(lambda: entry.history_id is not None)
    answer = ask(ui, "What is the title?")
    assert answer
    assert entry.history_id is not None
    ui.wait(lambda: len(store.load_chat(entry.history_id or 0)) == 2)

    again = make_ui(ServerEngine(sim.base_url, sim.api_key))  # a new window on the same home
    again.controller.load_history(HistoryStore())
    restored = next(iter(again.controller.entries.values()))
    again.window.documents.docs.setCurrentRow(0)
    again.wait(lambda: again.controller.current_key == restored.key)
    shown = again.window.chat.view.toPlainText()
    assert "What is the title?" in shown and answer[:20] in shown.replace("\u2029", "\n")
    again.wait(again.window.page_view.has_page)
    asked = ask(again, "And the first table?")  # the page travels again: images are not kept
    assert asked
    body = request_with(sim, "And the first table?")
    assert image_count(body) == 1
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    store.close()
