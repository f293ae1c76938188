"""The OpenAI-compatible HTTP side: one shared connection pool, discovery, streaming, retries.

Works against vLLM and anything that speaks its API (gateways, llama.cpp, LM Studio):
base URLs with or without ``/v1``, ``/health`` optional, the key as a bearer token.
The server's plain data (``Timeouts``, ``ServerInfo``) lives in ``endpoint``, request bytes
in ``requestbody`` and the per-stream timer in ``watchdog``.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.request
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import Any, cast

import httpx

from desktop.core.messages import Code, Msg
from desktop.engines.base import EngineError
from desktop.engines.errors import (
    RETRY_STATUSES,
    ModelNotServed,
    RetryableStatus,
    RetryPolicy,
    ServerError,
    ServerTimeout,
    ServerUnavailable,
    error_from_response,
    is_retryable,
    retry_after_seconds,
)
from desktop.engines.modellist import listed_models
from desktop.engines.net.netstream import ChunkedBody, LeanStream
from desktop.engines.net.sse import (
    RESTART,
    EventParser,
    SSEDecoder,
    StreamChunk,
    StreamRestart,
    whole_completion,
)
from desktop.engines.net.transport import lean_transport
from desktop.engines.net.watchdog import StreamWatchdog
from desktop.engines.remote.endpoint import ServerInfo, Timeouts, normalize_base_url
from desktop.engines.remote.requestbody import encode_json_body

# ``ServerInfo``, ``Timeouts``, ``normalize_base_url`` (endpoint) and ``encode_json_body``
# (requestbody) are re-exported: callers import them from here.
__all__ = [
    "DEFAULT_SAMPLING",
    "JSON_HEADERS",
    "KEEPALIVE",
    "YIELD_EVERY",
    "OpenAIClient",
    "ServerInfo",
    "Timeouts",
    "encode_json_body",
    "normalize_base_url",
]

logger = logging.getLogger(__name__)

DEFAULT_SAMPLING: dict[str, Any] = {"temperature": 0.1, "top_p": 0.9}
#: Longest stretch (s) a stream reads already-buffered chunks before letting the event loop
#: run other callbacks: a burst of hundreds of chunks must not freeze the window.
YIELD_EVERY = 0.004
JSON_HEADERS = {"Content-Type": "application/json"}
#: Seconds an idle pooled connection is kept (below uvicorn's 5 s keep-alive).
KEEPALIVE = 3.0


class OpenAIClient:
    """Talks to ``/health``, ``/v1/models`` and streaming ``/v1/chat/completions``."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        model: str | None = None,
        *,
        profile_sampling: dict[str, Any] | None = None,
        concurrency: int = 8,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.api_key = api_key or None
        self.requested_model = model or None
        self.sampling = {**DEFAULT_SAMPLING, **(profile_sampling or {})}
        self.concurrency = max(1, concurrency)
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.info: ServerInfo | None = None
        self.last_usage: dict[str, Any] | None = None
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        pool = self.concurrency + 4
        # Finished streams hand their connection back; drop it before a server's own
        # keep-alive (uvicorn, hence vLLM: 5 s) can close it under a new request.
        limits = httpx.Limits(
            max_connections=pool, max_keepalive_connections=pool, keepalive_expiry=KEEPALIVE
        )
        if transport is None and not urllib.request.getproxies():
            # Proxies from the environment are left to httpx's own transport.
            transport = lean_transport(limits)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(self.timeouts.request, connect=self.timeouts.connect),
            limits=limits,
            transport=transport,
        )
        self._ready_lock = asyncio.Lock()

    # -- discovery --------------------------------------------------------------------
    async def _get(self, path: str) -> httpx.Response:
        try:
            return await self._client.get(path)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ServerUnavailable(self.base_url, str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise ServerTimeout(Msg.of(Code.SERVER_TIMEOUT, url=self.base_url)) from exc
        except httpx.TransportError as exc:
            raise ServerUnavailable(self.base_url, str(exc)) from exc

    async def _get_retrying(self, path: str) -> httpx.Response:
        """GET that waits out a starting server's 5xx (bounded), but not a refused port."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        attempt = 0
        while True:
            attempt += 1
            resp = await self._get(path)
            if resp.status_code not in RETRY_STATUSES:
                return resp
            asked = retry_after_seconds(resp.headers.get("retry-after"))
            delay = max(self.retry.delay(attempt), asked or 0.0)
            if attempt >= self.retry.attempts or loop.time() - start + delay > self.retry.total:
                return resp
            logger.info("%s answered %s; retrying in %.2fs", path, resp.status_code, delay)
            await asyncio.sleep(delay)

    async def check_health(self) -> None:
        """Ready when ``/health`` is 200; gateways without it (404) fall back to ``/v1/models``."""
        resp = await self._get_retrying("/health")
        if resp.status_code == 200:
            return
        if resp.status_code in (404, 405):
            resp = await self._get_retrying("/v1/models")
        if resp.status_code != 200:
            raise error_from_response(
                resp.status_code, resp.text, self.base_url, key_given=bool(self.api_key)
            )

    async def discover(self) -> ServerInfo:
        """Served model name(s) and max_model_len from ``/v1/models``; ``model`` is validated."""
        resp = await self._get_retrying("/v1/models")
        if resp.status_code != 200:
            raise error_from_response(
                resp.status_code, resp.text, self.base_url, key_given=bool(self.api_key)
            )
        try:
            listed = listed_models(resp.json())
        except ValueError as exc:  # not JSON
            raise ServerError(Msg.of(Code.NOT_A_MODEL_LIST, url=self.base_url)) from exc
        if listed is None:
            raise ServerError(Msg.of(Code.NOT_A_MODEL_LIST, url=self.base_url))
        names = [m.name for m in listed]
        if not names:
            raise ServerError(Msg.of(Code.NO_MODELS_LISTED, url=self.base_url))
        model = self.requested_model or names[0]
        if model not in names:
            raise ModelNotServed(model, names)
        max_len = next(m.context for m in listed if m.name == model)  # model is in names
        self.info = ServerInfo(model, max_len, tuple(names))
        logger.info("server %s serves %s (max_model_len %s)", self.base_url, model, max_len)
        return self.info

    async def ensure_ready(self) -> None:
        async with self._ready_lock:
            if self.info is not None:
                return
            await self.check_health()
            await self.discover()

    async def _server_info(self) -> ServerInfo:
        if self.info is None:
            await self.ensure_ready()
        assert self.info is not None
        return self.info

    # -- streaming with retries -------------------------------------------------------
    def encode_body(self, body: dict[str, Any]) -> bytes:
        """Request body bytes; runs in a worker thread (a page image is megabytes of JSON)."""
        return encode_json_body(body)

    async def _stream_once(
        self, content: bytes, note: tuple[Msg, ...]
    ) -> AsyncGenerator[StreamChunk, None]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeouts.first_token
        request = self._client.build_request(
            "POST",
            "/v1/chat/completions",
            content=content,
            headers=JSON_HEADERS,
            timeout=httpx.Timeout(None, connect=self.timeouts.connect),
        )
        try:
            async with asyncio.timeout_at(deadline):
                resp = await self._client.send(request, stream=True)
        except TimeoutError as exc:
            raise ServerTimeout(
                Msg.of(Code.FIRST_TOKEN_TIMEOUT, seconds=self.timeouts.first_token)
            ) from exc
        # Hot path below (one pass per network read, each read often one token): the
        # body comes straight from our network buffer when it can (``ChunkedBody``), events
        # are split as bytes and merged into one chunk per read, and one watchdog timer per
        # stream replaces a timeout context per read.
        encoding = resp.headers.get("content-encoding", "identity").strip().lower()
        identity = encoding in ("", "identity")
        body: ChunkedBody | None = None
        raw: AsyncGenerator[bytes, None] | None = None
        network = resp.extensions.get("network_stream")
        if (
            resp.status_code == 200
            and identity
            and isinstance(network, LeanStream)
            and resp.headers.get("transfer-encoding", "").strip().lower() == "chunked"
            and not _is_json(resp)
        ):
            body = network.chunked_body()
        reader: Callable[[], Awaitable[bytes | None]]
        if body is not None:
            reader = body.read
        else:
            raw = cast(
                AsyncGenerator[bytes, None],
                resp.aiter_raw()  # no decoder chain when there is nothing to decode
                if identity and not resp.is_stream_consumed
                else resp.aiter_bytes(),
            )
            reader = raw.__anext__
        decoder = SSEDecoder()
        events = EventParser()
        watch = StreamWatchdog(loop, deadline, self.timeouts.idle)
        current_task = asyncio.current_task
        complete = False
        try:
            if resp.status_code != 200:
                text = (await resp.aread()).decode("utf-8", "replace")
                err = error_from_response(
                    resp.status_code, text, self.base_url, key_given=bool(self.api_key), note=note
                )
                if resp.status_code in RETRY_STATUSES:
                    asked = retry_after_seconds(resp.headers.get("retry-after"))
                    raise RetryableStatus(err, resp.status_code, asked)
                raise err
            if _is_json(resp):  # a whole answer, not streamed (some gateways do that)
                whole = await self._whole_answer(resp)
                if whole.usage:
                    self.last_usage = whole.usage
                yield whole
                return
            slice_start = loop.time()
            while not decoder.done:
                task = watch.task = current_task()
                watch.base = task.cancelling() if task is not None else 0
                watch.started = loop.time()
                watch.reading = True
                if watch.handle is None:  # the timer stood down while nothing was read
                    watch.handle = loop.call_soon(watch.check)
                try:
                    data = await reader()
                except StopAsyncIteration:
                    data = None
                except asyncio.CancelledError:
                    if watch.fired and watch.expired(task):
                        raise self._quiet(watch.writing) from TimeoutError()
                    raise
                finally:
                    watch.reading = False
                if watch.fired:  # fired as the read completed: take our cancel back
                    watch.expired(task)
                    raise self._quiet(watch.writing) from TimeoutError()
                if body is not None and body.waited:  # the loop ran while we waited
                    slice_start = loop.time()
                payloads = decoder.feed(data) if data is not None else decoder.flush()
                i = 0
                while i < len(payloads):
                    chunk, i = events.parse(payloads, i)
                    if chunk is None:
                        continue
                    if chunk.content and not watch.writing:
                        watch.start_writing()
                    if chunk.usage:
                        self.last_usage = chunk.usage
                    yield chunk
                if data is None:
                    break
                # Buffered reads complete without ever suspending: hand the loop over now
                # and then so timers and paints run between them.
                if loop.time() - slice_start >= YIELD_EVERY:
                    await asyncio.sleep(0)
                    slice_start = loop.time()
            complete = True
        finally:
            watch.close()
            if raw is not None:
                await raw.aclose()
            if complete and body is not None and body.drain():
                await self._release(resp)
            else:
                await resp.aclose()

    async def _whole_answer(self, resp: httpx.Response) -> StreamChunk:
        """A complete ``chat.completion`` object as one chunk (its message as the content)."""
        try:
            async with asyncio.timeout(self.timeouts.idle):
                data = await resp.aread()
        except TimeoutError as exc:
            raise self._quiet(True) from exc
        return whole_completion(data)

    @staticmethod
    async def _release(resp: httpx.Response) -> None:
        """Let httpx read the body's last bytes (already here): the connection is reused."""
        try:
            await resp.aread()
        except httpx.HTTPError:
            await resp.aclose()

    def _quiet(self, writing: bool) -> ServerTimeout:
        limit = self.timeouts.idle if writing else self.timeouts.first_token
        return ServerTimeout(Msg.of(Code.STREAM_QUIET, seconds=limit))

    async def stream_completion(
        self, body: dict[str, Any] | bytes, note: tuple[Msg, ...] = ()
    ) -> AsyncGenerator[StreamChunk | StreamRestart, None]:
        """Stream one completion, retrying transport failures and 5xx with backoff.

        ``body`` is the request dict or its encoded bytes; a dict is encoded once, in a
        worker thread, and the bytes are reused by every retry.
        After a break mid-answer ``RESTART`` is yielded and the answer starts over.
        Cancellation propagates at once (the sleep and the read are both cancellable).
        """
        content = (
            body if isinstance(body, bytes) else await asyncio.to_thread(self.encode_body, body)
        )
        loop = asyncio.get_running_loop()
        start = loop.time()
        attempt = 0
        while True:
            attempt += 1
            produced = False
            try:
                async with aclosing(self._stream_once(content, note)) as stream:
                    async for chunk in stream:
                        produced = True
                        yield chunk
                return
            except (httpx.TransportError, RetryableStatus) as exc:
                if not is_retryable(exc):
                    raise self._final_error(exc) from exc
                delay = self.retry.delay(attempt)
                if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
                    delay = max(delay, exc.retry_after)  # the server said when to come back
                if attempt >= self.retry.attempts or loop.time() - start + delay > self.retry.total:
                    raise self._final_error(exc) from exc
                logger.info("request failed (%s); retry %d in %.2fs", exc, attempt, delay)
            if produced:
                yield RESTART
            await asyncio.sleep(delay)

    def _final_error(self, exc: BaseException) -> EngineError:
        if isinstance(exc, RetryableStatus):
            return exc.error
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return ServerUnavailable(self.base_url, str(exc))
        return ServerError(Msg.of(Code.STREAM_BROKEN, url=self.base_url, kind=type(exc).__name__))

    def request_body(
        self, messages: list[dict[str, Any]], max_tokens: int, **extra: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.info.model if self.info else self.requested_model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": max_tokens,
            **self.sampling,
        }
        body.update(extra)
        return body

    async def aclose(self) -> None:
        await self._client.aclose()


def _is_json(resp: httpx.Response) -> bool:
    kind = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json"
