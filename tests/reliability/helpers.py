"""Helpers shared by the reliability tests: event draining, a fake engine, message checks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from desktop.core.document import Page, PageStatus
from desktop.core.pageimage import PageImage
from desktop.engines.base import (
    Capability,
    ChatMessage,
    PageDone,
    RecognizeEvent,
    RecognizeMode,
)


def bug(reason: str) -> pytest.MarkDecorator:
    """A known bug in code this suite tests: strict, so the fix turns it into a failure to
    remove the mark (the report to the lead lists each with file:line and a proposed fix)."""
    return pytest.mark.xfail(strict=True, reason=f"BUG: {reason}")


def assert_one_clear_line(text: str) -> None:
    """What a user reads: one line, no traceback, no Python internals, ends like a sentence."""
    assert text.strip(), "no message at all"
    assert "\n" not in text.strip(), f"more than one line: {text!r}"
    assert "Traceback" not in text and 'File "' not in text, text
    assert len(text) < 400, f"not one sentence: {text!r}"
    assert text.rstrip().endswith((".", ")")), f"not a sentence: {text!r}"


async def drain(events: AsyncIterator[Any], timeout: float = 60.0) -> list[Any]:
    """All events of a pipeline run (bounded: a hang fails the test instead of blocking CI)."""

    async def collect() -> list[Any]:
        return [event async for event in events]

    return await asyncio.wait_for(collect(), timeout)


class InstantEngine:
    """An engine that reads every page at once (for scale tests of the pipeline itself)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, int]] = []

    @property
    def name(self) -> str:
        return "instant"

    @property
    def capabilities(self) -> Capability:
        return Capability.LAYOUT

    async def ensure_ready(self) -> None:
        return None

    async def recognize(
        self,
        page: PageImage,
        mode: RecognizeMode = RecognizeMode.LAYOUT,
        region: Any = None,
    ) -> AsyncIterator[RecognizeEvent]:
        self.requests.append((page.source, page.index))
        yield PageDone(Page(page.index, page.width, page.height, (), PageStatus.OK))

    async def chat(self, messages: Sequence[ChatMessage]) -> AsyncIterator[str]:
        yield ""

    async def aclose(self) -> None:
        return None
