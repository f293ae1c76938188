"""Request building: context budget, lossless encoding, and the upstream message shape."""

from __future__ import annotations

import base64
import dataclasses
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from desktop.core.errors import ContextTooSmall
from desktop.core.images import iter_pages
from desktop.core.pageimage import PageImage
from desktop.core.prompts import IMAGE_PLACEHOLDER, PromptMode, dots_prompt
from desktop.core.request import (
    EncodedImage,
    build_messages,
    encode_page,
    plan_budget,
    resize_for_model,
)
from desktop.core.resize import smart_resize
from tests.core._fixtures import JOURNAL, REPORT_PDF


def server_model_input(data: bytes) -> np.ndarray:
    """What a dots.ocr server feeds the model: decode, RGB, smart_resize with BICUBIC."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    h, w = smart_resize(img.height, img.width)
    if (w, h) != img.size:
        img = img.resize((w, h), Image.Resampling.BICUBIC)
    return np.asarray(img)


# ------------------------------------------------------------------ budget


def test_8192_token_server_gets_a_smaller_image_and_a_fitting_answer() -> None:
    decision = plan_budget(1700, 2250, max_model_len=8192, mode=PromptMode.LAYOUT_ALL)
    assert decision.reduced
    assert decision.prompt_tokens + decision.max_tokens <= 8192
    assert decision.max_tokens >= 4000  # enough for a dense page
    assert (decision.model_width, decision.model_height) < (1708, 2240)
    assert decision.model_width % 28 == 0 and decision.model_height % 28 == 0
    assert "image reduced to" in decision.note and "8192-token context" in decision.note


def test_large_context_keeps_the_full_resolution() -> None:
    decision = plan_budget(1700, 2250, max_model_len=32768, mode=PromptMode.LAYOUT_ALL)
    assert not decision.reduced and decision.note == ""
    assert (decision.model_width, decision.model_height) == (1708, 2240)
    assert decision.image_tokens == 61 * 80
    assert decision.max_tokens == 16384


def test_requested_max_tokens_that_cannot_fit_are_shortened_and_said_so() -> None:
    decision = plan_budget(
        1700, 2250, max_model_len=8192, mode=PromptMode.LAYOUT_ALL, max_tokens=8000
    )
    assert decision.prompt_tokens + decision.max_tokens <= 8192
    assert "answer limited to" in decision.note


def test_a_context_too_small_for_any_page_is_a_clear_error() -> None:
    with pytest.raises(ContextTooSmall, match="--max-model-len"):
        plan_budget(1700, 2250, max_model_len=300, mode=PromptMode.LAYOUT_ALL)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(50, 8000),
    st.integers(50, 8000),
    st.integers(2048, 131072),
    st.sampled_from(list(PromptMode)),
    st.none() | st.integers(1, 40000),
)
def test_prompt_plus_answer_never_exceeds_the_context(
    w: int, h: int, max_model_len: int, mode: PromptMode, max_tokens: int | None
) -> None:
    if max(w, h) / min(w, h) > 100:
        return
    d = plan_budget(w, h, max_model_len=max_model_len, mode=mode, max_tokens=max_tokens)
    assert d.prompt_tokens + d.max_tokens <= max_model_len
    assert d.max_tokens >= 1
    assert d.image_tokens == (d.model_width // 28) * (d.model_height // 28)
    assert smart_resize(h, w, max_pixels=d.max_pixels) == (d.model_height, d.model_width)
    if max_tokens is not None:
        assert d.max_tokens <= max_tokens


# ------------------------------------------------------------------ encoding


def test_journal_jpeg_is_sent_untouched() -> None:
    (page,) = iter_pages(JOURNAL)
    encoded = encode_page(page)
    assert encoded.passthrough
    assert encoded.data == JOURNAL.read_bytes()
    assert encoded.mime == "image/jpeg"
    assert (encoded.model_width, encoded.model_height) == (1708, 2240)
    assert encoded.mapping.to_original((1708, 2240, 1708, 2240)) == (1700, 2250, 1700, 2250)


def test_passthrough_and_client_resize_give_the_server_the_same_pixels() -> None:
    (page,) = iter_pages(JOURNAL)
    passthrough = encode_page(page)
    resized = encode_page(
        dataclasses.replace(page, source_bytes=None, source_format=None),
        trust_server_resize=False,
    )
    assert passthrough.passthrough and not resized.passthrough
    assert resized.mime == "image/png"
    decoded = Image.open(io.BytesIO(resized.data))
    assert decoded.size == (1708, 2240)  # the server's resize is then the identity
    assert np.array_equal(server_model_input(passthrough.data), server_model_input(resized.data))


def test_reduced_budget_resizes_on_the_client_losslessly() -> None:
    (page,) = iter_pages(JOURNAL)
    decision = plan_budget(1700, 2250, max_model_len=8192, mode=PromptMode.LAYOUT_ALL)
    encoded = encode_page(page, max_pixels=decision.max_pixels)
    assert not encoded.passthrough
    assert (encoded.model_width, encoded.model_height) == (
        decision.model_width,
        decision.model_height,
    )
    expected = np.asarray(resize_for_model(page.image, decision.max_pixels))
    assert np.array_equal(server_model_input(encoded.data), expected)
    assert encoded.mapping.orig_w == 1700 and encoded.mapping.model_w == decision.model_width


def test_pdf_page_is_sent_full_size_for_the_server_to_resize_to_the_same_pixels() -> None:
    page = next(iter_pages(REPORT_PDF))
    encoded = encode_page(page)
    assert not encoded.passthrough and encoded.server_resize and encoded.mime == "image/png"
    assert Image.open(io.BytesIO(encoded.data)).size == (page.width, page.height)
    assert (encoded.model_width, encoded.model_height) == (2352, 3304)
    expected = np.asarray(resize_for_model(page.image))
    assert np.array_equal(server_model_input(encoded.data), expected)


def test_without_trusting_the_server_resize_the_client_resizes_to_the_model_size() -> None:
    page = next(iter_pages(REPORT_PDF))
    encoded = encode_page(page, trust_server_resize=False)
    assert not encoded.server_resize
    assert Image.open(io.BytesIO(encoded.data)).size == (2352, 3304)
    expected = np.asarray(resize_for_model(page.image))
    assert np.array_equal(server_model_input(encoded.data), expected)
    (jpeg,) = iter_pages(JOURNAL)
    assert not encode_page(jpeg, trust_server_resize=False).passthrough


def test_a_page_much_larger_than_the_model_input_is_resized_before_encoding() -> None:
    img = Image.new("RGB", (4000, 5000), (200, 100, 50))
    encoded = encode_page(PageImage(source="big", index=0, image=img))
    assert not encoded.server_resize
    assert Image.open(io.BytesIO(encoded.data)).size == (
        encoded.model_width,
        encoded.model_height,
    )


def test_image_already_at_model_size_is_not_resampled() -> None:
    img = Image.new("RGB", (56, 84), (9, 8, 7))
    encoded = encode_page(PageImage(source="x", index=0, image=img))
    assert Image.open(io.BytesIO(encoded.data)).size == (56, 84)


# ------------------------------------------------------------------ messages


def test_messages_match_the_upstream_client() -> None:
    encoded = EncodedImage(b"\x89PNG", "image/png", 28, 28, None, False)  # type: ignore[arg-type]
    prompt = dots_prompt("layout")
    messages = build_messages(encoded, prompt)
    assert messages == [
        {
            "role": "user",
            "content": [
                {
                    "type": "image_url",
                    "image_url": {
                        "url": "data:image/png;base64," + base64.b64encode(b"\x89PNG").decode()
                    },
                },
                {"type": "text", "text": IMAGE_PLACEHOLDER + prompt},
            ],
        }
    ]
    plain = build_messages(encoded, "hi", placeholder=False)
    assert plain[0]["content"][1]["text"] == "hi"
