"""Documents come in: files and images opened, history restored, interrupted readings
resumed; the page count and a failed opening reach the document list."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg
from desktop.engines.chat import restored
from desktop.ui.state.session import DocEntry

if TYPE_CHECKING:
    from desktop.core.document import Document
    from desktop.engines.base import ChatMessage
    from desktop.ui.control.links import ControllerLink
    from desktop.ui.state.inputs import Inputs

logger = logging.getLogger(__name__)


def t(text: str) -> str:
    return QCoreApplication.translate("WindowController", text)


class DocumentOpening:
    """Turns inputs, history and interrupted readings into the controller's entries."""

    def __init__(
        self,
        controller: ControllerLink,
        *,
        opened: Callable[[DocEntry], None],
        refresh_status: Callable[[], None],
    ) -> None:
        self.controller = controller
        self.window = controller.window
        self.bridge = controller.bridge
        self.entries = controller.entries
        self._opened = opened  # the document list checks it is not read already
        self._refresh_status = refresh_status
        self.resume_waiting = False  # interrupted readings wait for an engine

    def open_inputs(self, inputs: Inputs) -> list[str]:
        """Open files and images; every page is read right away. Returns the new keys."""
        keys: list[str] = []
        last = len(inputs.paths) + len(inputs.images) - 1
        for path in inputs.paths:
            entry = DocEntry.for_path(path)
            # Only the newest is shown: a dropped folder must not show every file in turn.
            self.add(entry, select=len(keys) == last)
            self._opened(entry)  # read once known not to be read already
            self.bridge.add_file(entry.key, path, self.controller.dpi)
            keys.append(entry.key)
        for name, data in inputs.images:
            entry = DocEntry.for_images(t("Pasted image") if name == "pasted image" else name)
            self.add(entry, select=len(keys) == last)
            self.controller.keep(asyncio.ensure_future(self._decode_image(entry.key, data, name)))
            keys.append(entry.key)
        if inputs.skipped:
            self.window.show_message(
                t("Skipped (not found or not a local file): %1").replace(
                    "%1", ", ".join(inputs.skipped[:3])
                )
            )
        return keys

    async def _decode_image(self, key: str, data: bytes, name: str) -> None:
        """A pasted or captured image is kept as a file first: read (and resumed) as one."""
        from desktop.engines.batch.captures import save_capture

        try:
            path = await asyncio.to_thread(save_capture, data, name)
        except DotsError as exc:
            self.on_source_failed(key, exc.facts)
            return
        except OSError as exc:  # the cache folder cannot be written
            detail = str(exc.strerror or exc)
            self.on_source_failed(key, (Msg.of(Code.CAPTURE_NOT_SAVED, name=name, detail=detail),))
            return
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.path = str(path)
        self.bridge.add_file(key, entry.path, self.controller.dpi)

    def add(self, entry: DocEntry, select: bool = True) -> None:
        self.entries[entry.key] = entry
        self.window.stack.setCurrentIndex(1)
        self.window.documents.add_document(entry, select=select)

    def load_history(self, store: object, limit: int = 50) -> None:
        """Reopen the newest documents of ``store`` (a HistoryStore), with their chats."""
        self.controller.history = store
        for item in reversed(store.entries(limit=limit)):  # type: ignore[attr-defined]
            doc = store.load(item.id)  # type: ignore[attr-defined]
            if doc is None:
                continue
            chat = restored(store.load_chat(item.id))  # type: ignore[attr-defined]
            self.restore(doc, history_id=item.id, chat=chat)

    def restore(
        self, doc: Document, history_id: int | None = None, chat: list[ChatMessage] | None = None
    ) -> DocEntry:
        """A document from history: its results show at once; nothing is read again."""
        entry = DocEntry.for_path(doc.source)
        entry.restored = True
        entry.history_id = history_id
        entry.chat = list(chat or [])
        entry.results = {p.index: p for p in doc.pages}
        entry.page_count = max(entry.results, default=-1) + 1
        self.entries[entry.key] = entry
        if Path(doc.source).is_file():
            self.bridge.add_file(entry.key, doc.source, self.controller.dpi)
        self.window.documents.add_document(entry, select=False)
        return entry

    def resume_interrupted(self) -> None:
        """Finish the readings a crash or a quit stopped; their finished pages are not re-read.

        Without an engine (a managed model not started yet) they wait for one: read now,
        every page would fail and the reading would be over.
        """
        if self.bridge.engine is None:
            self.resume_waiting = True
            return
        self.resume_waiting = False
        self.controller.keep(asyncio.ensure_future(self._resume_interrupted()))

    def on_engine_state(self, _name: str, state: str, _detail: str) -> None:
        if state == "ready" and self.resume_waiting:
            self.resume_interrupted()

    async def _resume_interrupted(self) -> None:
        try:
            readings = await self.bridge.interrupted()
        except Exception:  # no batch store: nothing to resume, the window works on
            logger.warning("interrupted readings unavailable", exc_info=True)
            return
        for n, reading in enumerate(readings):
            entry = DocEntry.for_path(reading.source)
            entry.resumed = True
            entry.queued.update(reading.pages)
            self.add(entry, select=n == 0)  # the newest
            self.bridge.add_file(entry.key, reading.source, reading.dpi)
            self.bridge.resume(entry.key, reading)
        if readings:
            self.window.show_message(
                t("Resuming %1 interrupted reading(s).").replace("%1", str(len(readings)))
            )

    def on_page_count(self, key: str, count: int) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.page_count = count
        self.window.documents.update_document(entry)
        if key == self.controller.current_key:
            self.window.documents.show_pages(entry)
            self.window.documents.select_page(0)
        if not entry.restored and not entry.resumed and not entry.hashing:
            self.controller.read(key, [i for i in range(count) if i not in entry.results])

    def on_source_failed(self, key: str, facts: tuple[Msg, ...]) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        if entry.page_count == 0:
            entry.error = facts
        self.window.documents.update_document(entry)
        if key == self.controller.current_key:
            self._refresh_status()  # the page area says why, in full, with Retry
        else:  # a short line: the whole reason would be cut off in the status bar
            self.window.show_message(
                t("%1 could not be opened; select it to see why.").replace("%1", entry.name),
                15000,
            )
