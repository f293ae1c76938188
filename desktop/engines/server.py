"""The OpenAI-compatible server engine: vLLM (local or remote), gateways, llama.cpp, LM Studio.

One shared ``httpx.AsyncClient`` pool; the served model and its context length come from
``/v1/models``; answers stream over SSE and blocks are handed on the moment they close.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

import httpx

from desktop.core.document import BBox, Page, PageStatus
from desktop.core.errors import ContextTooSmall
from desktop.core.pageimage import PageImage
from desktop.core.parse import IncrementalLayoutParser, parse_layout
from desktop.core.prompts import (
    IMAGE_PLACEHOLDER,
    PromptMode,
    dots_prompt,
    prompt_mode_for,
    qwen_prompt,
    to_qwen_grid,
)
from desktop.core.request import (
    DEFAULT_MAX_TOKENS,
    EncodedImage,
    build_messages,
    encode_page,
    plan_budget,
)
from desktop.core.resize import BoxMapping
from desktop.engines.base import (
    BlockFound,
    Capability,
    ChatMessage,
    EngineError,
    PageDone,
    RecognizeEvent,
    RecognizeMode,
    TextDelta,
)
from desktop.engines.errors import (
    RETRY_STATUSES,
    ContextTooLong,
    ModelNotServed,
    RetryableStatus,
    RetryPolicy,
    ServerError,
    ServerTimeout,
    ServerUnavailable,
    error_from_response,
    is_retryable,
)
from desktop.engines.loopguard import LoopDetected, LoopGuard, LoopGuardConfig, strip_loop
from desktop.engines.recovery import recover_page
from desktop.engines.sse import RESTART, StreamChunk, StreamRestart, iter_chunks

logger = logging.getLogger(__name__)

#: Context assumed when a server (llama.cpp, Ollama) does not report max_model_len.
DEFAULT_CONTEXT = 32768
DEFAULT_SAMPLING: dict[str, Any] = {"temperature": 0.1, "top_p": 0.9}
CHAT_MAX_TOKENS = 2048


@dataclass(frozen=True, slots=True)
class Timeouts:
    """No total timeout: a 3B model may write for minutes, but never goes quiet for long."""

    connect: float = 5.0
    first_token: float = 120.0  # queueing + prefill of a large page
    idle: float = 60.0  # between two chunks once it writes
    request: float = 30.0  # plain GETs (/health, /v1/models)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What ``/v1/models`` says: the model used, its context length, every served name."""

    model: str
    max_model_len: int | None
    models: tuple[str, ...] = field(default_factory=tuple)


_Restart = StreamRestart


def normalize_base_url(url: str) -> str:
    """``http://h:8000``, ``http://h:8000/`` and ``http://h:8000/v1`` all give ``http://h:8000``."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "http://" + url
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    return url


class ServerEngine:
    """Engine over an OpenAI-compatible ``/v1/chat/completions`` with streaming."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        model: str | None = None,
        *,
        profile_sampling: dict[str, Any] | None = None,
        concurrency: int = 8,
        max_tokens: int | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        loop_guard: LoopGuardConfig | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        fit_context: bool = True,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.api_key = api_key or None
        self.requested_model = model or None
        self.sampling = {**DEFAULT_SAMPLING, **(profile_sampling or {})}
        self.concurrency = max(1, concurrency)
        self.max_tokens = max_tokens
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.loop_guard = loop_guard or LoopGuardConfig()
        self.fit_context = fit_context
        self.info: ServerInfo | None = None
        self.last_usage: dict[str, Any] | None = None
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        pool = self.concurrency + 4
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(self.timeouts.request, connect=self.timeouts.connect),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            transport=transport,
        )
        self._ready_lock = asyncio.Lock()

    # -- identity ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        host = self.base_url.split("://", 1)[-1]
        model = self.info.model if self.info else (self.requested_model or "server")
        return f"{model} @ {host}"

    @property
    def is_qwen(self) -> bool:
        model = self.info.model if self.info else (self.requested_model or "")
        return "qwen" in model.lower()

    @property
    def capabilities(self) -> Capability:
        return (
            Capability.LAYOUT
            | Capability.TEXT
            | Capability.GROUNDING
            | Capability.CHAT
            | Capability.BOXES
        )

    # -- discovery --------------------------------------------------------------------
    async def _get(self, path: str) -> httpx.Response:
        try:
            return await self._client.get(path)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ServerUnavailable(self.base_url, str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise ServerTimeout(
                f"The OCR server at {self.base_url} did not answer in time."
            ) from exc
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
            delay = self.retry.delay(attempt)
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
            entries = [e for e in resp.json().get("data", []) if isinstance(e, dict)]
        except (ValueError, AttributeError) as exc:
            raise ServerError(
                f"{self.base_url} answered /v1/models with something that is not a model list."
            ) from exc
        names = [str(e.get("id")) for e in entries if e.get("id")]
        if not names:
            raise ServerError(f"The server at {self.base_url} lists no models yet.")
        model = self.requested_model or names[0]
        if model not in names:
            raise ModelNotServed(model, names)
        entry = next(e for e in entries if e.get("id") == model)
        raw_len = entry.get("max_model_len")
        max_len = int(raw_len) if isinstance(raw_len, int | float) and raw_len > 0 else None
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
    async def _stream_once(
        self, body: dict[str, Any], note: str
    ) -> AsyncGenerator[StreamChunk, None]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeouts.first_token
        request = self._client.build_request(
            "POST",
            "/v1/chat/completions",
            json=body,
            timeout=httpx.Timeout(None, connect=self.timeouts.connect),
        )
        try:
            async with asyncio.timeout_at(deadline):
                resp = await self._client.send(request, stream=True)
        except TimeoutError as exc:
            raise ServerTimeout(
                f"The OCR server did not start answering within {self.timeouts.first_token:.0f} s."
            ) from exc
        chunks = iter_chunks(resp.aiter_lines())
        try:
            if resp.status_code != 200:
                text = (await resp.aread()).decode("utf-8", "replace")
                err = error_from_response(
                    resp.status_code, text, self.base_url, key_given=bool(self.api_key), note=note
                )
                if resp.status_code in RETRY_STATUSES:
                    raise RetryableStatus(err, resp.status_code)
                raise err
            writing = False
            while True:
                try:
                    if writing:
                        async with asyncio.timeout(self.timeouts.idle):
                            chunk = await anext(chunks)
                    else:
                        async with asyncio.timeout_at(deadline):
                            chunk = await anext(chunks)
                except StopAsyncIteration:
                    return
                except TimeoutError as exc:
                    limit = self.timeouts.idle if writing else self.timeouts.first_token
                    raise ServerTimeout(
                        f"The OCR server went quiet for {limit:.0f} s while reading a page."
                    ) from exc
                if chunk.content:
                    writing = True
                if chunk.usage:
                    self.last_usage = chunk.usage
                yield chunk
        finally:
            await chunks.aclose()
            await resp.aclose()

    async def stream_completion(
        self, body: dict[str, Any], note: str = ""
    ) -> AsyncGenerator[StreamChunk | _Restart, None]:
        """Stream one completion, retrying transport failures and 5xx with backoff.

        After a break mid-answer ``RESTART`` is yielded and the answer starts over.
        Cancellation propagates at once (the sleep and the read are both cancellable).
        """
        loop = asyncio.get_running_loop()
        start = loop.time()
        attempt = 0
        while True:
            attempt += 1
            produced = False
            try:
                async with aclosing(self._stream_once(body, note)) as stream:
                    async for chunk in stream:
                        produced = True
                        yield chunk
                return
            except (httpx.TransportError, RetryableStatus) as exc:
                if not is_retryable(exc):
                    raise self._final_error(exc) from exc
                delay = self.retry.delay(attempt)
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
        return ServerError(
            f"The connection to the OCR server at {self.base_url} broke while reading"
            f" ({type(exc).__name__}); it may have crashed or restarted."
        )

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

    def prompt(self, mode: PromptMode, bbox: BBox | None, encoded: EncodedImage) -> str:
        if self.is_qwen:
            grid = (
                to_qwen_grid(bbox, encoded.mapping.orig_w, encoded.mapping.orig_h) if bbox else None
            )
            return qwen_prompt(mode, grid)
        model_box = encoded.mapping.to_model(bbox) if bbox else None
        return dots_prompt(mode, model_box)

    def messages(self, encoded: EncodedImage, prompt: str) -> list[dict[str, Any]]:
        return build_messages(encoded, prompt, placeholder=not self.is_qwen)

    # -- recognize --------------------------------------------------------------------
    async def prepare(self, page: PageImage, pmode: PromptMode) -> tuple[EncodedImage, int, str]:
        """Budget + encode (in a worker thread): the image, max_tokens and what was done."""
        info = await self._server_info()
        max_len = info.max_model_len or DEFAULT_CONTEXT
        if not self.fit_context:  # send the full page and the asked max_tokens as they are
            encoded = await asyncio.to_thread(encode_page, page)
            return encoded, self.max_tokens or DEFAULT_MAX_TOKENS, ""
        try:
            decision = plan_budget(
                page.width,
                page.height,
                max_model_len=max_len,
                mode=pmode,
                max_tokens=self.max_tokens,
            )
        except ContextTooSmall as exc:
            raise ContextTooLong(exc.message, fix=exc.fix) from exc
        encoded = await asyncio.to_thread(encode_page, page, decision.max_pixels)
        return encoded, decision.max_tokens, decision.note if decision.reduced else ""

    async def recognize(
        self,
        page: PageImage,
        mode: RecognizeMode = RecognizeMode.LAYOUT,
        region: BBox | None = None,
    ) -> AsyncIterator[RecognizeEvent]:
        mode = RecognizeMode(mode)
        if mode is RecognizeMode.GROUNDING and region is None:
            raise EngineError("Reading a region needs a region: draw a box on the page first.")
        pmode = prompt_mode_for(mode)
        encoded, max_tokens, note = await self.prepare(page, pmode)
        messages = self.messages(encoded, self.prompt(pmode, region, encoded))
        body = self.request_body(messages, max_tokens)
        if mode in (RecognizeMode.LAYOUT, RecognizeMode.LAYOUT_ONLY) and not self.is_qwen:
            gen = self._recognize_layout(page, mode, encoded, body, note)
        else:
            gen = self._recognize_text(page, mode, encoded, body, note=note, region=region)
        async with aclosing(gen) as events:
            async for event in events:
                yield event

    async def _recognize_layout(
        self,
        page: PageImage,
        mode: RecognizeMode,
        encoded: EncodedImage,
        body: dict[str, Any],
        note: str,
    ) -> AsyncGenerator[RecognizeEvent, None]:
        parser = IncrementalLayoutParser(encoded.mapping)
        guard = LoopGuard(self.loop_guard)
        delivered = count = 0
        finish: str | None = None
        loop: LoopDetected | None = None
        try:
            async with aclosing(self.stream_completion(body, note)) as stream:
                async for item in stream:
                    if isinstance(item, _Restart):
                        parser = IncrementalLayoutParser(encoded.mapping)
                        guard = LoopGuard(self.loop_guard)
                        count = 0
                        continue
                    finish = item.finish_reason or finish
                    if not item.content:
                        continue
                    for block in parser.feed(item.content):
                        count += 1
                        if count > delivered:  # after a restart, blocks already shown are skipped
                            delivered = count
                            yield BlockFound(page.index, block)
                        if guard.feed_block(block):
                            raise LoopDetected(guard.reason or "", guard.chars_seen)
                    if guard.feed(item.content):
                        raise LoopDetected(guard.reason or "", guard.chars_seen)
        except LoopDetected as exc:
            loop = exc
        if loop is not None:
            partial = parser.finish("length")
            logger.warning("page %d: loop cut after %d chars: %s", page.index, loop.chars, loop)
            if mode is RecognizeMode.LAYOUT:
                recovered = await recover_page(
                    self, page, encoded, partial=partial.blocks, loop=loop, note=note
                )
                yield PageDone(recovered)
                return
            yield PageDone(
                self._page(
                    page,
                    encoded,
                    partial.blocks,
                    PageStatus.PARTIAL,
                    _join(f"A repetition loop was cut ({loop.reason}).", note),
                )
            )
            return
        result = parser.finish(finish or "stop")
        yield PageDone(
            self._page(page, encoded, result.blocks, result.status, _join(result.reason, note))
        )

    async def _recognize_text(
        self,
        page: PageImage,
        mode: RecognizeMode,
        encoded: EncodedImage,
        body: dict[str, Any],
        *,
        note: str,
        region: BBox | None,
    ) -> AsyncGenerator[RecognizeEvent, None]:
        parts: list[str] = []
        guard = LoopGuard(self.loop_guard)
        finish: str | None = None
        reason = ""
        async with aclosing(self.stream_completion(body, note)) as stream:
            async for item in stream:
                if isinstance(item, _Restart):
                    parts.clear()
                    guard = LoopGuard(self.loop_guard)
                    continue
                finish = item.finish_reason or finish
                if item.content:
                    parts.append(item.content)
                    yield TextDelta(page.index, item.content)
                    if guard.feed(item.content):
                        reason = f"A repetition loop was cut ({guard.reason})."
                        break
        text = strip_loop("".join(parts), guard.unit) if reason else "".join(parts)
        status = PageStatus.OK
        if reason:
            status = PageStatus.PARTIAL
        elif finish == "length":
            status = PageStatus.PARTIAL
            reason = "The answer was cut at the token limit."
        blocks: tuple[Any, ...] = ()
        if self.is_qwen and mode in (RecognizeMode.LAYOUT, RecognizeMode.LAYOUT_ONLY):
            grid = BoxMapping(page.width, page.height, 1000, 1000)
            parsed = parse_layout(text.replace('"bbox_2d"', '"bbox"'), grid, finish_reason=finish)
            if parsed.blocks:
                blocks, text = parsed.blocks, ""
        if mode is RecognizeMode.GROUNDING and region is not None:
            from desktop.core.document import Block

            category = "Table" if text.lstrip().lower().startswith("<table") else "Text"
            box = _clip(region, page.width, page.height)
            blocks, text = (Block(category, box, text.strip(), 0),), ""
        yield PageDone(
            Page(
                index=page.index,
                width=page.width,
                height=page.height,
                blocks=blocks,
                status=status,
                reason=_join(reason, note),
                model_width=encoded.model_width,
                model_height=encoded.model_height,
                text=text,
            )
        )

    @staticmethod
    def _page(
        page: PageImage,
        encoded: EncodedImage,
        blocks: Sequence[Any],
        status: PageStatus,
        reason: str,
    ) -> Page:
        return Page(
            index=page.index,
            width=page.width,
            height=page.height,
            blocks=tuple(blocks),
            status=status,
            reason=reason,
            model_width=encoded.model_width,
            model_height=encoded.model_height,
        )

    # -- chat -------------------------------------------------------------------------
    async def chat(self, messages: Sequence[ChatMessage]) -> AsyncIterator[str]:
        info = await self._server_info()
        payload: list[dict[str, Any]] = []
        for msg in messages:
            if msg.image is None:
                payload.append({"role": msg.role, "content": msg.text})
                continue
            encoded = await self._encode_for_chat(msg.image, msg.region, info)
            text = msg.text if self.is_qwen else IMAGE_PLACEHOLDER + msg.text
            payload.append(
                {
                    "role": msg.role,
                    "content": [
                        {"type": "image_url", "image_url": {"url": encoded.data_url}},
                        {"type": "text", "text": text},
                    ],
                }
            )
        body = self.request_body(payload, CHAT_MAX_TOKENS)
        async with aclosing(self.stream_completion(body)) as stream:
            async for item in stream:
                if isinstance(item, _Restart):
                    yield "\n"
                    continue
                if item.content:
                    yield item.content

    async def _encode_for_chat(
        self, image: PageImage, region: BBox | None, info: ServerInfo
    ) -> EncodedImage:
        if region is not None:
            box = _clip(region, image.width, image.height)
            crop = await asyncio.to_thread(image.image.crop, box)
            image = PageImage(source=image.source, index=image.index, image=crop)
        decision = plan_budget(
            image.width,
            image.height,
            max_model_len=info.max_model_len or DEFAULT_CONTEXT,
            mode=PromptMode.OCR,
            max_tokens=CHAT_MAX_TOKENS,
        )
        return await asyncio.to_thread(encode_page, image, decision.max_pixels)

    async def aclose(self) -> None:
        await self._client.aclose()


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _clip(box: BBox, width: int, height: int) -> BBox:
    x1, y1, x2, y2 = box
    x1, x2 = sorted((min(max(int(x1), 0), width), min(max(int(x2), 0), width)))
    y1, y2 = sorted((min(max(int(y1), 0), height), min(max(int(y2), 0), height)))
    return (x1, y1, max(x2, x1 + 1), max(y2, y1 + 1))
