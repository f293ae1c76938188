"""Pages while they are read: streamed blocks and text drawn in batches, a finished page
kept (or an earlier result kept when its re-read fails), the tables panel refreshed and
a finished document saved to history."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from desktop.core.document import Block, Page, PageStatus
from desktop.ui.words.facts import page_reason_words

if TYPE_CHECKING:
    from desktop.ui.control.links import ControllerLink
    from desktop.ui.state.session import DocEntry

logger = logging.getLogger(__name__)

#: How often streamed blocks/text are drawn, and the tables panel refreshed, while reading.
LIVE_INTERVAL_MS = 80
TABLES_INTERVAL_MS = 400


def t(text: str) -> str:
    return QCoreApplication.translate("WindowController", text)


class LiveReading:
    """The bridge's reading events, turned into the entries' state and the shown page."""

    def __init__(
        self,
        controller: ControllerLink,
        parent: QObject,
        *,
        refresh_page: Callable[[], None],
        refresh_status: Callable[[], None],
        finished: Callable[[str], None],
        save_chat: Callable[[DocEntry], None],
    ) -> None:
        self.controller = controller
        self.window = controller.window
        self.entries = controller.entries
        self._refresh_page = refresh_page
        self._refresh_status = refresh_status
        self._finished = finished  # every queued page of the document is done
        self._save_chat = save_chat
        # Streamed blocks and text reach the screen in batches: one repaint per tick, not
        # one per block (a fast server sends hundreds a second).
        self._pending: list[Block] = []
        self._pending_at: tuple[str, int] = ("", -1)
        self._text_dirty = False
        self._live = QTimer(parent, singleShot=True, interval=LIVE_INTERVAL_MS)
        self._live.timeout.connect(self.flush)
        # The tables panel re-parses every table of the document: at most a few times a
        # second while pages finish, not once per page.
        self._tables_timer = QTimer(parent, singleShot=True, interval=TABLES_INTERVAL_MS)
        self._tables_timer.timeout.connect(self._refresh_tables)

    def _shown(self, key: str, index: int) -> bool:
        return key == self.controller.current_key and index == self.controller.current_page

    def on_page_started(self, key: str, index: int) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.queued.discard(index)
        entry.running.add(index)
        self.window.documents.update_document(entry)
        if self._shown(key, index):
            self._refresh_status()

    def on_block(self, key: str, index: int, block: Block) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.live_blocks.setdefault(index, []).append(block)
        if self._shown(key, index):
            if self._pending_at != (key, index):
                self._pending = []
                self._pending_at = (key, index)
            self._pending.append(block)
            if not self._live.isActive():
                self._live.start()

    def on_text(self, key: str, index: int, text: str) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.live_text[index] = entry.live_text.get(index, "") + text
        if self._shown(key, index) and not entry.live_blocks.get(index):
            self._text_dirty = True
            if not self._live.isActive():
                self._live.start()

    def flush(self) -> None:
        """Draw what streamed in since the last tick (current page only)."""
        pending, self._pending = self._pending, []
        at, self._pending_at = self._pending_at, ("", -1)
        current = (self.controller.current_key, self.controller.current_page)
        if pending and at == current:
            self.window.page_view.add_blocks(pending)
            self.window.text_view.append_blocks(pending)
        if self._text_dirty:
            self._text_dirty = False
            entry = self.entries.get(current[0])
            if entry is not None and not entry.live_blocks.get(current[1]):
                self.window.plain_view.set_text(entry.live_text.get(current[1], ""))

    def drop(self) -> None:
        """The page is about to be drawn in full: what waited to be drawn is in it."""
        self._pending = []
        self._pending_at = ("", -1)
        self._text_dirty = False

    def on_page_done(self, key: str, page: Page) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.running.discard(page.index)
        entry.queued.discard(page.index)
        previous = entry.results.get(page.index)
        retry_failed = False
        if page.status == PageStatus.PENDING and previous is not None:
            pass  # a cancelled re-read keeps the earlier result
        elif page.width == 0 and previous is not None and page.status == PageStatus.FAILED:
            entry.results[page.index] = previous  # a failed retry keeps what we had
            self.window.show_message(page_reason_words(page), 15000)
            retry_failed = True
        else:
            entry.results[page.index] = page
        self.window.documents.update_document(entry)
        if self._shown(key, page.index):
            self._refresh_page()
        if key == self.controller.current_key and not self._tables_timer.isActive():
            self._tables_timer.start()
        if not entry.running and not entry.queued:
            self._finished(key)
            self._remember(entry)
            if not retry_failed:  # the reason stays readable, not replaced at once
                self.window.show_message(t("%1: finished reading.").replace("%1", entry.name), 6000)

    def _refresh_tables(self) -> None:
        entry = self.entries.get(self.controller.current_key)
        if entry is not None:
            self.window.tables.set_document(entry.document())

    def _remember(self, entry: DocEntry) -> None:
        store = self.controller.history
        if store is None or not entry.path or entry.restored:
            return
        # SQLite commits wait for the disk: off the GUI thread.
        self.controller.keep(asyncio.ensure_future(self._save_history(store, entry)))

    async def _save_history(self, store: object, entry: DocEntry) -> None:
        try:
            entry.history_id = await asyncio.to_thread(
                store.add,  # type: ignore[attr-defined]
                entry.document(),
            )
        except Exception:  # history is a convenience; reading must not fail because of it
            logger.warning("could not save history", exc_info=True)
            return
        if entry.chat:  # asked about before it was finished
            self._save_chat(entry)
