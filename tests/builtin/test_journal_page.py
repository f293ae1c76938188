"""GIVEN the real journal page WHEN the built-in engine reads it THEN tables and text are right.

Expected grid shapes were counted by eye on crops of the page:
- TABLE II: 2 header rows (group headings over Cases/OR/95% CI) + 16 body rows, 8 columns
  (label, Controls, 3 Hodgkin, 3 non-Hodgkin).
- TABLE III is printed as two panels split by a double rule; each has 2 header rows and
  12 body rows (the "p-value of test for linear / trend (with ref cat)" label wraps onto a
  second line but is one row): 13 columns (label + 3 meats x 4) and 9 columns (label +
  2 meats x 4).
"""

from __future__ import annotations

import pytest

from desktop.core.document import PageStatus
from desktop.core.tables import parse_table_html
from tests.builtin.conftest import Run

# The first test also reads the page (~15 s idle, over a minute on a busy 2-core box).
pytestmark = pytest.mark.timeout(600)


def test_ruled_tables_have_the_grid_shapes_printed_on_the_page(journal_run: Run) -> None:
    grids = [parse_table_html(b.text or "") for b in journal_run.page.tables]
    assert [(g.rows, g.cols) for g in grids] == [(18, 8), (14, 13), (14, 9)]


def test_table_cells_hold_the_numbers_in_their_row_and_column(journal_run: Run) -> None:
    table2 = parse_table_html(journal_run.page.tables[0].text or "").as_matrix()
    ever = next(row for row in table2 if row[0].startswith("Ever Exposed"))
    assert ever[1:4] == ["189", "24", "1.06"]
    high = table2[-1]
    assert high[0] == "High" and high[1:4] == ["35", "3", "0.80"]
    grid = parse_table_html(journal_run.page.tables[0].text or "")
    hodgkin = grid.cell_at(0, 2)
    assert hodgkin is not None and hodgkin.text == "Hodgkin lymphoma" and hodgkin.colspan == 3


def test_confidence_interval_headings_read_the_right_way_up(journal_run: Run) -> None:
    # A user saw "I %S" and "95 %I" here: RapidOCR's line classifier turned the short
    # headings upside down (ADR 013), so the engine runs without it.
    for table in journal_run.page.tables:
        headings = [c for row in parse_table_html(table.text or "").as_matrix()[:2] for c in row]
        assert headings.count("95% CI") >= 2, headings


def test_second_table_caption_keeps_its_roman_numeral(journal_run: Run) -> None:
    captions = [b.text or "" for b in journal_run.page.blocks if b.category == "Caption"]
    wanted = "TABLE III – ODDS RATIO OF ALL NON-HODGKIN"
    assert any(c.startswith(wanted) for c in captions), captions


def test_wrapped_row_label_stays_one_row(journal_run: Run) -> None:
    panel = parse_table_html(journal_run.page.tables[1].text or "").as_matrix()
    labels = [row[0] for row in panel]
    assert "p-value of test for linear trend (with ref cat)" in labels


def test_body_text_reads_column_by_column_in_order(journal_run: Run) -> None:
    text = "\n".join(b.text or "" for b in journal_run.page.blocks if not b.is_table)
    phrases = [
        "EXPOSURE TO MEAT AND RISK OF LYMPHOMA",
        "TABLE II – ODDS RATIO OF HODGKIN LYMPHOMA",
        "TABLE III – ODDS RATIO OF ALL NON-HODGKIN LYMPHOMA FOR EXPOSURE TO SPECIFIC TYPES",
        "sponding OR of non-Hodgkin lymphoma",
        "any indicator of exposure.",
        "When the analysis on non-Hodgkin lymphoma was repeated",
        "for long-term exposure to chicken meat",
        "In the analyses stratified by lymphoma type",
        "16 years or more of exposure",
    ]
    positions = [text.find(p) for p in phrases]
    assert all(p >= 0 for p in positions), dict(zip(phrases, positions, strict=True))
    assert positions == sorted(positions)


def test_blocks_stream_before_the_page_and_stay_inside_it(journal_run: Run) -> None:
    page = journal_run.page
    assert page.status is PageStatus.OK
    assert (page.width, page.height) == (1700, 2250)
    assert [f.block for f in journal_run.found] == list(page.blocks)
    for b in page.blocks:
        x0, y0, x1, y1 = b.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height


def test_running_head_and_captions_are_labelled(journal_run: Run) -> None:
    cats = {(b.text or "")[:12]: b.category for b in journal_run.page.blocks if not b.is_table}
    assert cats["EXPOSURE TO "] == "Page-header"
    assert cats["TABLE II – O"] == "Caption"


def test_english_words_are_separated_by_spaces(journal_run: Run) -> None:
    caption = next(b.text or "" for b in journal_run.page.blocks if b.category == "Caption")
    assert "ODDS RATIO OF HODGKIN LYMPHOMA" in caption


def test_event_loop_keeps_running_while_the_page_is_read(journal_run: Run) -> None:
    assert journal_run.ticks > 10


def test_russian_columns_without_tesseract_are_partial_and_name_the_package(
    need_builtin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four narrow newspaper columns (a crop of the page, to keep the test quick).

    Tesseract is hidden: the bundled models (PP-OCRv6) leave Cyrillic letters out and
    keep only the punctuation, so the page must say it is partial and what to install
    (test_tesseract_real.py covers the switch to Tesseract and the column order).
    """
    import os

    from PIL import Image

    from desktop.core.pageimage import PageImage
    from desktop.engines.base import RecognizeMode
    from desktop.engines.builtin.languages import install_command
    from tests.builtin.conftest import FIXTURES, recognize_sync

    monkeypatch.setenv("PATH", os.devnull)  # no tesseract on PATH
    img = Image.open(FIXTURES / "russian_page.png").convert("RGB")  # JPEG bytes: PIL sniffs
    crop = img.crop((150, 690, 1480, 1700))  # columns start at x ~ 10, 330, 660, 990
    page = recognize_sync(PageImage("russian_page.png", 0, crop), RecognizeMode.LAYOUT).page
    assert page.status is PageStatus.PARTIAL
    assert "Cyrillic" in page.reason
    assert install_command("rus", with_tesseract=True) in page.reason  # Debian: tesseract-ocr-rus
    assert page.reason.count(". ") == 0  # one sentence
