"""The fast PNG writer is lossless and readable by Pillow (what the server decodes with)."""

from __future__ import annotations

import io

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from desktop.core.pageimage import PageImage
from desktop.core.pngfast import encode_png, is_grayscale
from desktop.core.request import encode_page, resize_for_model


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
