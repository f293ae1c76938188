"""A lean asyncio network layer under httpx/httpcore, and a direct reader for streamed bodies.

httpcore's default (anyio) stream pays for a cancel scope, a flow-control pause/resume and
two epoll calls on every read; a streamed answer is hundreds of tiny reads per page. This
backend keeps what arrived in one buffer and hands it all over per read.

It also lets a streaming answer skip h11's per-chunk events: response heads are handed to
h11 exactly up to their blank line, so the body of a chunked answer is still unread in our
buffer when httpx returns the response. ``ChunkedBody`` then takes every complete chunk
there is in one call; the last chunk (``0`` + trailers) is left for h11, so the connection
goes back to the pool in a clean state.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from collections.abc import Coroutine, Iterable
from typing import Any

import httpcore
import httpx

#: Stop reading the socket while this much is buffered and unread (resumed below LOW_WATER).
HIGH_WATER = 1 << 20
LOW_WATER = 1 << 18
#: h11's end of a message head: a blank line, CRLF or bare LF.
_HEAD_END = re.compile(rb"\n\r?\n")
#: h11's chunk header: 1-20 hex digits, extensions ignored, optional trailing whitespace.
_CHUNK_HEADER = re.compile(rb"([0-9A-Fa-f]{1,20})(?:;[^\r\n]*)?[ \t]*")
MAX_CHUNK_LINE = 4096
MAX_HEAD = 64 * 1024


class _Protocol(asyncio.Protocol):
    """Buffers incoming bytes and wakes the one reader waiting on them."""

    __slots__ = ("buf", "eof", "error", "paused", "transport", "waiter", "write_waiter")

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.paused = False
        self.waiter: asyncio.Future[None] | None = None
        self.write_waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if len(self.buf) > HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        self.resume_writing()

    def pause_writing(self) -> None:
        if self.write_waiter is None:
            self.write_waiter = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        waiter, self.write_waiter = self.write_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def consumed(self) -> None:
        """Called after bytes were taken from ``buf``: resume a paused socket."""
        if self.paused and len(self.buf) < LOW_WATER and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()

    async def wait(self, timeout: float | None = None) -> None:
        """Until more bytes, the end of the stream or an error arrive."""
        waiter = self.waiter = asyncio.get_running_loop().create_future()
        try:
            if timeout is None:
                await waiter
            else:
                async with asyncio.timeout(timeout):
                    await waiter
        finally:
            self.waiter = None


class LeanStream(httpcore.AsyncNetworkStream):
    """httpcore's view of one connection; also the source of ``ChunkedBody``."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._p = protocol
        # Set by a write (a request went out): the next bytes are a response head, and
        # h11 gets them only up to its end. ``_head`` holds the head delivered so far.
        self._want_head = False
        self._head = bytearray()
        self.body_unread = False  # True right after a final head: its body is all ours

    # -- httpcore's interface -----------------------------------------------------------
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        p = self._p
        while not p.buf:
            if p.error is not None:
                raise httpcore.ReadError(str(p.error) or type(p.error).__name__)
            if p.eof:
                return b""
            try:
                await p.wait(timeout)
            except TimeoutError as exc:
                raise httpcore.ReadTimeout("timed out reading from the server") from exc
        size = min(max_bytes, len(p.buf))
        if self._want_head:
            size = self._head_part(size)
        data = bytes(p.buf[:size])
        del p.buf[:size]
        p.consumed()
        return data

    def _head_part(self, size: int) -> int:
        """How much of the buffer to hand over so that it ends where the head ends."""
        p = self._p
        # The blank line may straddle two reads: search from the last bytes given out.
        carry = bytes(self._head[-2:])
        match = _HEAD_END.search(carry + bytes(p.buf[: MAX_HEAD + 2]))
        end = match.end() - len(carry) if match is not None and match.end() > len(carry) else -1
        if end < 0 or end > size:
            self._head += p.buf[:size]
            if len(self._head) > MAX_HEAD:  # not a head we recognise: stop splitting
                self._want_head = False
            return size
        head = self._head + p.buf[:end]
        self._head = bytearray()
        status = head.lstrip()[9:12]
        if not status.startswith(b"1"):  # 1xx (100 Continue): the real head follows
            self._want_head = False
            self.body_unread = True
        return end

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        self._want_head = True
        self._head = bytearray()
        self.body_unread = False
        p = self._p
        if p.error is not None or self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        while p.write_waiter is not None:
            try:
                async with asyncio.timeout(timeout):
                    await asyncio.shield(p.write_waiter)
            except TimeoutError as exc:
                raise httpcore.WriteTimeout("timed out writing to the server") from exc
        if p.error is not None or self._transport.is_closing():
            raise httpcore.WriteError(str(p.error or "the connection was closed"))

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                tls = await loop.start_tls(
                    self._transport, self._p, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._transport.abort()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from exc
        except (OSError, ssl.SSLError) as exc:
            self._transport.abort()
            raise httpcore.ConnectError(str(exc)) from exc
        if tls is None:
            raise httpcore.ConnectError("the TLS handshake failed")
        self._p.transport = tls
        return LeanStream(tls, self._p)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # an idle connection with news is one the server closed
            return bool(self._p.buf) or self._p.eof
        names = {
            "ssl_object": "ssl_object",
            "client_addr": "sockname",
            "server_addr": "peername",
            "socket": "socket",
        }
        return self._transport.get_extra_info(names[info]) if info in names else None

    # -- direct body reading ------------------------------------------------------------
    def chunked_body(self) -> ChunkedBody | None:
        """A reader for the body of the response just received, if h11 has none of it."""
        if not self.body_unread:
            return None
        self.body_unread = False
        return ChunkedBody(self._p)


class ChunkedBody:
    """The data of a chunked body straight from the buffer, all complete chunks per call."""

    __slots__ = ("_crlf", "_left", "_p", "ended", "waited")

    def __init__(self, protocol: _Protocol) -> None:
        self._p = protocol
        self._left = 0  # bytes of the current chunk still to come
        self._crlf = False  # the current chunk's data is done; its CRLF is next
        self.ended = False  # reached the last chunk (left in the buffer for h11)
        self.waited = False

    async def read(self) -> bytes | None:
        """The next data (all that is buffered), waiting if there is none; None at the end.

        ``waited`` then says whether this call had to wait (the event loop ran meanwhile).
        """
        p = self._p
        self.waited = False
        while True:
            if p.buf:
                data = self._take()
                if data:
                    return data
            if self.ended:
                return None
            if p.error is not None:
                raise httpx.ReadError(str(p.error) or type(p.error).__name__)
            if p.eof:
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body"
                )
            await p.wait()
            self.waited = True

    def _take(self) -> bytes:
        if self.ended:
            return b""
        buf = self._p.buf
        n = len(buf)
        pos = 0
        left, crlf = self._left, self._crlf
        parts: list[bytearray] = []
        try:
            while True:
                if left:
                    end = pos + left
                    if end > n:  # the chunk goes on in a later read
                        if pos < n:
                            parts.append(buf[pos:n])
                            left, pos = end - n, n
                        break
                    parts.append(buf[pos:end])
                    pos, left, crlf = end, 0, True
                if crlf:
                    if n - pos < 2:
                        break
                    if buf[pos] != 13 or buf[pos + 1] != 10:
                        raise httpx.RemoteProtocolError("malformed chunk footer")
                    pos += 2
                    crlf = False
                eol = buf.find(b"\r\n", pos, pos + MAX_CHUNK_LINE)
                if eol < 0:
                    if n - pos >= MAX_CHUNK_LINE:
                        raise httpx.RemoteProtocolError("illegal chunk header")
                    break
                match = _CHUNK_HEADER.fullmatch(buf, pos, eol)
                if match is None:
                    raise httpx.RemoteProtocolError("illegal chunk header")
                left = int(match.group(1), 16)
                if not left:
                    self.ended = True  # "0\r\n", trailers and the blank line stay for h11
                    break
                pos = eol + 2
        finally:
            self._left, self._crlf = left, crlf
        if pos:
            del buf[:pos]
            self._p.consumed()
        return b"".join(parts)

    def drain(self) -> bool:
        """Skip what is buffered after the caller is done; True when the whole body is in.

        The message end then waits in the buffer for h11 (the connection can be reused).
        """
        try:
            if not self.ended:
                self._take()
        except httpx.RemoteProtocolError:
            return False
        return self.ended and _HEAD_END.search(self._p.buf) is not None


async def _connected(
    connecting: Coroutine[Any, Any, tuple[asyncio.Transport, _Protocol]],
    timeout: float | None,
    where: str,
    socket_options: Iterable[Any] | None,
) -> LeanStream:
    """Await a connection with httpcore's timeout and error types, then wrap it."""
    try:
        async with asyncio.timeout(timeout):
            transport, protocol = await connecting
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(f"timed out connecting to {where}") from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    _apply(transport, socket_options)
    return LeanStream(transport, protocol)


class LeanBackend(httpcore.AsyncNetworkBackend):
    """Connections as ``LeanStream``s (plain asyncio; TLS through ``loop.start_tls``)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        local = (local_address, 0) if local_address else None
        connecting = asyncio.get_running_loop().create_connection(
            _Protocol, host, port, local_addr=local
        )
        return await _connected(connecting, timeout, f"{host}:{port}", socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        connecting = asyncio.get_running_loop().create_unix_connection(_Protocol, path)
        return await _connected(connecting, timeout, path, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _apply(transport: asyncio.BaseTransport, options: Iterable[Any] | None) -> None:
    sock: socket.socket | None = transport.get_extra_info("socket")
    for option in options or ():
        if sock is not None:
            sock.setsockopt(*option)
