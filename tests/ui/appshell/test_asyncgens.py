"""Async generators abandoned on the qasync loop are closed there (their ``finally`` awaits)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest
import qasync

from desktop.ui.app import install_asyncgen_hooks

pytestmark = pytest.mark.gui


def _stream(closed: list[str], name: str) -> AsyncIterator[int]:
    async def body() -> AsyncIterator[int]:
        try:
            for n in range(100):
                yield n
        finally:
            await asyncio.sleep(0)  # as an HTTP stream's aclose() awaits its connection
            closed.append(name)

    return body()


def test_given_a_stream_abandoned_mid_read_then_its_finally_runs_on_the_loop(
    qloop: qasync.QEventLoop, qtbot: Any
) -> None:
    closed: list[str] = []

    async def read_one() -> int:
        stream = _stream(closed, "abandoned")
        return await stream.__anext__()  # then dropped, unfinished, as a cancelled read does

    task = asyncio.ensure_future(read_one())
    qtbot.waitUntil(task.done)
    assert task.result() == 0
    gc.collect()
    qtbot.waitUntil(lambda: closed == ["abandoned"], timeout=10_000)


def test_given_streams_still_open_at_quit_then_shutdown_closes_them(
    qloop: qasync.QEventLoop, qtbot: Any
) -> None:
    closed: list[str] = []
    finalizer = install_asyncgen_hooks(qloop)  # the app's: run_gui awaits its shutdown
    streams = [_stream(closed, "first"), _stream(closed, "second")]

    async def start_all() -> None:
        for stream in streams:
            await stream.__anext__()

    started = asyncio.ensure_future(start_all())
    qtbot.waitUntil(started.done)
    done = asyncio.ensure_future(finalizer.shutdown())
    qtbot.waitUntil(done.done)
    assert sorted(closed) == ["first", "second"]
