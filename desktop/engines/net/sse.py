"""Server-sent events of an OpenAI-compatible streaming chat completion."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, AsyncIterable, Callable
from dataclasses import dataclass
from typing import Any

from desktop.core.messages import Code, Msg
from desktop.engines.errors import ContextTooLong, ServerError, context_error, is_context_error

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


#: The decoder's (C) scanner: one value from an index, as ``(value, end)``.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _loads(text: str) -> Any:
    """``json.loads``, minus its Python-level layers for the usual well-formed event."""
    try:
        obj, end = _scan(text, 0)
    except StopIteration:
        return json.loads(text)  # raises the usual error (or skips leading whitespace)
    return obj if end == len(text) else json.loads(text)


def _text(data: bytes) -> str:
    """UTF-8; bad bytes read as a text decoder reads them (replacement characters)."""
    try:
        return data.decode()
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")


def parse_chunk(data: str | bytes) -> StreamChunk:
    """Decode one data payload; an ``error`` object mid-stream becomes ``ServerError``."""
    return _chunk_of(_event_object(data))


def _event_object(data: str | bytes) -> dict[str, Any]:
    text = data if isinstance(data, str) else _text(data)
    try:
        obj = _loads(text)
    except ValueError as exc:
        raise ServerError(Msg.of(Code.STREAM_EVENT_UNREADABLE, text=text[:120])) from exc
    except RecursionError as exc:  # absurdly deep nesting: a bad chunk, not our crash
        raise ServerError(Msg(Code.STREAM_EVENT_TOO_DEEP)) from exc
    if not isinstance(obj, dict):
        raise ServerError(Msg(Code.STREAM_EVENT_MALFORMED))
    err = obj.get("error")
    if err:
        msg = err.get("message") if isinstance(err, dict) else str(err)
        if isinstance(msg, str) and is_context_error(msg):
            # vLLM finds an over-long multimodal prompt after the 200 head (VLLM.md).
            raise context_error(msg)
        raise ServerError(Msg.of(Code.STREAM_SERVER_ERROR, detail=msg))
    return obj


def whole_completion(data: str | bytes) -> StreamChunk:
    """A complete, non-streamed ``chat.completion`` as one chunk: its message is the content.

    An ``error`` object raises ``ServerError``, as it does mid-stream.
    """
    obj = _event_object(data)
    choices = obj.get("choices")
    if choices and isinstance(choices, list) and isinstance(choices[0], dict):
        message = choices[0].get("message")
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            usage = obj.get("usage")
            return StreamChunk(
                message["content"],
                choices[0].get("finish_reason") or "stop",
                usage if isinstance(usage, dict) else None,
            )
    return _chunk_of(obj)  # a lone chunk object sent as JSON reads as that chunk


def _chunk_of(obj: dict[str, Any]) -> StreamChunk:
    content = ""
    finish: str | None = None
    choices = obj.get("choices")
    if choices and isinstance(choices, list) and isinstance(choices[0], dict):
        choice = choices[0]
        delta = choice.get("delta") or {}
        if isinstance(delta, dict):
            content = delta.get("content") or ""
        finish = choice.get("finish_reason")
    usage = obj.get("usage")
    return StreamChunk(content, finish, usage if isinstance(usage, dict) else None)


#: A ``"content": "..."`` member (the string body captured); a match is only trusted once
#: the rest of the event (its "skeleton") was read by the JSON parser, see ``EventParser``.
_CONTENT = re.compile(rb'"content"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')
#: What makes a JSON string body need the JSON parser: escapes and raw control characters.
_NEEDS_JSON = re.compile(rb"[\x00-\x1f\\]")
_MAX_SKELETONS = 16


class EventParser:
    """Many events' payloads -> one ``StreamChunk``, parsing JSON once per event *shape*.

    The events of one answer differ only in their delta text (vLLM repeats id, created and
    model). An event is split at its ``"content"`` string into a prefix and a suffix; the
    first event with that (prefix, suffix) is read by the JSON parser, which says what the
    rest means (finish reason, usage, where the content sits). Later events with the same
    pair reuse that and only decode the string. A pair is trusted only when it cannot be
    misread: one ``"content"`` in the event, no backslash outside the string, and the
    parser found the string at choices[0].delta.content.
    """

    __slots__ = ("_shapes",)

    def __init__(self) -> None:
        # (prefix, suffix) -> (finish_reason, usage); None: always use the parser.
        self._shapes: dict[tuple[bytes, bytes], tuple[Any, Any] | None] = {}

    def parse(self, payloads: list[bytes], start: int = 0) -> tuple[StreamChunk | None, int]:
        """Merge ``payloads[start:]`` into one chunk: (chunk or None, index reached).

        An error event raises ``ServerError``; text read before it in the same batch is
        returned first (the index then points at the error event, which the next call
        raises), so nothing the server sent before failing is lost.
        """
        parts: list[str] = []
        finish: str | None = None
        usage: dict[str, Any] | None = None
        found = False
        for i in range(start, len(payloads)):
            event = payloads[i]
            fields = self._known(event)
            if fields is None:
                try:
                    fields = self._read(event)
                except (ServerError, ContextTooLong):
                    if found:
                        return _merged(parts, finish, usage), i
                    raise
            text, ev_finish, ev_usage = fields
            found = True
            if text:
                parts.append(text)
            if ev_finish:
                finish = ev_finish
            if ev_usage is not None:
                usage = ev_usage
        if not found:
            return None, len(payloads)
        return _merged(parts, finish, usage), len(payloads)

    def _known(self, event: bytes) -> tuple[str, Any, Any] | None:
        """The event's fields without the JSON parser, when its shape is a trusted one."""
        match = _CONTENT.search(event)
        if match is None:
            return None
        a, b = match.span(1)
        shape = self._shapes.get((event[:a], event[b:]))
        if shape is None:
            return None
        raw = event[a:b]
        text = _text(raw) if _NEEDS_JSON.search(raw) is None else _json_string(raw)
        return None if text is None else (text, shape[0], shape[1])

    def _read(self, event: bytes) -> tuple[str, Any, Any]:
        """The event through the JSON parser; its shape is remembered when trustworthy."""
        obj = _event_object(event)
        chunk = _chunk_of(obj)
        match = _CONTENT.search(event)
        if match is not None and len(self._shapes) < _MAX_SKELETONS:
            a, b = match.span(1)
            key = (event[:a], event[b:])
            if key not in self._shapes:
                trusted = _trusted(event, key, obj)
                self._shapes[key] = (chunk.finish_reason, chunk.usage) if trusted else None
        return chunk.content, chunk.finish_reason, chunk.usage


def _merged(parts: list[str], finish: str | None, usage: dict[str, Any] | None) -> StreamChunk:
    content = parts[0] if len(parts) == 1 else "".join(parts)
    return StreamChunk(content, finish, usage)


def _json_string(raw: bytes) -> str | None:
    """A JSON string body with escapes; None when the JSON parser would reject it."""
    text = '"' + _text(raw) + '"'
    try:
        value, end = _scan(text, 0)
    except (ValueError, StopIteration):
        return None  # the whole event goes to the parser, which words the error
    return value if end == len(text) and isinstance(value, str) else None


def _trusted(event: bytes, key: tuple[bytes, bytes], obj: dict[str, Any]) -> bool:
    prefix, suffix = key
    if b"\\" in prefix or b"\\" in suffix or event.count(b'"content"') != 1:
        return False
    choices = obj.get("choices")
    if not (choices and isinstance(choices, list) and isinstance(choices[0], dict)):
        return False
    delta = choices[0].get("delta")
    return isinstance(delta, dict) and isinstance(delta.get("content"), str)


def _event_data(event: bytes) -> bytes | None:
    """The data payload of one event's raw lines (no blank line inside), or None."""
    if event.startswith(b"data: ") and b"\n" not in event:  # the usual one-line event
        return event[6:]
    parts: list[bytes] = []
    for line in event.split(b"\n"):
        if not line or line.startswith(b":"):
            continue
        name, _, value = line.partition(b":")
        if name == b"data":
            parts.append(value[1:] if value.startswith(b" ") else value)
    return b"\n".join(parts) if parts else None


class SSEDecoder:
    """Splits raw response bytes into events' data payloads, without a string per line.

    Same rules as ``iter_sse_data``: CR, LF and CRLF line ends, comments and other fields
    ignored, multi-line data joined with newlines, nothing after ``data: [DONE]``.
    """

    __slots__ = ("_buf", "done")

    def __init__(self) -> None:
        self._buf = b""
        self.done = False

    def feed(self, raw: bytes) -> list[bytes]:
        """Payloads of the events ``raw`` completes, in order."""
        if self.done:
            return []
        buf = self._buf + raw if self._buf else raw
        if b"\r" in buf:
            buf = _lf_only(buf)
        if b"\n\n" not in buf:
            self._buf = buf
            return []
        *events, self._buf = buf.split(b"\n\n")
        out: list[bytes] = []
        for event in events:
            data = _event_data(event)
            if data is None:
                continue
            if data == _DONE:
                self.done = True
                self._buf = b""
                break
            out.append(data)
        return out

    def flush(self) -> list[bytes]:
        """At the end of the body: the last event, when the final blank line never came."""
        buf, self._buf = self._buf, b""
        if self.done:
            return []
        data = _event_data(buf.replace(b"\r", b"\n")) if buf else None
        self.done = True
        return [] if data is None or data == _DONE else [data]


_DONE = DONE.encode()


def _lf_only(buf: bytes) -> bytes:
    """CRLF and lone CR as LF; a CR at the very end waits (its LF may be in the next read)."""
    tail = b""
    if buf.endswith(b"\r"):
        buf, tail = buf[:-1], b"\r"
    return buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + tail


async def iter_chunks(lines: AsyncIterable[str]) -> AsyncGenerator[StreamChunk, None]:
    """Decoded chunks of a streaming completion."""
    async for data in iter_sse_data(lines):
        yield parse_chunk(data)
