"""The copy of a page carries every table of a Table block, its caption and the text around it."""

from __future__ import annotations

from desktop.core.clipcontent import page_clip
from desktop.core.document import Block, Page

_TWO_TABLES = (
    "<p>Note before</p>"
    "<table><caption>Table 1. Costs</caption><tr><td>a1</td><td>=1+1</td></tr></table>"
    "<p>between</p>"
    "<table><tr><td>b1</td><td>-12.5</td></tr></table>"
    "<p>Source: survey</p>"
)


def _page(*blocks: Block) -> Page:
    return Page(index=0, width=800, height=600, blocks=blocks)


def test_a_table_block_with_two_tables_copies_both_with_its_caption_and_text() -> None:
    clip = page_clip(_page(Block("Table", (10, 10, 700, 400), _TWO_TABLES)))
    rows = clip.tsv.split("\r\n")
    assert clip.tables == 2
    assert rows == [
        "Note before",
        "Table 1. Costs",
        "a1\t'=1+1",  # a formula-like cell is neutralised, as in the Tables tab's copy
        "between",
        "b1\t-12.5",  # a number stays a number
        "Source: survey",
    ]


def test_a_table_block_without_a_table_copies_its_text_and_counts_no_table() -> None:
    clip = page_clip(_page(Block("Table", (10, 10, 700, 400), "<p>only a note</p>")))
    assert clip.tables == 0
    assert clip.tsv == "only a note"
