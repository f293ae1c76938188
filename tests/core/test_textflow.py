"""Flowing a block's text into its box: lines that fill the block, words never lost."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.document import Block, Page
from desktop.core.tables import parse_table_html
from desktop.core.textflow import Rect, block_rect, block_text, flow, table_lines, wrap


def test_a_wide_short_box_gets_one_line_a_tall_narrow_one_several() -> None:
    text = "the quick brown fox jumps over the lazy dog"
    assert len(flow(text, Rect(0, 0, 500, 20))) == 1
    tall = flow(text, Rect(0, 0, 60, 200))
    assert len(tall) >= 4
    # lines stack from the top down and fill the box's height exactly
    assert tall[0].y > tall[-1].y
    assert tall[-1].y == pytest.approx(0)
    assert sum(line.size for line in tall) == pytest.approx(200)


def test_full_lines_span_the_box_width() -> None:
    lines = flow("alpha beta gamma delta epsilon zeta eta theta", Rect(10, 0, 110, 60))
    for line in lines[:-1]:
        width = len(line.text) * 0.5 * line.size * line.scale / 100
        assert width == pytest.approx(100)
    last = lines[-1]
    assert len(last.text) * 0.5 * last.size * last.scale / 100 <= 100 + 1e-6


@given(st.text(min_size=0, max_size=300), st.integers(min_value=1, max_value=30))
def test_wrapping_never_loses_or_reorders_a_character(text: str, lines: int) -> None:
    text = " ".join(text.replace("\n", " ").split())
    wrapped = wrap(text, lines)
    assert "".join(wrapped).replace(" ", "") == text.replace(" ", "")


def test_cjk_without_spaces_is_cut_between_characters() -> None:
    assert wrap("学习汉语很有意思", 2) == ["学习汉语", "很有意思"]


def test_markdown_marks_are_not_part_of_the_text_layer() -> None:
    assert block_text(Block("Section-header", (0, 0, 1, 1), "## **Итоги** года")) == "Итоги года"
    assert block_text(Block("Formula", (0, 0, 1, 1), "$$\\frac{a}{b}$$")) == "\\frac{a}{b}"
    assert block_text(Block("Picture", (0, 0, 1, 1), None)) == ""


def test_boxes_map_from_pixels_to_points_and_clip_to_the_page() -> None:
    page = Page(0, 1000, 500)
    rect = block_rect(Block("Text", (100, 50, 300, 150), "x"), page, 720, 360)
    assert rect == Rect(72, 360 - 108, 216, 360 - 36)
    clipped = block_rect(Block("Text", (900, 400, 5000, 5000), "x"), page, 720, 360)
    assert clipped == Rect(648, 0, 720, 72)
    assert block_rect(Block("Text", (-50, -50, -1, -1), "x"), page, 720, 360) is None


def test_table_cells_sit_in_their_columns_and_rows() -> None:
    grid = parse_table_html(
        "<table><tr><td colspan=2>Head</td></tr><tr><td>a</td><td>bbbb</td></tr></table>"
    )
    lines = table_lines(grid, Rect(0, 0, 100, 40))
    assert [line.text for line in lines] == ["Head", "a", "bbbb"]
    head, a, b = lines
    assert head.y > a.y == pytest.approx(b.y)
    assert a.x < b.x


def test_every_piece_of_a_table_block_reaches_the_text_layer_in_reading_order() -> None:
    from desktop.core.textflow import page_lines

    markup = (
        "<p>Note before</p>"
        "<table><caption>Table 2 Costs</caption><tr><td>a1</td><td>a2</td></tr></table>"
        "<p>between</p><table><tr><td>b1</td><td>b2</td></tr></table><p>Source survey</p>"
    )
    page = Page(0, 1000, 1000, (Block("Table", (0, 0, 1000, 1000), markup),))
    words = " ".join(line.text for line in page_lines(page, 500.0, 500.0)).split()
    assert words == [
        "Note",
        "before",
        "Table",
        "2",
        "Costs",
        "a1",
        "a2",
        "between",
        "b1",
        "b2",
        "Source",
        "survey",
    ]


def test_a_lone_table_still_puts_each_cell_in_its_cell() -> None:
    from desktop.core.textflow import page_lines

    table = "<table><tr><td>a1</td><td>a2</td></tr><tr><td>b1</td><td>b2</td></tr></table>"
    page = Page(0, 1000, 1000, (Block("Table", (0, 0, 1000, 1000), table),))
    lines = page_lines(page, 500.0, 500.0)
    assert [line.text for line in lines] == ["a1", "a2", "b1", "b2"]
