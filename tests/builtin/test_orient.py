"""GIVEN real pages turned by each quarter turn WHEN the recogniser's confidence decides which
way up they lie THEN Latin, Chinese, Russian help text with Latin option names in it and a
scanned journal page come back upright, and a Russian newspaper, which the recogniser
cannot orient, is left to Tesseract (None on its side, 0 upside down: the OSD beside the
Tesseract read settles it), never turned on a guess."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from desktop.engines.builtin.ocr import RapidReader
from desktop.engines.builtin.orient import quarter_turns
from tests.builtin.conftest import FIXTURES
from tests.builtin.hostile_pages import render_pdf_top

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def pages() -> dict[str, np.ndarray]:
    journal = Image.open(FIXTURES / "journal_page_tables.jpg").convert("RGB")
    return {
        "en": np.asarray(render_pdf_top("en", 1200)),
        "zh": np.asarray(render_pdf_top("zh", 1200)),
        "ru": np.asarray(render_pdf_top("ru", 1200)),
        "journal": np.asarray(journal),
        "newspaper": np.asarray(Image.open(FIXTURES / "russian_page.png").convert("RGB")),
    }


@pytest.mark.parametrize("name", ["en", "zh", "ru", "journal"])
@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_a_turned_page_is_turned_back(
    reader: RapidReader, pages: dict[str, np.ndarray], name: str, k: int
) -> None:
    turned = np.ascontiguousarray(np.rot90(pages[name], k))
    assert quarter_turns(turned, reader.score_piece) == (4 - k) % 4


@pytest.mark.parametrize(("k", "expected"), [(0, 0), (1, None), (2, 0), (3, None)])
def test_cyrillic_is_never_turned_on_a_guess(
    reader: RapidReader, pages: dict[str, np.ndarray], k: int, expected: int | None
) -> None:
    turned = np.ascontiguousarray(np.rot90(pages["newspaper"], k))
    assert quarter_turns(turned, reader.score_piece) == expected
