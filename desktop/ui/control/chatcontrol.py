"""The chat about the current page: asking, streaming, history.

What is sent with each question is decided in one place, ``engines.chat``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.core.errors import DotsError
from desktop.core.messages import Msg
from desktop.engines.base import ChatMessage
from desktop.engines.chat import kept_turns, page_wanted, sendable
from desktop.ui.words.facts import facts_words

if TYPE_CHECKING:
    from desktop.ui.control.bridge import EngineBridge
    from desktop.ui.state.session import DocEntry
    from desktop.ui.widgets.chat import ChatPanel

logger = logging.getLogger(__name__)


def t(text: str) -> str:
    return QCoreApplication.translate("WindowController", text)  # the controller's strings


class ChatController:
    """Asks the engine about the current page (or region) and keeps each document's chat."""

    def __init__(
        self,
        panel: ChatPanel,
        bridge: EngineBridge,
        entries: Mapping[str, DocEntry],
        *,
        current: Callable[[], tuple[str, int]],
        keep: Callable[[asyncio.Future[None]], None],
        store: Callable[[], object | None],
        tell: Callable[[str], None],
    ) -> None:
        """``current``: the shown document's key and page; ``keep``: holds a task until done;
        ``store``: the history store (None before it is open); ``tell``: a status message."""
        self.panel = panel
        self.bridge = bridge
        self.entries = entries
        self.current = current
        self.keep = keep
        self.store = store
        self.tell = tell

    def ask(self, question: str) -> None:
        entry = self.entries.get(self.current()[0])
        if entry is None:
            self.tell(t("Open a page first, then ask about it."))
            return
        self.keep(asyncio.ensure_future(self._ask(entry, question)))

    async def _ask(self, entry: DocEntry, question: str) -> None:
        region = self.panel.region()
        image = None
        if page_wanted(entry.chat, region) and entry.page_count:
            try:
                image = await self.bridge.page_image(entry.key, max(0, self.current()[1]))
            except DotsError as exc:
                self.tell(facts_words(exc.facts))
                return
        entry.chat.append(
            ChatMessage(role="user", text=question, image=image, region=region if image else None)
        )
        self.panel.set_history(entry.chat)
        self.panel.begin_answer()
        self.bridge.chat(entry.key, sendable(entry.chat))

    def on_delta(self, key: str, text: str) -> None:
        if key == self.current()[0]:
            self.panel.add_delta(text)

    def on_finished(self, key: str, error: tuple[Msg, ...]) -> None:
        if key == self.current()[0]:
            self.panel.finish_answer(facts_words(error))
        entry = self.entries.get(key)
        if entry is not None:
            self.save(entry)

    def save(self, entry: DocEntry) -> None:
        store = self.store()
        if store is None or entry.history_id is None:
            return
        turns = kept_turns(entry.chat)
        self.keep(asyncio.ensure_future(self._store(store, entry.history_id, turns)))

    @staticmethod
    async def _store(store: object, entry_id: int, turns: list[dict[str, str]]) -> None:
        try:
            await asyncio.to_thread(store.save_chat, entry_id, turns)  # type: ignore[attr-defined]
        except Exception:  # history is a convenience: the conversation still goes on
            logger.warning("could not save the chat", exc_info=True)
