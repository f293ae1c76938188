"""GIVEN the pieces that make odd pages readable WHEN given hostile geometry THEN boxes land
back on the page as given, strips are cut in their gaps, and only light print on a dark
ground is inverted. (No models: the whole-engine cases are in test_hostile_pages.py.)"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image, ImageDraw

from desktop.core.messages import Code
from desktop.engines.builtin import pageprep
from desktop.engines.builtin.hanlines import han_share
from desktop.engines.builtin.ocr import OcrLine, Word
from desktop.engines.builtin.orient import unturn_box
from desktop.engines.builtin.pageprep import Prepared, light_on_dark, prepare_page
from desktop.engines.builtin.strips import PIECE, _joined, cut_positions, is_strip
from tests.builtin.hostile_pages import plain_page


def _box_of(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_a_box_found_on_the_turned_page_lands_on_the_page_as_given(k: int) -> None:
    page = np.zeros((300, 500), bool)
    page[40:70, 310:420] = True  # a word near the top right
    turned = np.rot90(page, k)
    box = unturn_box(_box_of(turned), k, 500, 300)
    assert box == (310, 40, 420, 70)


def test_boxes_of_a_scaled_down_page_are_in_the_page_pixels() -> None:
    prep = Prepared(np.zeros((100, 150, 3), np.uint8), width=3000, height=2000, scale=0.05)
    assert prep.page_box((10, 20, 30, 40)) == (200, 400, 600, 800)
    assert prep.page_box((0, 0, 150, 100)) == (0, 0, 3000, 2000)  # never past the edge


def test_a_page_over_the_limit_is_read_smaller_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pageprep, "READ_PIXELS", 100 * 100)
    prep = prepare_page(Image.new("RGB", (400, 400), "white"), None)
    assert prep.rgb.shape[:2] == (100, 100)
    (fact,) = prep.facts
    assert fact.code is Code.PAGE_READ_SMALLER
    assert fact.params == {"width": 400, "height": 400, "read_width": 100, "read_height": 100}


def test_a_page_within_the_limit_is_read_as_it_is() -> None:
    page = plain_page()
    prep = prepare_page(page, None)
    assert prep.facts == () and prep.scale == 1.0
    assert np.array_equal(prep.rgb, np.asarray(page))


def test_light_print_on_dark_is_inverted_but_a_dark_photo_with_a_caption_is_not() -> None:
    assert light_on_dark(np.asarray(plain_page(fg="white", bg="black").convert("L")))
    assert not light_on_dark(np.asarray(plain_page().convert("L")))
    # A dark picture filling most of the page, with a white caption box of black print.
    photo = Image.new("L", (1400, 900), 30)
    ImageDraw.Draw(photo).rectangle((40, 40, 900, 420), fill=255)
    photo.paste(plain_page().convert("L").crop((50, 50, 850, 410)), (60, 50))
    assert not light_on_dark(np.asarray(photo))
    flat = np.zeros((300, 300), np.uint8)
    assert not light_on_dark(flat)  # all black: nothing printed, nothing to invert


def test_a_strip_is_cut_in_its_gaps_and_no_piece_is_too_long() -> None:
    ink = np.ones(20000, np.int64)
    for start in range(300, 20000, 400):
        ink[start : start + 40] = 0  # a word gap every 400 px
    cuts = cut_positions(ink)
    edges = [0, *cuts, ink.size]
    assert all(0 < b - a <= PIECE for a, b in itertools.pairwise(edges))
    assert all(ink[c] == 0 for c in cuts)
    solid = cut_positions(np.ones(4500, np.int64))  # print end to end: hard cuts
    assert solid == [PIECE, 2 * PIECE]


def test_only_long_thin_pages_count_as_strips() -> None:
    assert is_strip(20000, 120) and is_strip(120, 20000) and is_strip(600, 6000)
    assert not is_strip(1654, 2339)  # A4
    assert not is_strip(1900, 100)  # short enough to read whole


def test_halves_of_a_line_cut_at_a_word_gap_are_joined() -> None:
    left = OcrLine((10, 40, 1990, 80), "Strip 1 says", 0.98, (Word("Strip", 10, 200),))
    right = OcrLine((2010, 41, 2400, 79), "hello.", 0.95, (Word("hello.", 2010, 2400),))
    far = OcrLine((6000, 40, 6400, 80), "apart", 0.99, (Word("apart", 6000, 6400),))
    joined = _joined([right, far, left])
    assert [ln.text for ln in joined] == ["Strip 1 says hello.", "apart"]
    assert joined[0].bbox == (10, 40, 2400, 80)


def test_han_share_counts_chinese_characters_only() -> None:
    assert han_share("生成的列不能引用另一个生成的列.") > 0.9
    assert han_share("ycao debug_discard_caches=1") == 0.0
    assert han_share("  ") == 0.0
