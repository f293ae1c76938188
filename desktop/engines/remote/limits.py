"""Bounds on one answer, from its token budget: a total time and a size.

The per-read timeouts (first token, idle) catch a server that goes quiet, not one that
drips a byte a second or streams past ``max_tokens`` forever. Both are bounded here by what
``max_tokens`` allows, with a wide margin: no honest answer comes near either limit. The
limit hit is said (``AnswerLimitHit``), and what arrived before it is kept by the reader.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass

from desktop.core.messages import Code, Msg
from desktop.engines.base import EngineError
from desktop.engines.net.sse import StreamChunk, StreamRestart

#: Characters a token may stand for, at most (the longest tokens of the Qwen2 vocabulary,
#: runs of spaces or of one symbol, are 16 to 32 characters).
CHARS_PER_TOKEN = 32
#: Slowest writing still waited for (tokens a second): a 3B model on a small GPU writes 20+.
MIN_TOKENS_PER_SECOND = 5.0
#: Added to both: the answer's JSON frame, and queueing/prefill before the first token.
EXTRA_CHARS = 4096
EXTRA_SECONDS = 60.0


class AnswerLimitHit(EngineError):
    """The answer passed its size or time limit; it was cut there."""


@dataclass(frozen=True, slots=True)
class AnswerLimits:
    """The most characters and seconds one answer may take."""

    max_chars: int
    seconds: float

    @classmethod
    def for_tokens(cls, max_tokens: int, first_token: float) -> AnswerLimits:
        """Limits for an answer of at most ``max_tokens`` (``first_token``: its wait, s)."""
        return cls(
            max_chars=max_tokens * CHARS_PER_TOKEN + EXTRA_CHARS,
            seconds=first_token + EXTRA_SECONDS + max_tokens / MIN_TOKENS_PER_SECOND,
        )


async def bounded(
    stream: AsyncGenerator[StreamChunk | StreamRestart, None], limits: AnswerLimits | None
) -> AsyncGenerator[StreamChunk | StreamRestart, None]:
    """``stream`` until it ends, or ``AnswerLimitHit`` once it passes ``limits``."""
    async with aclosing(stream):
        if limits is None:
            async for item in stream:
                yield item
            return
        deadline = asyncio.get_running_loop().time() + limits.seconds
        chars = 0
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    item = await anext(stream)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise AnswerLimitHit(
                    Msg.of(Code.ANSWER_TOO_SLOW, seconds=round(limits.seconds))
                ) from None
            if isinstance(item, StreamRestart):
                chars = 0
            else:
                chars += len(item.content)
                if chars > limits.max_chars:
                    raise AnswerLimitHit(Msg.of(Code.ANSWER_TOO_BIG, chars=limits.max_chars))
            yield item
