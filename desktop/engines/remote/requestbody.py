"""Request bodies as bytes: compact JSON, with each page image put in as base64 at the end.

A page image is megabytes of base64. In the request dict it stays a short token
(``ImageRef``), so the JSON encoder never scans it; ``encode_body_with_images`` then puts
each image's data URL in place of its token, in chunks, in a worker thread.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from desktop.core.document import BBox
from desktop.core.messages import Msg
from desktop.core.pageimage import PageImage
from desktop.core.request import EncodedImage
from desktop.engines.base import RecognizeMode

#: Bytes base64-encoded per call (a multiple of 3): short C calls let the GUI thread in.
B64_CHUNK = 3 * 64 * 1024


def encode_json_body(body: dict[str, Any]) -> bytes:
    """The request body as httpx's ``json=`` would send it (compact UTF-8 JSON)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


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


def image_by_reference(encoded: EncodedImage) -> EncodedImage:
    """A stand-in for ``encoded`` in ``build_messages`` whose data URL is an ``ImageRef``."""
    return cast(EncodedImage, _UrlOnly(ImageRef(encoded)))


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


def encode_body_with_images(body: dict[str, Any]) -> bytes:
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


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """A page's request bytes made before its turn (``ServerEngine.prepare_request``)."""

    page: PageImage
    mode: RecognizeMode
    encoded: EncodedImage
    content: bytes
    note: tuple[Msg, ...]
    max_tokens: int = 0  # the answer's budget (0: not known, no answer limits)

    def fits(self, page: PageImage, mode: RecognizeMode, region: BBox | None) -> bool:
        return self.page is page and self.mode is mode and region is None
