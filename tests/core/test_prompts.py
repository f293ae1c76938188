"""Prompts are the exact texts dots.ocr was trained on."""

from __future__ import annotations

import pytest

from desktop.core.prompts import (
    IMAGE_PLACEHOLDER,
    PromptMode,
    dots_prompt,
    from_qwen_grid,
    prompt_mode_for,
    qwen_prompt,
    to_qwen_grid,
)
from tests.core._fixtures import FIXTURES

#: The layout_all prompt as dots.ocr's repository writes it (see tests/fixtures/README.md).
PROMPT = FIXTURES / "prompt_layout_all.txt"


def test_layout_all_prompt_is_character_exact() -> None:
    assert dots_prompt(PromptMode.LAYOUT_ALL) == PROMPT.read_text(encoding="utf-8")


def test_layout_all_prompt_shape() -> None:
    text = dots_prompt("layout")
    assert text.endswith("single JSON object.\n")
    assert "\n    - Table: Format its text as HTML.\n" in text
    assert text.count("\n\n") == 5


def test_other_prompts() -> None:
    assert dots_prompt("text") == "Extract the text content from this image."
    only = dots_prompt(PromptMode.LAYOUT_ONLY)
    assert only.startswith("Please output the layout information from this PDF image")
    assert only.endswith("The layout result should be in JSON format.")
    assert "\n" not in only


def test_grounding_prompt_ends_with_the_model_pixel_box() -> None:
    text = dots_prompt("grounding", (10, 20, 300, 400))
    assert text == (
        "Extract text from the given bounding box on the image (format: [x1, y1, x2, y2]).\n"
        "Bounding Box:\n[10, 20, 300, 400]"
    )
    with pytest.raises(ValueError):
        dots_prompt("grounding")


def test_modes_map_from_the_cli_names() -> None:
    assert prompt_mode_for("layout") is PromptMode.LAYOUT_ALL
    assert prompt_mode_for("text") is PromptMode.OCR
    assert prompt_mode_for("layout-only") is PromptMode.LAYOUT_ONLY
    assert prompt_mode_for("grounding") is PromptMode.GROUNDING
    assert prompt_mode_for("prompt_ocr") is PromptMode.OCR
    assert IMAGE_PLACEHOLDER == "<|img|><|imgpad|><|endofimg|>"


def test_qwen_prompts_use_the_0_1000_grid() -> None:
    assert "HTML" in qwen_prompt("text")
    assert "[100, 200, 500, 1000]" in qwen_prompt("grounding", (100, 200, 500, 1000))
    assert to_qwen_grid((170, 225, 850, 2250), 1700, 2250) == (100, 100, 500, 1000)
    assert from_qwen_grid((100, 100, 500, 1000), 1700, 2250) == (170, 225, 850, 2250)
