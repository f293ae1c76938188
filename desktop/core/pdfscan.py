"""A page's scan as a PDF image: its own bytes where the file allows, else its pixels.

A JPEG (grey or RGB, upright) is embedded as it is (DCTDecode); a plain PNG (8-bit grey or
RGB, not interlaced, no transparency or colour profile) as its own compressed rows
(FlateDecode with the PNG predictor); anything else is compressed losslessly from the
decoded pixels, in one bit a pixel for black and white and one byte for grey.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image

from desktop.core.pageimage import PageImage

#: The page size of an image without a resolution of its own, in pixels per inch.
DEFAULT_IMAGE_DPI = 300.0
_EXIF_ORIENTATION = 0x0112


def _image_dpi(img: Image.Image) -> float:
    dpi = img.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0.0  # a PNG's 3937 px/m: 99.9998 DPI
    except (TypeError, ValueError, IndexError):
        value = 0.0
    # Many files say 1 or 72 by default; a scan's page size comes out sensibly only above.
    return value if 100 <= value <= 2400 else DEFAULT_IMAGE_DPI


def image_xobject(pdf: pikepdf.Pdf, image: PageImage, source: Path) -> tuple[pikepdf.Stream, float]:
    """The page's picture as an image XObject, and the resolution that sizes the page."""
    dpi = _image_dpi(image.image)
    data = image.source_bytes
    if data is None and image.page_count == 1:
        data = source.read_bytes()
    if data is not None:
        passed = _jpeg_stream(pdf, data, image) or _png_stream(pdf, data, image)
        if passed is not None:
            return passed, dpi
    return _pixels_stream(pdf, image), dpi


def _pixels_stream(pdf: pikepdf.Pdf, image: PageImage) -> pikepdf.Stream:
    """The decoded pixels compressed losslessly: one bit a pixel for black and white, one
    byte for grey (most office scans), three for colour."""
    rgb = image.image if image.image.mode == "RGB" else image.image.convert("RGB")
    pixels = np.asarray(rgb)
    grey = np.array_equal(pixels[..., 0], pixels[..., 1]) and np.array_equal(
        pixels[..., 1], pixels[..., 2]
    )
    bits, space = 8, "/DeviceGray"
    if not grey:
        data, space = pixels.tobytes(), "/DeviceRGB"
    else:
        channel = pixels[..., 0]
        if np.isin(channel, (0, 255)).all():  # bilevel: packed bits, 1 = white as in PDF
            data, bits = np.packbits(channel == 255, axis=1).tobytes(), 1
        else:
            data = channel.tobytes()
    # Level 1: a scan compresses about as well as at 6 (4.1 vs 4.0 MB for an A4 page at
    # 200 DPI) in a fifth of the time.
    stream = pikepdf.Stream(pdf, zlib.compress(data, 1))
    _image_dict(stream, image, space, pikepdf.Name.FlateDecode)
    stream.BitsPerComponent = bits
    return stream


def _image_dict(stream: pikepdf.Stream, image: PageImage, space: str, filt: pikepdf.Name) -> None:
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width = image.width
    stream.Height = image.height
    stream.ColorSpace = pikepdf.Name(space)
    stream.BitsPerComponent = 8
    stream.Filter = filt


def _jpeg_stream(pdf: pikepdf.Pdf, data: bytes, image: PageImage) -> pikepdf.Stream | None:
    """The JPEG's own bytes (DCTDecode) where it shows as read: upright, grey or RGB."""
    if not data.startswith(b"\xff\xd8\xff"):
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.mode not in ("L", "RGB") or img.size != image.image.size:
                return None
            if img.getexif().get(_EXIF_ORIENTATION, 1) not in (0, 1):
                return None
            mode = img.mode
    except Exception:  # any decoder complaint: not passed through, re-encoded
        return None
    stream = pikepdf.Stream(pdf, data)
    _image_dict(
        stream, image, "/DeviceGray" if mode == "L" else "/DeviceRGB", pikepdf.Name.DCTDecode
    )
    return stream


def _png_stream(pdf: pikepdf.Pdf, data: bytes, image: PageImage) -> pikepdf.Stream | None:
    """A plain PNG's compressed rows (FlateDecode with the PNG predictor), not re-encoded:
    8-bit grey or RGB, not interlaced, no transparency."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    pos, idat = 8, []
    header: tuple[int, ...] = ()
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR" and len(body) == 13:
            header = struct.unpack(">IIBBBBB", body)
        elif kind in (b"tRNS", b"iCCP", b"gAMA", b"cHRM", b"sBIT"):
            return None  # shown differently from plain rows: let the decoded pixels speak
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if not header or not idat:
        return None
    width, height, depth, colour, _comp, _filter, interlace = header
    if depth != 8 or colour not in (0, 2) or interlace or (width, height) != image.image.size:
        return None
    colours = 1 if colour == 0 else 3
    stream = pikepdf.Stream(pdf, b"".join(idat))
    _image_dict(
        stream, image, "/DeviceGray" if colours == 1 else "/DeviceRGB", pikepdf.Name.FlateDecode
    )
    stream.DecodeParms = pikepdf.Dictionary(
        Predictor=15, Colors=colours, BitsPerComponent=8, Columns=width
    )
    return stream
