"""GIVEN a page read by Tesseract WHEN it is cut into bands, one Tesseract each
THEN no text line is cut, the bands cover the page once, and the reading is the same.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from desktop.engines.builtin import installed_languages
from desktop.engines.builtin.bands import MIN_BAND, bands, cut_rows
from desktop.engines.builtin.scripts import tesseract_binary
from desktop.engines.builtin.tesseract import TesseractReader
from tests.builtin.conftest import FONT

pytestmark = pytest.mark.timeout(300)

WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"]


def text_page(lines: int = 40, rule: bool = False) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """A white page of printed lines (and where each line's ink is), optionally with a
    vertical rule from top to bottom."""
    img = Image.new("L", (1400, 60 + 48 * lines), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), 30)
    spans = []
    for i in range(lines):
        y = 30 + 48 * i
        text = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(7)) + f" {i + 1}"
        draw.text((40, y), text, font=font, fill=0)
        _x0, y0, _x1, y1 = draw.textbbox((40, y), text, font=font)
        spans.append((int(y0), int(y1)))
    if rule:
        draw.line([(1380, 0), (1380, img.height)], fill=0, width=2)
    return np.asarray(img), spans


@pytest.mark.parametrize("parts", [2, 3, 4])
def test_cuts_fall_between_lines_and_the_bands_cover_the_page(parts: int) -> None:
    gray, spans = text_page()
    got = bands(gray, parts)
    assert len(got) == parts
    assert got[0][0] == 0 and got[-1][1] == gray.shape[0]
    assert all(a[1] == b[0] for a, b in itertools.pairwise(got))  # no gap, no overlap
    for cut in cut_rows(gray, parts):
        assert not any(y0 <= cut < y1 for y0, y1 in spans), cut
    assert all(bottom - top >= MIN_BAND for top, bottom in got)


def test_a_page_without_a_blank_row_is_read_whole() -> None:
    gray, _ = text_page(rule=True)  # a rule down the whole page: every row has ink
    assert bands(gray, 4) == [(0, gray.shape[0])]
    short = np.full((MIN_BAND + 50, 900), 255, np.uint8)
    assert bands(short, 4) == [(0, short.shape[0])]  # too short to be worth two
    blank = np.full((2000, 900), 255, np.uint8)
    assert bands(blank, 4) == [(0, 2000)]


def test_bands_take_even_shares_of_the_print_not_of_the_height() -> None:
    gray, spans = text_page(lines=20)
    page = np.full((gray.shape[0] * 3, gray.shape[1]), 255, np.uint8)
    page[: gray.shape[0]] = gray  # all the print in the top third
    (_top, cut), _ = bands(page, 2)
    assert spans[8][1] <= cut <= spans[12][0]  # about half the lines above the cut


def test_a_page_read_in_bands_reads_every_line_once_in_place() -> None:
    if tesseract_binary() is None or "eng" not in installed_languages():
        pytest.skip("tesseract with eng is needed (apt install tesseract-ocr tesseract-ocr-eng)")
    gray, spans = text_page(lines=24)
    rgb = np.stack([gray] * 3, axis=-1)
    whole = TesseractReader("eng", parts=1).read(rgb)
    split = TesseractReader("eng", parts=3).read(rgb)
    assert [ln.text for ln in split] == [ln.text for ln in whole]
    assert len(split) == 24 and split[-1].text.endswith("24")
    for line, (y0, y1) in zip(split, spans, strict=True):  # boxes in page coordinates
        assert line.bbox[1] <= y1 and line.bbox[3] >= y0
