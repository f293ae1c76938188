"""Just enough HTTP/1.1 over asyncio streams: requests in, fixed or chunked responses out."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import urlsplit

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 512 * 1024 * 1024


class MalformedRequestError(Exception):
    """The bytes on the wire are not an HTTP request we can read."""


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool

    def json(self) -> object:
        return json.loads(self.body.decode("utf-8"))


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request on a connection, or None when the client closed it cleanly."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise MalformedRequestError("incomplete request head") from exc
    except asyncio.LimitOverrunError as exc:
        raise MalformedRequestError("request head too large") from exc
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ", 2)
    except ValueError as exc:
        raise MalformedRequestError(f"bad request line {lines[0]!r}") from exc
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    url = urlsplit(target)
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        length = int(headers.get("content-length", "0") or 0)
        if length > MAX_BODY_BYTES:
            raise MalformedRequestError("body too large")
        body = await reader.readexactly(length) if length else b""
    connection = headers.get("connection", "").lower()
    keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
    return Request(method.upper(), url.path or "/", url.query, headers, body, keep_alive)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # trailers are not supported: the blank line
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _head(status: int, headers: list[tuple[str, str]]) -> bytes:
    reason = HTTPStatus(status).phrase
    lines = [f"HTTP/1.1 {status} {reason}", f"date: {formatdate(usegmt=True)}", "server: uvicorn"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def response(
    status: int,
    body: bytes = b"",
    content_type: str | None = None,
    keep_alive: bool = True,
) -> bytes:
    headers = [("content-length", str(len(body)))]
    if content_type:
        headers.append(("content-type", content_type))
    if not keep_alive:
        headers.append(("connection", "close"))
    return _head(status, headers) + body


def json_response(status: int, payload: object, keep_alive: bool = True) -> bytes:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return response(status, body, "application/json", keep_alive)


def stream_head(content_type: str = "text/event-stream; charset=utf-8") -> bytes:
    return _head(200, [("content-type", content_type), ("transfer-encoding", "chunked")])


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body; an empty ``data`` ends the body."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def hangup_future(reader: asyncio.StreamReader) -> asyncio.Future[None]:
    """A future that completes when the peer closes or resets the connection.

    The stream protocol reports both to the reader (``feed_eof`` / ``set_exception``); hooking
    them notices a hang-up without polling and without consuming pipelined request bytes.
    """
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    feed_eof = reader.feed_eof
    set_exception = reader.set_exception

    def on_eof() -> None:
        feed_eof()
        if not future.done():
            future.set_result(None)

    def on_error(exc: Exception) -> None:
        set_exception(exc)
        if not future.done():
            future.set_result(None)

    reader.feed_eof = on_eof  # type: ignore[method-assign]
    reader.set_exception = on_error  # type: ignore[method-assign]
    return future
