"""An httpx transport over an httpcore pool that runs on ``LeanBackend``.

httpx's own ``AsyncHTTPTransport`` has no argument for httpcore's network backend, while
``httpcore.AsyncConnectionPool`` takes one publicly (``network_backend=``). So the pool is
built here, and this transport does the small part of httpx's that sits on top of it: an
``httpx.Request`` becomes an ``httpcore.Request``, httpcore's errors become httpx's, and
the body is handed back as an ``httpx.AsyncByteStream``. Public API of both libraries only.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterator

import httpcore
import httpx

from desktop.engines.net.netstream import LeanBackend

#: httpcore's error -> httpx's (the same pairs httpx's own transport uses).
ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}


@contextlib.contextmanager
def httpx_errors() -> Iterator[None]:
    """Raise httpcore's errors as the most specific httpx error (as httpx does)."""
    try:
        yield
    except Exception as exc:
        for kind in type(exc).__mro__:
            mapped = ERRORS.get(kind)
            if mapped is not None:
                raise mapped(str(exc)) from exc
        raise


class _Body(httpx.AsyncByteStream):
    """httpcore's response stream, read with httpx's error types."""

    __slots__ = ("_stream",)

    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class LeanTransport(httpx.AsyncBaseTransport):
    """TLS, limits and keep-alive as httpx configures them, connections from ``LeanBackend``."""

    def __init__(self, limits: httpx.Limits, verify: ssl.SSLContext | bool = True) -> None:
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=LeanBackend(),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with httpx_errors():
            resp = await self.pool.handle_async_request(core)
        assert isinstance(resp.stream, AsyncIterable)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Body(resp.stream),
            extensions=resp.extensions,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()


def lean_transport(limits: httpx.Limits, verify: ssl.SSLContext | bool = True) -> LeanTransport:
    """The client's transport: httpx's contract, httpcore's pool, ``LeanBackend``'s streams."""
    return LeanTransport(limits, verify)
