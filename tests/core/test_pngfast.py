"""The fast PNG writer is lossless and readable by Pillow (what the server decodes with)."""

from __future__ import annotations

import gc
import io
import struct
import zlib

import numpy as np
import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from desktop.core.images import iter_pages
from desktop.core.pageimage import PageImage
from desktop.core.pngfast import (
    _PIXELS,
    _adler_combine,
    attach_pixels,
    encode_pixels,
    encode_png,
    grey_channel,
    is_grayscale,
    pixels_of,
)
from desktop.core.request import encode_page, resize_for_model
from tests.core._fixtures import REPORT_PDF


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.sampled_from(["RGB", "L"]), st.integers(0, 9))
def test_random_images_round_trip_exactly(w: int, h: int, mode: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (h, w, 3) if mode == "RGB" else (h, w)
    pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
    data = encode_png(Image.fromarray(pixels, mode=mode))
    decoded = Image.open(io.BytesIO(data))
    assert decoded.mode == mode
    assert np.array_equal(np.asarray(decoded), pixels)


def test_other_modes_fall_back_to_pillow() -> None:
    img = Image.new("RGBA", (3, 2), (1, 2, 3, 4))
    assert Image.open(io.BytesIO(encode_png(img))).getpixel((0, 0)) == (1, 2, 3, 4)


def test_grey_page_is_sent_as_one_channel_with_identical_server_pixels() -> None:
    rng = np.random.default_rng(1)
    grey = rng.integers(0, 256, size=(300, 200), dtype=np.uint8)
    rgb = Image.fromarray(np.stack([grey] * 3, axis=-1), mode="RGB")
    assert is_grayscale(rgb)
    assert not is_grayscale(Image.new("RGB", (2, 2), (1, 2, 3)))
    expected = np.asarray(resize_for_model(rgb))
    for trust in (True, False):
        encoded = encode_page(PageImage(source="g", index=0, image=rgb), trust_server_resize=trust)
        sent = Image.open(io.BytesIO(encoded.data))
        assert sent.mode == "L"
        # the server: RGB, then smart_resize with BICUBIC (the identity when pre-resized)
        seen = resize_for_model(sent.convert("RGB"))
        assert np.array_equal(np.asarray(seen), expected)


def _idat(png: bytes) -> bytes:
    """The concatenated IDAT payload of a PNG (the zlib stream)."""
    pos, out = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        if png[pos + 4 : pos + 8] == b"IDAT":
            out += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 50),
    st.sampled_from([2, 3]),
    st.integers(1, 5),
    st.integers(0, 9),
)
def test_striped_compression_round_trips_exactly_with_a_valid_checksum(
    w: int, h: int, ndim: int, stripes: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    shape = (h, w, 3) if ndim == 3 else (h, w)
    # Mostly white with a few dark blobs, like a page.
    pixels = np.where(rng.random(shape) < 0.2, rng.integers(0, 256, shape), 255).astype(np.uint8)
    data = encode_pixels(pixels, stripes=stripes)
    # zlib.decompress checks the combined adler32 of the stripes.
    stream = zlib.decompress(_idat(data))
    assert len(stream) == h * (pixels[0].size + 1)
    decoded = Image.open(io.BytesIO(data))
    assert decoded.mode == ("RGB" if ndim == 3 else "L")
    assert np.array_equal(np.asarray(decoded), pixels)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300))
def test_adler32_of_joined_parts_equals_zlibs(first: bytes, second: bytes) -> None:
    combined = _adler_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert combined == zlib.adler32(first + second)


def test_strided_views_encode_the_pixels_they_show() -> None:
    rng = np.random.default_rng(3)
    padded = rng.integers(0, 256, size=(40, 23 * 3 + 3), dtype=np.uint8)
    # An RGB view with padded rows (like a PDFium bitmap) and a single-channel view.
    rgb = padded[:, : 23 * 3].reshape(40, 23, 3)
    for view in (rgb, rgb[..., 1]):
        decoded = Image.open(io.BytesIO(encode_pixels(view, stripes=2)))
        assert np.array_equal(np.asarray(decoded), view)


def test_grey_channel_only_for_pixels_equal_in_every_channel() -> None:
    grey = np.full((200, 10), 7, dtype=np.uint8)
    rgb = np.stack([grey] * 3, axis=-1)
    found = grey_channel(rgb)
    assert found is not None and np.array_equal(found, grey)
    rgb[150, 3, 2] = 8  # a single coloured pixel, off the sampled rows
    assert grey_channel(rgb) is None


def test_attached_pixels_are_used_until_the_image_is_gone() -> None:
    pixels = np.zeros((2, 3, 3), dtype=np.uint8)
    img = Image.fromarray(pixels, mode="RGB")
    attach_pixels(img, pixels)
    assert pixels_of(img) is pixels
    other = Image.fromarray(pixels, mode="RGB")
    assert pixels_of(other) is not pixels
    key = id(img)
    del img
    gc.collect()
    assert key not in _PIXELS
    with pytest.raises(ValueError):
        attach_pixels(other, np.zeros((3, 2, 3), dtype=np.uint8))


@pytest.mark.parametrize("index", [0, 1])
def test_rendered_pdf_page_is_sent_as_exactly_the_rendered_pixels(index: int) -> None:
    (page,) = iter_pages(REPORT_PDF, pages=[index])
    shown = np.asarray(page.image)  # Pillow's own copy, what the UI shows
    assert np.array_equal(pixels_of(page.image), shown)
    encoded = encode_page(page)
    assert encoded.server_resize
    sent = Image.open(io.BytesIO(encoded.data))
    assert np.array_equal(np.asarray(sent.convert("RGB")), shown)
    # The same pixels as upstream's render (pypdfium2 to PIL, RGB).
    doc = pdfium.PdfDocument(str(REPORT_PDF))
    try:
        upstream = doc[index].render(scale=200 / 72, rev_byteorder=True).to_pil().convert("RGB")
    finally:
        doc.close()
    assert np.array_equal(np.asarray(upstream), shown)


@pytest.mark.parametrize("stripes", [1, 2, 3])
def test_runs_of_repeated_rows_are_spliced_in_losslessly(stripes: int) -> None:
    rng = np.random.default_rng(5)
    page = np.full((200, 17, 3), 255, dtype=np.uint8)
    # Text lines between long runs of blank paper (longer than one spliced batch) and a
    # repeated non-white row, at the top, middle and bottom.
    for top in (0, 90, 93, 198):
        page[top : top + 2] = rng.integers(0, 256, size=(2, 17, 3))
    page[120:160] = page[119]
    data = encode_pixels(page, stripes=stripes)
    zlib.decompress(_idat(data))  # checks the adler32 across spliced parts
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), page)
