"""Printed lines found in the ink, and the text layer laid over them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from desktop.core.document import Block, Document, Page
from desktop.core.inklines import ink_bands, split_over
from desktop.core.pdfout import write_searchable_pdf

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LINES = [
    "The quick brown fox jumps over",
    "the lazy dog; Съешь же ещё этих",
    "мягких французских булок, да выпей чаю.",
]


def _printed_page(path: Path) -> list[tuple[int, int]]:
    """Three lines of text at 100 DPI; returns each line's (top, bottom) ink rows."""
    img = Image.new("L", (1200, 500), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), 36)
    for i, line in enumerate(LINES):
        draw.text((100, 100 + 70 * i), line, font=font, fill=0)
    img.save(path, dpi=(100, 100))
    ink = np.asarray(img) < 128
    rows = []
    for i in range(3):
        band = np.flatnonzero(ink[90 + 70 * i : 160 + 70 * i].any(axis=1))
        rows.append((90 + 70 * i + int(band[0]), 90 + 70 * i + int(band[-1]) + 1))
    return rows


def test_bands_are_the_printed_lines_with_their_dots_and_accents() -> None:
    gray = np.full((200, 300), 255, np.uint8)
    gray[20:40, 10:200] = 0  # a line of text
    gray[60:62, 50:52] = 0  # the dot of an "i" (or an accent) just above the next line
    gray[66:86, 10:150] = 0  # the next line
    bands = ink_bands(gray, (0, 0, 300, 200))
    assert [(b.top, b.bottom, b.left, b.right) for b in bands] == [
        (20, 40, 10, 200),
        (60, 86, 10, 150),
    ]
    assert ink_bands(gray, (0, 100, 300, 200)) == []  # white: no lines
    assert ink_bands(gray, (5, 5, 5, 5)) == []


@given(st.text(min_size=1, max_size=200), st.lists(st.integers(1, 500), min_size=1, max_size=12))
def test_splitting_over_lines_never_loses_a_character(text: str, widths: list[int]) -> None:
    parts = split_over(text, widths)
    if parts:
        assert len(parts) == len(widths)
        assert all(parts)
        assert "".join("".join(parts).split()) == "".join(text.split())


def test_longer_printed_lines_get_more_of_the_text() -> None:
    parts = split_over("one two three four five six seven eight nine ten", [300, 100])
    assert len(parts[0]) > len(parts[1]) > 0


@pytest.mark.skipif(
    not (shutil.which("pdftotext") and FONT.exists()), reason="needs poppler and DejaVu"
)
def test_the_text_layer_lies_over_the_printed_lines(tmp_path: Path) -> None:
    # GIVEN a scan of three printed lines and the model's one block for them (one paragraph)
    source = tmp_path / "page.png"
    rows = _printed_page(source)
    block = Block("Text", (90, 90, 1110, 310), " ".join(LINES))
    write_searchable_pdf(
        Document(str(source), (Page(0, 1200, 500, blocks=(block,)),)), tmp_path / "p.pdf"
    )
    # THEN the text reads back line by line as printed
    raw = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "p.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert [line.strip() for line in raw.splitlines() if line.strip()] == LINES
    # AND each word sits on its printed line (boxes in points: 0.72 per pixel)
    from tests.core.test_pdfout import pdf_words

    (words,) = pdf_words(tmp_path / "p.pdf")
    expected = [(w, i) for i, line in enumerate(LINES) for w in line.split()]
    assert [w for _, w in words] == [w for w, _ in expected]
    for (box, _), (_, line) in zip(words, expected, strict=True):
        top, bottom = rows[line]
        centre = (box[1] + box[3]) / 2 / 0.72
        assert top <= centre <= bottom
