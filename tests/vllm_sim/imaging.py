"""Image facts without PIL: size from the file header, dots.ocr's smart_resize, token counts.

Token model (documented in README.md): one visual token per 28x28 pixels of the
smart-resized image; text costs ceil(chars / 4) tokens; every request adds
``TEMPLATE_TOKENS`` for the chat template.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import struct
from dataclasses import dataclass

FACTOR = 28
MIN_PIXELS = 3136
MAX_PIXELS = 11289600
CHARS_PER_TOKEN = 4
TEMPLATE_TOKENS = 10


class ImageError(ValueError):
    """The bytes are not an image the simulator can size."""


@dataclass(frozen=True, slots=True)
class SimImage:
    """One image of a request: its original size, the model's size and the content hash."""

    width: int
    height: int
    model_width: int
    model_height: int
    sha256: str

    @property
    def tokens(self) -> int:
        return (self.model_width // FACTOR) * (self.model_height // FACTOR)


def text_tokens(text: str) -> int:
    """Deterministic token estimate: one token per started group of four characters."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def split_tokens(text: str) -> list[str]:
    """The pieces a stream sends: four characters each (the same count as text_tokens)."""
    return [text[i : i + CHARS_PER_TOKEN] for i in range(0, len(text), CHARS_PER_TOKEN)]


def smart_resize(
    height: int,
    width: int,
    factor: int = FACTOR,
    min_pixels: int = MIN_PIXELS,
    max_pixels: int = MAX_PIXELS,
) -> tuple[int, int]:
    """dots.ocr's resize rule; returns (height, width), multiples of ``factor``."""
    if max(height, width) / max(1, min(height, width)) > 200:
        raise ImageError(
            "absolute aspect ratio must be smaller than 200, got "
            f"{max(height, width) / max(1, min(height, width))}"
        )
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
        if h_bar * w_bar > max_pixels:
            beta = math.sqrt((h_bar * w_bar) / max_pixels)
            h_bar = max(factor, math.floor(h_bar / beta / factor) * factor)
            w_bar = max(factor, math.floor(w_bar / beta / factor) * factor)
    return h_bar, w_bar


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG, JPEG, WebP, GIF or BMP header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data[:2] == b"BM" and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return width, abs(height)
    raise ImageError("cannot identify image file")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            pos += 1
            continue
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        # SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    raise ImageError("cannot identify image file (JPEG without a frame header)")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise ImageError("cannot identify image file (unknown WebP chunk)")


def decode_data_url(url: str) -> bytes:
    """The bytes of a ``data:<mime>;base64,<payload>`` URL."""
    if not url.startswith("data:") or "," not in url:
        raise ImageError(
            "The URL must be either a HTTP, data or file URL "
            "(the simulator only accepts data URLs)."
        )
    header, payload = url.split(",", 1)
    if not header.endswith(";base64"):
        raise ImageError("only base64 data URLs are supported")
    try:
        return base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"invalid base64 image data: {exc}") from exc


def load_image(data: bytes, min_pixels: int = MIN_PIXELS, max_pixels: int = MAX_PIXELS) -> SimImage:
    """Size and hash one image the way the server's processor would see it."""
    width, height = image_size(data)
    if width <= 0 or height <= 0:
        raise ImageError("cannot identify image file (zero size)")
    model_h, model_w = smart_resize(height, width, min_pixels=min_pixels, max_pixels=max_pixels)
    return SimImage(width, height, model_w, model_h, hashlib.sha256(data).hexdigest())
