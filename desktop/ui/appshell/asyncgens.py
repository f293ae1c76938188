"""Async generators finalized on the qasync loop, through public asyncio API only.

asyncio's own ``run_forever`` installs ``sys.set_asyncgen_hooks`` for its loop; qasync's
(Qt's ``exec``) never does. Without them an HTTP stream left open by a cancelled or
finished read is closed by the garbage collector outside any task, and its connection
never returns to the pool (the server then seems to stop answering). These hooks do what
asyncio's do: remember each generator, and when one is collected, schedule its
``aclose()`` on the loop.
"""

from __future__ import annotations

import asyncio
import sys
import weakref
from collections.abc import AsyncGenerator
from typing import Any


class AsyncGenFinalizer:
    """``firstiter``/``finalizer`` hooks for one loop, and its ``shutdown``."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._alive: weakref.WeakSet[AsyncGenerator[Any, Any]] = weakref.WeakSet()

    def install(self) -> None:
        """Become this thread's async generator hooks."""
        sys.set_asyncgen_hooks(firstiter=self.firstiter, finalizer=self.finalizer)

    def firstiter(self, agen: AsyncGenerator[Any, Any]) -> None:
        self._alive.add(agen)

    def finalizer(self, agen: AsyncGenerator[Any, Any]) -> None:
        """Collected while unfinished: close it in a task (its ``finally`` may await)."""
        self._alive.discard(agen)
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.create_task, agen.aclose())

    async def shutdown(self) -> None:
        """Close the generators still open (as ``loop.shutdown_asyncgens`` does)."""
        pending = list(self._alive)
        self._alive.clear()
        results = await asyncio.gather(*(a.aclose() for a in pending), return_exceptions=True)
        for agen, result in zip(pending, results, strict=True):
            if isinstance(result, Exception):
                self._loop.call_exception_handler(
                    {
                        "message": f"an error occurred during closing of {agen!r}",
                        "exception": result,
                        "asyncgen": agen,
                    }
                )
