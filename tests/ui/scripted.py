"""A scripted engine for window tests: known blocks on every page, region reads counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from desktop.core.document import Block, Page, PageStatus
from desktop.core.pageimage import PageImage
from desktop.engines.base import Capability, ChatMessage, PageDone, RecognizeEvent, RecognizeMode

TABLE_1 = "<table><tr><th>Name</th><th>Qty</th></tr><tr><td>bolts</td><td>12</td></tr></table>"
TABLE_2 = (
    "<table><tr><th>City</th><th>Population</th></tr>"
    "<tr><td>Oslo</td><td>709000</td></tr><tr><td>Bergen</td><td>291000</td></tr></table>"
)


def page_blocks(width: int, height: int) -> tuple[Block, ...]:
    """A header at the very top edge, a title, two tables and a footer at the bottom."""
    w, h = width, height
    return (
        Block("Page-header", (10, 0, w // 2, 20), "Journal of Tests", 0),
        Block("Title", (20, 40, w - 20, 80), "On Overlays", 1),
        Block("Table", (20, 100, w - 20, h // 3), TABLE_1, 2),
        Block("Text", (20, h // 3 + 10, w - 20, h // 2), "Some body text.", 3),
        Block("Table", (20, h // 2 + 10, w - 20, h - 60), TABLE_2, 4),
        Block("Page-footer", (w - 120, h - 30, w - 2, h - 2), "Page 7", 5),
    )


class ScriptedEngine:
    """Reads every page as ``page_blocks``; a region read returns "region again"."""

    def __init__(self, name: str = "scripted", delay: float = 0.0) -> None:
        self._name = name
        self.delay = delay
        self.requests: list[tuple[str, int, Any]] = []
        self.modes: list[RecognizeMode] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def capabilities(self) -> Capability:
        return Capability.LAYOUT | Capability.TEXT | Capability.GROUNDING | Capability.CHAT

    async def ensure_ready(self) -> None:
        return None

    async def recognize(
        self,
        page: PageImage,
        mode: RecognizeMode = RecognizeMode.LAYOUT,
        region: Any = None,
    ) -> AsyncIterator[RecognizeEvent]:
        self.requests.append((page.source, page.index, region))
        self.modes.append(mode)
        if self.delay:
            await asyncio.sleep(self.delay)
        if region is not None:
            blocks: tuple[Block, ...] = (Block("Text", tuple(region), "region again", 0),)
        else:
            blocks = page_blocks(page.width, page.height)
        yield PageDone(Page(page.index, page.width, page.height, blocks, PageStatus.OK))

    async def chat(self, messages: Sequence[ChatMessage]) -> AsyncIterator[str]:
        yield "an answer"

    async def aclose(self) -> None:
        return None
