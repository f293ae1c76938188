"""The OpenAI-compatible server engine: vLLM (local or remote), gateways, llama.cpp, LM Studio.

Transport, discovery and retries live in ``client.OpenAIClient``; this module turns pages
into requests (context budget, prompts) and streamed answers into blocks, with the loop
guard watching every stream.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, cast

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
from desktop.core.resize import MAX_PIXELS, BoxMapping
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
from desktop.engines.client import (
    OpenAIClient,
    ServerInfo,
    Timeouts,
    encode_json_body,
    normalize_base_url,
)
from desktop.engines.errors import (
    AuthFailed,
    ContextTooLong,
    ModelNotServed,
    RetryPolicy,
    ServerError,
    ServerTimeout,
    ServerUnavailable,
)
from desktop.engines.loopguard import LoopDetected, LoopGuard, LoopGuardConfig, strip_loop
from desktop.engines.recovery import recover_page
from desktop.engines.sse import StreamRestart

__all__ = [
    "AuthFailed",
    "ContextTooLong",
    "ModelNotServed",
    "ServerEngine",
    "ServerError",
    "ServerInfo",
    "ServerTimeout",
    "ServerUnavailable",
    "Timeouts",
    "normalize_base_url",
]

logger = logging.getLogger(__name__)

#: Context assumed when a server (llama.cpp, Ollama) does not report max_model_len.
DEFAULT_CONTEXT = 32768
CHAT_MAX_TOKENS = 2048
#: Bytes base64-encoded per call (a multiple of 3): short C calls let the GUI thread in.
B64_CHUNK = 3 * 64 * 1024


class ImageRef(str):
    """A page image's data URL in a request dict, as a short token until the body is encoded.

    The JSON encoder then never scans megabytes of base64, and the encoding happens in
    a worker thread, in chunks, when the body is turned into bytes (``encode_body``).
    """

    encoded: EncodedImage

    def __new__(cls, encoded: EncodedImage) -> ImageRef:
        ref = super().__new__(cls, f"dots-image-{uuid.uuid4().hex}")
        ref.encoded = encoded
        return ref


class _UrlOnly:
    """What ``build_messages`` reads from an image: its URL (here the token)."""

    def __init__(self, url: str) -> None:
        self.data_url = url


def data_url_bytes(encoded: EncodedImage) -> bytes:
    """``data:<mime>;base64,...`` as bytes, encoded piecewise."""
    data = memoryview(encoded.data)
    parts = [f"data:{encoded.mime};base64,".encode()]
    parts += [base64.b64encode(data[i : i + B64_CHUNK]) for i in range(0, len(data), B64_CHUNK)]
    return b"".join(parts)


def _image_refs(value: Any) -> Iterator[ImageRef]:
    if isinstance(value, ImageRef):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _image_refs(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _image_refs(item)


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """A page's request bytes made before its turn (``ServerEngine.prepare_request``)."""

    page: PageImage
    mode: RecognizeMode
    encoded: EncodedImage
    content: bytes
    note: str

    def fits(self, page: PageImage, mode: RecognizeMode, region: BBox | None) -> bool:
        return self.page is page and self.mode is mode and region is None


class ServerEngine(OpenAIClient):
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
        super().__init__(
            base_url,
            api_key,
            model,
            profile_sampling=profile_sampling,
            concurrency=concurrency,
            timeouts=timeouts,
            retry=retry,
            transport=transport,
        )
        self.max_tokens = max_tokens
        self.loop_guard = loop_guard or LoopGuardConfig()
        self.fit_context = fit_context

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

    def prompt(self, mode: PromptMode, bbox: BBox | None, encoded: EncodedImage) -> str:
        if self.is_qwen:
            grid = (
                to_qwen_grid(bbox, encoded.mapping.orig_w, encoded.mapping.orig_h) if bbox else None
            )
            return qwen_prompt(mode, grid)
        model_box = encoded.mapping.to_model(bbox) if bbox else None
        return dots_prompt(mode, model_box)

    def messages(self, encoded: EncodedImage, prompt: str) -> list[dict[str, Any]]:
        """The request messages; the image travels as an ``ImageRef`` until encoding."""
        url = cast(EncodedImage, _UrlOnly(ImageRef(encoded)))
        return build_messages(url, prompt, placeholder=not self.is_qwen)

    def encode_body(self, body: dict[str, Any]) -> bytes:
        """JSON with each ``ImageRef`` token replaced by its data URL (worker thread)."""
        raw = encode_json_body(body)
        parts: list[bytes] = []
        for ref in _image_refs(body.get("messages")):
            head, found, raw = raw.partition(ref.encode())
            parts.append(head)
            if found:
                parts.append(data_url_bytes(ref.encoded))
        parts.append(raw)
        return b"".join(parts)

    # -- recognize --------------------------------------------------------------------
    async def prepare(self, page: PageImage, pmode: PromptMode) -> tuple[EncodedImage, int, str]:
        """Budget + encode (in a worker thread): the image, max_tokens and what was done."""
        max_pixels, max_tokens, note = await self._budget(page, pmode)
        encoded = await asyncio.to_thread(encode_page, page, max_pixels)
        return encoded, max_tokens, note

    async def _budget(self, page: PageImage, pmode: PromptMode) -> tuple[int, int, str]:
        """(max_pixels, max_tokens, what was done) for the page in the server's context."""
        info = await self._server_info()
        max_len = info.max_model_len or DEFAULT_CONTEXT
        if not self.fit_context:  # send the full page and the asked max_tokens as they are
            return MAX_PIXELS, self.max_tokens or DEFAULT_MAX_TOKENS, ""
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
        return decision.max_pixels, decision.max_tokens, decision.note if decision.reduced else ""

    def _request_bytes(
        self,
        page: PageImage,
        pmode: PromptMode,
        region: BBox | None,
        max_pixels: int,
        max_tokens: int,
    ) -> tuple[EncodedImage, dict[str, Any], bytes]:
        """Image, request and its bytes, all in one worker-thread call (one hop per page)."""
        encoded = encode_page(page, max_pixels)
        messages = self.messages(encoded, self.prompt(pmode, region, encoded))
        body = self.request_body(messages, max_tokens)
        return encoded, body, self.encode_body(body)

    async def prepare_request(
        self, page: PageImage, mode: RecognizeMode = RecognizeMode.LAYOUT
    ) -> PreparedRequest | None:
        """The page's request, encoded ahead of its turn (a batch does this while it waits).

        None when that cannot be done quietly: before the server is known (no network
        here) or when anything fails; ``recognize`` then does it all and reports errors.
        """
        mode = RecognizeMode(mode)
        if self.info is None or mode is RecognizeMode.GROUNDING:
            return None
        pmode = prompt_mode_for(mode)
        try:
            max_pixels, max_tokens, note = await self._budget(page, pmode)
            encoded, _, content = await asyncio.to_thread(
                self._request_bytes, page, pmode, None, max_pixels, max_tokens
            )
        except Exception:  # recognize() meets it again and says it properly
            return None
        return PreparedRequest(page, mode, encoded, content, note)

    async def recognize(
        self,
        page: PageImage,
        mode: RecognizeMode = RecognizeMode.LAYOUT,
        region: BBox | None = None,
        *,
        prepared: PreparedRequest | None = None,
    ) -> AsyncIterator[RecognizeEvent]:
        mode = RecognizeMode(mode)
        if mode is RecognizeMode.GROUNDING and region is None:
            raise EngineError("Reading a region needs a region: draw a box on the page first.")
        pmode = prompt_mode_for(mode)
        if prepared is not None and prepared.fits(page, mode, region):
            encoded, content, note = prepared.encoded, prepared.content, prepared.note
        else:
            max_pixels, max_tokens, note = await self._budget(page, pmode)
            encoded, _, content = await asyncio.to_thread(
                self._request_bytes, page, pmode, region, max_pixels, max_tokens
            )
        if mode in (RecognizeMode.LAYOUT, RecognizeMode.LAYOUT_ONLY) and not self.is_qwen:
            gen = self._recognize_layout(page, mode, encoded, content, note)
        else:
            gen = self._recognize_text(page, mode, encoded, content, note=note, region=region)
        async with aclosing(gen) as events:
            async for event in events:
                yield event

    async def _recognize_layout(
        self,
        page: PageImage,
        mode: RecognizeMode,
        encoded: EncodedImage,
        body: bytes,
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
                    if isinstance(item, StreamRestart):
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
            logger.info("page %d: loop cut after %d chars: %s", page.index, loop.chars, loop)
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
        body: bytes,
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
                if isinstance(item, StreamRestart):
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
                        {"type": "image_url", "image_url": {"url": ImageRef(encoded)}},
                        {"type": "text", "text": text},
                    ],
                }
            )
        body = self.request_body(payload, CHAT_MAX_TOKENS)
        async with aclosing(self.stream_completion(body)) as stream:
            async for item in stream:
                if isinstance(item, StreamRestart):
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


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _clip(box: BBox, width: int, height: int) -> BBox:
    x1, y1, x2, y2 = box
    x1, x2 = sorted((min(max(int(x1), 0), width), min(max(int(x2), 0), width)))
    y1, y2 = sorted((min(max(int(y1), 0), height), min(max(int(y2), 0), height)))
    return (x1, y1, max(x2, x1 + 1), max(y2, y1 + 1))
