"""The first-token and idle timeouts of one streamed answer, kept by a single timer.

``OpenAIClient`` arms one ``StreamWatchdog`` per stream instead of a timeout context per
network read: the stream's reads are often one token each, and that is its hot path.
"""

from __future__ import annotations

import asyncio
from typing import Any


class StreamWatchdog:
    """First-token and idle timeouts of one stream with one timer, not one per read.

    The timer re-arms itself until a read has waited past its limit; only then, and only
    while the stream is suspended in that read (never while its consumer runs), it cancels
    the task. The read turns that cancel into ``ServerTimeout``; a cancel from outside
    still propagates (counted with ``Task.cancelling``/``uncancel`` as ``asyncio.timeout``
    does).
    """

    __slots__ = (
        "_loop",
        "base",
        "deadline",
        "fired",
        "handle",
        "idle",
        "reading",
        "started",
        "task",
        "writing",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, deadline: float, idle: float) -> None:
        self._loop = loop
        self.deadline = deadline  # before the first text: absolute, from the request
        self.idle = idle  # once writing: per read
        self.writing = False
        self.reading = False
        self.started = loop.time()
        self.task: asyncio.Task[Any] | None = None
        self.fired = False
        self.base = 0  # the task's pending cancels when the read began
        self.handle: asyncio.Handle | None = loop.call_at(deadline, self.check)

    def start_writing(self) -> None:
        self.writing = True
        self._rearm(self._loop.time() + self.idle)

    def _rearm(self, when: float) -> None:
        if self.handle is not None:
            self.handle.cancel()
        self.handle = self._loop.call_at(when, self.check)

    def check(self) -> None:
        self.handle = None
        now = self._loop.time()
        if not self.reading:  # no read can expire before the next one starts
            if self.writing:
                self.handle = self._loop.call_at(now + self.idle, self.check)
            elif now < self.deadline:
                self.handle = self._loop.call_at(self.deadline, self.check)
            return  # else the next read re-arms it
        expiry = self.started + self.idle if self.writing else self.deadline
        if now < expiry:
            self.handle = self._loop.call_at(expiry, self.check)
            return
        task = self.task
        if task is None or task.done():
            return
        self.fired = True
        task.cancel()

    def expired(self, task: asyncio.Task[Any] | None) -> bool:
        """Take back our cancel; True when no other cancel is pending (it was ours alone)."""
        self.fired = False
        return task is not None and task.uncancel() <= self.base

    def close(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
