"""The chat about the current page: what is sent with each question, streaming, history."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.core.errors import DotsError
from desktop.core.messages import Msg
from desktop.engines.base import ChatMessage
from desktop.ui.words.facts import facts_words

if TYPE_CHECKING:
    from desktop.ui.control.controller import WindowController
    from desktop.ui.state.session import DocEntry

logger = logging.getLogger(__name__)


def t(text: str) -> str:
    return QCoreApplication.translate("WindowController", text)  # the controller's strings


def sendable(chat: list[ChatMessage]) -> list[ChatMessage]:
    """The turns a model sees: no system notes, and only the newest image (one per request)."""
    turns = [m for m in chat if m.role != "system"]
    newest = max((i for i, m in enumerate(turns) if m.image is not None), default=-1)
    return [
        m if m.image is None or i == newest else dataclasses.replace(m, image=None, region=None)
        for i, m in enumerate(turns)
    ]


class ChatController:
    """Asks the engine about the current page (or region) and keeps each document's chat."""

    def __init__(self, owner: WindowController) -> None:
        self.owner = owner

    def ask(self, question: str) -> None:
        owner = self.owner
        entry = owner.entries.get(owner.current_key)
        if entry is None:
            owner.window.show_message(t("Open a page first, then ask about it."))
            return
        owner.keep(asyncio.ensure_future(self._ask(entry, question)))

    async def _ask(self, entry: DocEntry, question: str) -> None:
        owner, window = self.owner, self.owner.window
        region = window.chat.region()
        holder = next((m for m in reversed(entry.chat) if m.image is not None), None)
        # The page travels with the first question, and again when the question is about
        # another part of it (a region attached or cleared), or after a restart (images
        # are not kept in the history).
        wanted = holder is None or holder.region != region
        image = None
        if wanted and entry.page_count:
            try:
                image = await owner.bridge.page_image(entry.key, max(0, owner.current_page))
            except DotsError as exc:
                window.show_message(facts_words(exc.facts))
                return
        entry.chat.append(
            ChatMessage(role="user", text=question, image=image, region=region if image else None)
        )
        window.chat.set_history(entry.chat)
        window.chat.begin_answer()
        owner.bridge.chat(entry.key, sendable(entry.chat))

    def on_delta(self, key: str, text: str) -> None:
        if key == self.owner.current_key:
            self.owner.window.chat.add_delta(text)

    def on_finished(self, key: str, error: tuple[Msg, ...]) -> None:
        if key == self.owner.current_key:
            self.owner.window.chat.finish_answer(facts_words(error))
        entry = self.owner.entries.get(key)
        if entry is not None:
            self.save(entry)

    def save(self, entry: DocEntry) -> None:
        store = self.owner.history
        if store is None or entry.history_id is None:
            return
        turns = [{"role": m.role, "text": m.text} for m in entry.chat]
        self.owner.keep(asyncio.ensure_future(self._store(store, entry.history_id, turns)))

    @staticmethod
    async def _store(store: object, entry_id: int, turns: list[dict[str, str]]) -> None:
        try:
            await asyncio.to_thread(store.save_chat, entry_id, turns)  # type: ignore[attr-defined]
        except Exception:  # history is a convenience: the conversation still goes on
            logger.warning("could not save the chat", exc_info=True)
