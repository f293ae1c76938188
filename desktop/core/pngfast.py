"""A fast lossless PNG writer for page images (several times faster than Pillow's).

Pillow tries five row filters per row; document pages compress just as well with the
"Up" filter alone, done with numpy, and zlib level 1. Any PNG decoder reads the result.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from PIL import Image

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPE = {"L": 0, "RGB": 2}
_FILTER_UP = 2


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(image: Image.Image, level: int = 1) -> bytes:
    """PNG bytes of an L or RGB image (other modes go through Pillow)."""
    colour_type = _COLOUR_TYPE.get(image.mode)
    if colour_type is None:
        import io

        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=level)
        return buf.getvalue()
    pixels = np.asarray(image, dtype=np.uint8)
    height = pixels.shape[0]
    rows = pixels.reshape(height, -1)
    raw = np.empty((height, rows.shape[1] + 1), dtype=np.uint8)
    raw[:, 0] = _FILTER_UP
    raw[0, 1:] = rows[0]
    # Up filter: each byte minus the byte above (mod 256); the first row has nothing above.
    np.subtract(rows[1:], rows[:-1], out=raw[1:, 1:])
    header = struct.pack(">IIBBBBB", image.width, image.height, 8, colour_type, 0, 0, 0)
    body = zlib.compress(raw.data, level)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def is_grayscale(image: Image.Image) -> bool:
    """True when an RGB image has R == G == B everywhere (it can be sent as L losslessly)."""
    if image.mode == "L":
        return True
    if image.mode != "RGB":
        return False
    pixels = np.asarray(image)
    sample = pixels[::97]  # most colour pages are caught here, at 1% of the cost
    if not (
        np.array_equal(sample[..., 0], sample[..., 1])
        and np.array_equal(sample[..., 1], sample[..., 2])
    ):
        return False
    return bool(
        np.array_equal(pixels[..., 0], pixels[..., 1])
        and np.array_equal(pixels[..., 1], pixels[..., 2])
    )
