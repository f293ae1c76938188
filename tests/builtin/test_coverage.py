"""GIVEN OCR lines over a page WHEN we ask how much print they left unread THEN the share is
what a reader would see: text no line covers, or covered only by a line read as "- , ."."""

from __future__ import annotations

import numpy as np

from desktop.engines.builtin.coverage import UNREAD_SHARE, unread_ink_share
from desktop.engines.builtin.ocr import OcrLine


def page_with_two_text_lines() -> np.ndarray:
    gray = np.full((200, 400), 255, np.uint8)
    gray[20:40, 20:380:6] = 0  # "glyphs" of the first line
    gray[120:140, 20:380:6] = 0  # the second line
    return gray


def line(y0: int, text: str) -> OcrLine:
    return OcrLine((10, y0 - 5, 390, y0 + 25), text, 0.9)


def test_every_line_read_leaves_nothing_unread() -> None:
    lines = [line(20, "a well read line of text here"), line(120, "and another one of them")]
    assert unread_ink_share(page_with_two_text_lines(), lines) == 0.0


def test_a_line_the_models_did_not_return_is_half_the_print() -> None:
    share = unread_ink_share(page_with_two_text_lines(), [line(20, "a well read line of text")])
    assert share == 0.5 and share >= UNREAD_SHARE


def test_a_line_read_as_bare_punctuation_counts_as_unread() -> None:
    lines = [line(20, "a well read line of text here"), line(120, "- , .")]
    assert unread_ink_share(page_with_two_text_lines(), lines) == 0.5


def test_blank_page_and_ruling_lines_are_not_unread_text() -> None:
    assert unread_ink_share(np.full((50, 50), 255, np.uint8), []) == 0.0
    gray = np.full((100, 300), 255, np.uint8)
    gray[50:53, 10:290] = 0  # a table rule, nothing else
    rules = np.zeros_like(gray)
    rules[49:54, 5:295] = 255
    assert unread_ink_share(gray, [], rules) == 0.0


def test_a_photo_beside_read_text_is_not_unread_text() -> None:
    # A Latin page with a photo must not be taken for a page in another script (it would
    # be re-read with Tesseract, or marked partial with an install hint on a Mac without
    # it). Counting every dark pixel gave this page 0.94.
    photo = np.random.default_rng(1).random((200, 700))  # a halftone-like speckled area
    page = np.full((420, 900), 255, np.uint8)
    page[:200, :400] = page_with_two_text_lines()
    page[210:410, 150:850] = np.where(photo > 0.5, 255, 0).astype(np.uint8)
    page[250:350, 300:700] = 0  # and a solid dark area
    lines = [line(20, "a well read line of text here"), line(120, "and another one of them")]
    assert unread_ink_share(page, lines) < UNREAD_SHARE


def test_a_page_nothing_was_read_on_is_all_unread() -> None:
    # RapidOCR 3 drops Cyrillic lines entirely: no lines at all, letters everywhere.
    assert unread_ink_share(page_with_two_text_lines(), []) == 1.0
