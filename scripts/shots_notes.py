"""Screenshots of the page-area notes and the chat's safe answers (called by screenshots.py):
a failed page with its reason and Retry, the chat after a broken-HTML and a layout-JSON answer,
and the capture flow (a region drawn on the screen, then the copy notice with Undo)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QTimer

BROKEN_TABLE = (
    'Here is the table you asked about:\n\n<table><tr><th colspan="3">Regional sales</th></tr>'
    "<tr><td>North</td><td>12</td><td>7</td></tr><tr><td>South</td><td>9"
)
LAYOUT = json.dumps(
    [
        {"bbox": [40, 30, 900, 80], "category": "Title", "text": "# Annual report 2024"},
        {"bbox": [40, 100, 900, 160], "category": "Text", "text": "Sales rose in the north."},
    ]
)


def notes_shots(app: Any, out: Path, variant: str, done: Callable[[], None]) -> None:
    """Shoot the three views, then call ``done``."""
    window, controller = app.window, app.controller
    chat_shot(window, out, variant)
    capture_shot(window, controller, out, variant)
    folder = Path(tempfile.mkdtemp())
    bogus = folder / "notes.jpg"
    bogus.write_text("meeting notes, saved as text by mistake")
    controller.open_files([str(bogus)])

    def failed() -> None:
        if not controller.notes.failed.isVisible():
            QTimer.singleShot(200, failed)
            return
        window.tabs.setCurrentIndex(0)
        window.grab().save(str(out / f"failed-page-{variant}.png"))
        done()

    QTimer.singleShot(300, failed)


def chat_shot(window: Any, out: Path, variant: str) -> None:
    from desktop.engines.base import ChatMessage

    history = [
        ChatMessage(role="user", text="What is in the sales table?"),
        ChatMessage(role="assistant", text=BROKEN_TABLE),
        ChatMessage(role="user", text="Who wrote this report?"),
        ChatMessage(role="assistant", text=LAYOUT),
        ChatMessage(role="user", text="And the total for the north?"),
        ChatMessage(role="assistant", text="The north sold **19** units in total."),
    ]
    window.chat.set_history(history)
    window.tabs.setCurrentWidget(window.chat)
    window.grab().save(str(out / f"chat-broken-html-{variant}.png"))
    window.chat.set_history([])


def capture_shot(window: Any, controller: Any, out: Path, variant: str) -> None:
    from desktop.core.clipcontent import document_clip
    from desktop.ui.appshell.region import RegionOverlay

    shot = window.grab()
    overlay = RegionOverlay(shot, QRect(0, 0, shot.width(), shot.height()), lambda _image: None)
    overlay.resize(shot.size())
    overlay._rect = QRect(300, 140, 560, 300)  # as if dragged
    overlay.grab().save(str(out / f"capture-region-{variant}.png"))
    overlay.deleteLater()
    entry = controller.entries.get(controller.current_key)
    if entry is not None:
        controller.notes.copy(document_clip(entry.document()))
        window.tabs.setCurrentIndex(0)
        window.grab().save(str(out / f"capture-copied-{variant}.png"))
        controller.notes.notice.hide()
