"""Server-sent events of an OpenAI-compatible streaming chat completion."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterable
from dataclasses import dataclass
from typing import Any

from desktop.engines.errors import ServerError

DONE = "[DONE]"


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """One decoded ``chat.completion.chunk``: new text, and the finish reason/usage when sent."""

    content: str = ""
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None


class StreamRestart:
    """Marker in a retried stream: the answer broke mid-way and starts again from the top."""


RESTART = StreamRestart()


async def iter_sse_data(lines: AsyncIterable[str]) -> AsyncGenerator[str, None]:
    """Yield each event's ``data`` payload (multi-line data joined with newlines).

    Stops at ``data: [DONE]``. Comments and other fields (``event:``, ``id:``) are ignored.
    """
    buf: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r")
        if not line:
            if buf:
                data = "\n".join(buf)
                buf = []
                if data == DONE:
                    return
                yield data
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if field != "data":
            continue
        buf.append(value[1:] if value.startswith(" ") else value)
    if buf:  # a stream that ends without the final blank line
        data = "\n".join(buf)
        if data != DONE:
            yield data


def parse_chunk(data: str) -> StreamChunk:
    """Decode one data payload; an ``error`` object mid-stream becomes ``ServerError``."""
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise ServerError(f"The server sent a malformed stream event: {data[:120]!r}.") from exc
    except RecursionError as exc:  # absurdly deep nesting: a bad chunk, not our crash
        raise ServerError(
            "The server sent a stream event nested too deeply to read; it was rejected."
        ) from exc
    if not isinstance(obj, dict):
        raise ServerError("The server sent a malformed stream event.")
    err = obj.get("error")
    if err:
        msg = err.get("message") if isinstance(err, dict) else str(err)
        raise ServerError(f"The server failed while writing: {msg}")
    content = ""
    finish: str | None = None
    choices = obj.get("choices") or []
    if choices and isinstance(choices[0], dict):
        choice = choices[0]
        delta = choice.get("delta") or {}
        if isinstance(delta, dict):
            content = delta.get("content") or ""
        finish = choice.get("finish_reason")
    usage = obj.get("usage")
    return StreamChunk(content, finish, usage if isinstance(usage, dict) else None)


async def iter_chunks(lines: AsyncIterable[str]) -> AsyncGenerator[StreamChunk, None]:
    """Decoded chunks of a streaming completion."""
    async for data in iter_sse_data(lines):
        yield parse_chunk(data)
