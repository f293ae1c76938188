"""The OpenAI-compatible server engine: vLLM (local or remote), gateways, llama.cpp, LM Studio.

Transport, discovery and retries live in ``client.OpenAIClient``; this module turns pages
into requests (context budget, prompts) and hands each streamed answer to ``answers``,
which turns it into blocks with the loop guard watching. Request bytes are made in
``requestbody``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from typing import Any

import httpx

from desktop.core.document import BBox
from desktop.core.errors import ContextTooSmall
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
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
from desktop.core.resize import MAX_PIXELS
from desktop.engines.base import (
    Capability,
    ChatMessage,
    EngineError,
    RecognizeEvent,
    RecognizeMode,
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
from desktop.engines.net.sse import StreamRestart
from desktop.engines.remote.answers import clip_box, read_layout_answer, read_text_answer
from desktop.engines.remote.client import OpenAIClient
from desktop.engines.remote.endpoint import ServerInfo, Timeouts, normalize_base_url
from desktop.engines.remote.limits import AnswerLimits
from desktop.engines.remote.loopguard import LoopGuardConfig
from desktop.engines.remote.requestbody import (
    ImageRef,
    PreparedRequest,
    data_url_bytes,
    encode_body_with_images,
    image_by_reference,
)

# Errors, server data and request pieces are re-exported: callers import them from here.
__all__ = [
    "AuthFailed",
    "ContextTooLong",
    "ImageRef",
    "ModelNotServed",
    "PreparedRequest",
    "ServerEngine",
    "ServerError",
    "ServerInfo",
    "ServerTimeout",
    "ServerUnavailable",
    "Timeouts",
    "data_url_bytes",
    "normalize_base_url",
]

logger = logging.getLogger(__name__)

#: Context assumed when a server (llama.cpp, Ollama) does not report max_model_len.
DEFAULT_CONTEXT = 32768
CHAT_MAX_TOKENS = 2048


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
        return build_messages(image_by_reference(encoded), prompt, placeholder=not self.is_qwen)

    def encode_body(self, body: dict[str, Any]) -> bytes:
        """JSON with each ``ImageRef`` token replaced by its data URL (worker thread)."""
        return encode_body_with_images(body)

    # -- recognize --------------------------------------------------------------------
    async def prepare(
        self, page: PageImage, pmode: PromptMode
    ) -> tuple[EncodedImage, int, tuple[Msg, ...]]:
        """Budget + encode (in a worker thread): the image, max_tokens and what was done."""
        max_pixels, max_tokens, note = await self._budget(page, pmode)
        encoded = await asyncio.to_thread(encode_page, page, max_pixels)
        return encoded, max_tokens, note

    async def _budget(self, page: PageImage, pmode: PromptMode) -> tuple[int, int, tuple[Msg, ...]]:
        """(max_pixels, max_tokens, what was done) for the page in the server's context."""
        info = await self._server_info()
        max_len = info.max_model_len or DEFAULT_CONTEXT
        if not self.fit_context:  # send the full page and the asked max_tokens as they are
            return MAX_PIXELS, self.max_tokens or DEFAULT_MAX_TOKENS, ()
        try:
            decision = plan_budget(
                page.width,
                page.height,
                max_model_len=max_len,
                mode=pmode,
                max_tokens=self.max_tokens,
            )
        except ContextTooSmall as exc:
            raise ContextTooLong(exc.msg, fix=exc.fix_msg) from exc
        return decision.max_pixels, decision.max_tokens, decision.notes if decision.reduced else ()

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
        return PreparedRequest(page, mode, encoded, content, note, max_tokens)

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
            raise EngineError(Msg(Code.REGION_NEEDED))
        pmode = prompt_mode_for(mode)
        if prepared is not None and prepared.fits(page, mode, region):
            encoded, content, note = prepared.encoded, prepared.content, prepared.note
            max_tokens = prepared.max_tokens
        else:
            max_pixels, max_tokens, note = await self._budget(page, pmode)
            encoded, _, content = await asyncio.to_thread(
                self._request_bytes, page, pmode, region, max_pixels, max_tokens
            )
        limits = (
            AnswerLimits.for_tokens(max_tokens, self.timeouts.first_token) if max_tokens else None
        )
        if mode in (RecognizeMode.LAYOUT, RecognizeMode.LAYOUT_ONLY) and not self.is_qwen:
            gen = read_layout_answer(self, page, mode, encoded, content, note=note, limits=limits)
        else:
            gen = read_text_answer(
                self, page, mode, encoded, content, note=note, region=region, limits=limits
            )
        async with aclosing(gen) as events:
            async for event in events:
                yield event

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
            box = clip_box(region, image.width, image.height)
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
