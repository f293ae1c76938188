"""Request building: what image to send, how many tokens to ask for, and the chat message."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

from PIL import Image

from desktop.core.errors import ContextTooSmall
from desktop.core.messages import Code, Msg, render
from desktop.core.pageimage import PageImage
from desktop.core.pngfast import (
    encode_pixels,
    encode_png,
    grey_channel,
    is_grayscale,
    pixels_of,
)
from desktop.core.prompts import IMAGE_PLACEHOLDER, PromptMode, dots_prompt, prompt_mode_for
from desktop.core.resize import FACTOR, MAX_PIXELS, MIN_PIXELS, BoxMapping, smart_resize

#: zlib level for client-side resized pages: lossless either way; level 1 with the Up
#: filter was the fastest of the options measured (benchmarks/bench_core.py) at a size
#: smaller than Pillow's default PNG.
PNG_COMPRESS_LEVEL = 1
#: Upstream asks for 16384-32768 answer tokens; a dense page needs well under 16384.
DEFAULT_MAX_TOKENS = 16384
#: Below this many answer tokens a full page cannot be transcribed.
_MIN_ANSWER = {
    PromptMode.LAYOUT_ALL: 4096,
    PromptMode.OCR: 4096,
    PromptMode.LAYOUT_ONLY: 1024,
    PromptMode.GROUNDING: 1024,
}
#: The smallest image worth sending (~ 600x600 pixels).
_MIN_IMAGE_TOKENS = 460
#: Chat template, role markers and image start/end tokens around the prompt.
_TEMPLATE_TOKENS = 32

#: Send a page at full size for the server to resize only if the model keeps at least
#: this share of its pixels; otherwise resizing first makes encoding much cheaper.
_SERVER_RESIZE_MIN_SHARE = 0.8

_MIMES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def image_tokens(model_width: int, model_height: int) -> int:
    """Visual tokens for an image of this (already resized) size: one per 28x28 pixels."""
    return (model_width // FACTOR) * (model_height // FACTOR)


def text_tokens(prompt: str) -> int:
    """A generous estimate of the prompt's text tokens (Qwen2 BPE: ~3.5+ characters/token)."""
    return math.ceil(len(prompt) / 3.0) + _TEMPLATE_TOKENS


def with_fit_notes(reason: tuple[Msg, ...], notes: tuple[Msg, ...]) -> tuple[Msg, ...]:
    """A page's facts: why it is as it is, then what was done to fit it (if anything)."""
    return (*reason, Msg.of(Code.FIT_NOTES, notes=notes)) if notes else reason


@dataclass(frozen=True, slots=True)
class BudgetDecision:
    """How a page fits the server's context; ``notes`` say what was changed to fit it."""

    max_pixels: int
    max_tokens: int
    model_width: int
    model_height: int
    image_tokens: int
    prompt_tokens: int
    reduced: bool
    notes: tuple[Msg, ...]

    @property
    def note(self) -> str:
        """``notes`` in English, "; "-separated ("" if unchanged)."""
        return "; ".join(render(n) for n in self.notes)


def plan_budget(
    width: int,
    height: int,
    *,
    max_model_len: int,
    mode: PromptMode | str,
    max_tokens: int | None = None,
) -> BudgetDecision:
    """Choose image size and max_tokens together so prompt + answer <= max_model_len."""
    pmode = prompt_mode_for(mode)
    text = text_tokens(dots_prompt(pmode, (0, 0, 9999, 9999)))
    min_answer = min(_MIN_ANSWER[pmode], max_model_len // 2)
    model_h, model_w = smart_resize(height, width)
    full_tokens = image_tokens(model_w, model_h)
    if max_tokens is None:
        reserve = min_answer
    else:
        # An answer that would crowd the image below half the context gets shortened.
        image_floor = min(full_tokens, max(_MIN_IMAGE_TOKENS, (max_model_len - text) // 2))
        reserve = max(1, min(max_tokens, max_model_len - text - image_floor))
    max_pixels = MAX_PIXELS
    reduced = False
    budget = max_model_len - text - reserve
    if full_tokens > budget:
        max_pixels = max(MIN_PIXELS, budget * FACTOR * FACTOR)
        model_h, model_w = smart_resize(height, width, max_pixels=max_pixels)
        reduced = True
    tokens = image_tokens(model_w, model_h)
    prompt_tokens = tokens + text
    room = max_model_len - prompt_tokens
    answer = min(max_tokens if max_tokens is not None else DEFAULT_MAX_TOKENS, room)
    if answer < 1:
        raise ContextTooSmall(
            Msg.of(Code.CONTEXT_TOO_SMALL, tokens=max_model_len),
            fix=Msg(Code.FIX_LARGER_MODEL_LEN),
        )
    notes: list[Msg] = []
    if reduced:
        notes.append(
            Msg.of(Code.IMAGE_REDUCED, width=model_w, height=model_h, tokens=max_model_len)
        )
    if max_tokens is not None and answer < max_tokens:
        notes.append(Msg.of(Code.ANSWER_LIMITED, tokens=answer, asked=max_tokens))
    return BudgetDecision(
        max_pixels=max_pixels,
        max_tokens=answer,
        model_width=model_w,
        model_height=model_h,
        image_tokens=tokens,
        prompt_tokens=prompt_tokens,
        reduced=reduced,
        notes=tuple(notes),
    )


@dataclass(frozen=True, slots=True)
class EncodedImage:
    """The image bytes to send and how its pixels map back to the page."""

    data: bytes
    mime: str
    model_width: int
    model_height: int
    mapping: BoxMapping
    passthrough: bool
    #: True when the image is sent at its own size for the server to resize (a passthrough
    #: file, or a full-size render); False when it is already at the model size.
    server_resize: bool = False

    @property
    def data_url(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def model_input_size(width: int, height: int, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """(width, height) the model sees for a page of this size."""
    h, w = smart_resize(height, width, max_pixels=max_pixels)
    return w, h


def resize_for_model(image: Image.Image, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """The model-input pixels: upstream's BICUBIC resize to the smart_resize size."""
    w, h = model_input_size(image.width, image.height, max_pixels)
    if (w, h) == image.size:
        return image
    return image.resize((w, h), Image.Resampling.BICUBIC)


def encode_page(
    page: PageImage, max_pixels: int = MAX_PIXELS, *, trust_server_resize: bool = True
) -> EncodedImage:
    """Encode losslessly so the model sees exactly what upstream's client would give it.

    With ``trust_server_resize`` (the server resizes with smart_resize + PIL BICUBIC, as
    vLLM's dots.ocr processor does) and a target equal to the server's own, the original
    file is sent untouched when the server decodes its format, else the page at full size
    as fast PNG (the server's resize gives the same pixels, and the client skips it).
    Otherwise the page is resized here, so the server's resize is the identity.
    """
    width, height = page.width, page.height
    model_w, model_h = model_input_size(width, height, max_pixels)
    mapping = BoxMapping(width, height, model_w, model_h)
    server_resizes = trust_server_resize and model_input_size(width, height) == (model_w, model_h)
    fmt = page.source_format
    if server_resizes and page.source_bytes is not None and fmt in _MIMES:
        return EncodedImage(page.source_bytes, _MIMES[fmt], model_w, model_h, mapping, True, True)
    # Sending more pixels than the model keeps only pays off when the resize is small.
    server_resizes = server_resizes and model_w * model_h >= _SERVER_RESIZE_MIN_SHARE * (
        width * height
    )
    image = page.image
    # A grey page sent as one channel gives the server the same RGB pixels (it
    # replicates L into R, G, B) for a third of the work.
    if server_resizes and image.mode == "RGB":
        pixels = pixels_of(image)
        grey = grey_channel(pixels)
        data = encode_pixels(pixels if grey is None else grey, PNG_COMPRESS_LEVEL)
    else:
        if is_grayscale(image):
            image = image if image.mode == "L" else image.getchannel(0)
        if not server_resizes:
            image = resize_for_model(image, max_pixels)
        data = encode_png(image, PNG_COMPRESS_LEVEL)
    return EncodedImage(data, "image/png", model_w, model_h, mapping, False, server_resizes)


def build_messages(
    encoded: EncodedImage, prompt: str, *, placeholder: bool = True
) -> list[dict[str, Any]]:
    """The single user message upstream's client sends (image first, then the prompt).

    ``placeholder`` adds dots.ocr's image-token prefix; pass False for other models.
    """
    text = (IMAGE_PLACEHOLDER + prompt) if placeholder else prompt
    return [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": encoded.data_url}},
                {"type": "text", "text": text},
            ],
        }
    ]
