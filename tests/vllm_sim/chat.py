"""Chat completion requests in (validation, token counts) and response bodies out."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from .config import SimConfig
from .imaging import (
    MAX_PIXELS,
    MIN_PIXELS,
    TEMPLATE_TOKENS,
    ImageError,
    SimImage,
    decode_data_url,
    load_image,
    text_tokens,
)


class RequestError(Exception):
    """A chat request vLLM would refuse with a 4xx error body."""

    def __init__(self, status: int, message: str, kind: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.param = param


@dataclass(frozen=True, slots=True)
class ChatRequest:
    body: dict[str, object]
    prompt: str  # the last text part: what decides the kind of answer
    images: tuple[SimImage, ...]
    prompt_tokens: int
    max_tokens: int


def parse_chat_request(
    raw: bytes, config: SimConfig, record: Callable[[dict[str, object]], None] | None = None
) -> ChatRequest:
    """Validate a request body like vLLM does; raise RequestError with vLLM's wording."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestError(400, f"Invalid JSON body: {exc}", "BadRequestError") from exc
    if not isinstance(body, dict):
        raise RequestError(400, "The request body must be a JSON object.", "BadRequestError")
    if record is not None:
        record(body)
    model = body.get("model")
    if model is not None and model not in config.served_names:
        raise RequestError(404, f"The model `{model}` does not exist.", "NotFoundError", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError(
            400, "Field 'messages' must be a non-empty list.", "BadRequestError", "messages"
        )
    texts, images = _read_messages(messages, config)
    prompt_tokens = (
        sum(image.tokens for image in images) + sum(text_tokens(t) for t in texts) + TEMPLATE_TOKENS
    )
    limit = config.max_model_len
    requested = body.get("max_completion_tokens")
    if requested is None:
        requested = body.get("max_tokens")
    if requested is not None and (
        isinstance(requested, bool) or not isinstance(requested, int) or requested < 1
    ):
        raise RequestError(
            400, f"max_tokens must be at least 1, got {requested}.", "BadRequestError", "max_tokens"
        )
    if prompt_tokens > limit:
        raise RequestError(
            400,
            decoder_prompt_message(prompt_tokens, limit),
            "BadRequestError",
        )
    if requested is not None and prompt_tokens + requested > limit:
        raise RequestError(
            400,
            f"This model's maximum context length is {limit} tokens. However, you requested "
            f"{prompt_tokens + requested} tokens ({prompt_tokens} in the messages, {requested} "
            "in the completion). Please reduce the length of the messages or completion.",
            "BadRequestError",
            "input_tokens, max_tokens" if config.error_style == "new" else None,
        )
    max_tokens = requested if requested is not None else limit - prompt_tokens
    prompt = texts[-1] if texts else ""
    return ChatRequest(body, prompt, tuple(images), prompt_tokens, max_tokens)


def decoder_prompt_message(length: int, limit: int) -> str:
    """vLLM's text for a multimodal prompt longer than max_model_len (VLLM.md)."""
    return (
        f"The decoder prompt (length {length}) is longer than the maximum model "
        f"length of {limit}. Make sure that `max_model_len` is no smaller than the number "
        "of text tokens plus multimodal tokens. For image inputs, the number of image "
        "tokens depends on the number of images, and possibly their aspect ratios as well."
    )


def _read_messages(messages: list[object], config: SimConfig) -> tuple[list[str], list[SimImage]]:
    texts: list[str] = []
    images: list[SimImage] = []
    kwargs = config.processor_kwargs()
    min_pixels = int(kwargs.get("min_pixels", MIN_PIXELS))
    max_pixels = int(kwargs.get("max_pixels", MAX_PIXELS))
    for message in messages:
        if not isinstance(message, dict):
            raise RequestError(
                400, "Each message must be an object.", "BadRequestError", "messages"
            )
        content = message.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        if not isinstance(parts, list):
            raise RequestError(
                400, "Message content must be a string or a list.", "BadRequestError"
            )
        for part in parts:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "text":
                texts.append(str(part.get("text", "")))
            elif part.get("type") == "image_url":
                url = part.get("image_url")
                url = url.get("url", "") if isinstance(url, dict) else url
                try:
                    images.append(load_image(decode_data_url(str(url)), min_pixels, max_pixels))
                except ImageError as exc:
                    raise RequestError(400, str(exc), "BadRequestError") from exc
    allowed = config.mm_limits().get("image")
    if allowed is not None and len(images) > int(allowed):
        raise RequestError(
            400, f"At most {allowed} image(s) may be provided in one prompt.", "BadRequestError"
        )
    return texts, images


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "completion_tokens": completion_tokens,
    }


def completion_payload(
    prompt_tokens: int, model: str, text: str, finish: str, count: int
) -> dict[str, object]:
    """A non-streaming chat.completion body in vLLM's field layout."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": text,
                    "refusal": None,
                    "annotations": None,
                    "audio": None,
                    "function_call": None,
                    "tool_calls": [],
                    "reasoning_content": None,
                },
                "logprobs": None,
                "finish_reason": finish,
                "stop_reason": None,
            }
        ],
        "service_tier": None,
        "system_fingerprint": None,
        "usage": usage(prompt_tokens, count),
        "prompt_logprobs": None,
        "kv_transfer_params": None,
    }
