"""Model-written HTML tables become spreadsheet-grade grids."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.tables import MAX_COLSPAN, TableCell, TableGrid, parse_table_html
from tests.core.journal_output import TABLE_II


def test_journal_table_keeps_its_merged_header_cells() -> None:
    grid = parse_table_html(TABLE_II)
    assert (grid.rows, grid.cols) == (18, 8)
    assert grid.cell_at(0, 3) == TableCell(0, 2, 1, 3, "Hodgkin lymphoma", True)
    assert grid.cell_at(1, 1) == TableCell(0, 1, 2, 1, "Controls", True)
    assert grid.as_matrix()[2][:3] == ["Never Exposed (reference group)", "2,273", "315"]
    assert grid.as_matrix()[0][3] == ""  # covered by the colspan
    assert grid.has_spans


def test_odd_span_values_are_read_leniently() -> None:
    grid = parse_table_html(
        '<table><tr><td rowspan="2;">a</td><td colspan="0">b</td><td colspan="x">c</td>'
        '<td colspan=" 2px">d</td></tr><tr><td>e</td></tr></table>'
    )
    a = grid.cell_at(0, 0)
    assert a is not None and a.rowspan == 2
    assert [c.colspan for c in grid.cells if c.row == 0] == [1, 1, 1, 2]


def test_absurd_spans_are_capped_to_the_grid() -> None:
    grid = parse_table_html(
        '<table><tr><td rowspan="99999" colspan="99999">x</td></tr><tr><td>y</td></tr></table>'
    )
    anchor = grid.cell_at(0, 0)
    assert anchor is not None
    assert anchor.rowspan == 2  # to the last row, not 99999
    assert anchor.colspan == MAX_COLSPAN
    assert grid.rows == 2


def test_br_becomes_a_newline_and_entities_are_decoded() -> None:
    grid = parse_table_html("<table><tr><td>a<br>b<br/>c &amp; d</td></tr></table>")
    assert grid.as_matrix() == [["a\nb\nc & d"]]


def test_nested_table_is_flattened_into_its_cell() -> None:
    grid = parse_table_html(
        "<table><tr><td>outer<table><tr><td>x</td><td>y</td></tr><tr><td>z</td></tr>"
        "</table></td><td>2</td></tr></table>"
    )
    assert (grid.rows, grid.cols) == (1, 2)
    assert grid.as_matrix()[0][0].split() == ["outer", "x", "y", "z"]
    assert grid.as_matrix()[0][1] == "2"


def test_looping_output_cut_mid_tag_keeps_the_real_rows() -> None:
    html = (
        "<table><thead><tr><th>Item</th><th>Qty</th></tr></thead><tbody>"
        "<tr><td>Milk</td><td>2</td></tr>" + "<tr><td></td><td></td></tr>" * 50 + "<tr><td></t"
    )
    grid = parse_table_html(html)
    assert grid.as_matrix() == [["Item", "Qty"], ["Milk", "2"]]


def test_short_rows_are_padded_and_garbage_gives_an_empty_grid() -> None:
    grid = parse_table_html("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
    assert grid.as_matrix() == [["a", "b"], ["c", ""]]
    assert parse_table_html("no table here") == TableGrid(0, 0, ())
    assert parse_table_html("") == TableGrid(0, 0, ())
    assert parse_table_html("<table><tr><td") == TableGrid(0, 0, ())


def test_tsv_and_csv_quote_like_a_spreadsheet() -> None:
    grid = parse_table_html('<table><tr><td>a\t1</td><td>line<br>two</td><td>"q"</td></tr></table>')
    tsv = grid.to_tsv()
    assert list(csv.reader(io.StringIO(tsv), dialect="excel-tab")) == [["a 1", "line\ntwo", '"q"']]
    assert list(csv.reader(io.StringIO(grid.to_csv()))) == [["a 1", "line\ntwo", '"q"']]


def test_markdown_is_a_pipe_table_without_spans_and_html_with_them() -> None:
    plain = parse_table_html(
        "<table><tr><th>a|b</th><th>c</th></tr><tr><td>1</td><td>2</td></tr></table>"
    )
    assert plain.to_markdown() == "| a\\|b | c |\n|---|---|\n| 1 | 2 |"
    merged = parse_table_html(
        '<table><tr><td colspan="2">x</td></tr><tr><td>1</td><td>2</td></tr></table>'
    )
    assert merged.to_markdown().startswith('<table><tr><td colspan="2">x</td>')


def test_html_output_is_escaped_and_inert() -> None:
    grid = parse_table_html(
        "<table><tr><td><script>alert(1)</script>&lt;b&gt;<img src=http://x/y.png>"
        "</td></tr></table>"
    )
    html = grid.to_html()
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;b&gt;" in html


# ------------------------------------------------------------------ property


@st.composite
def grids(draw: st.DrawFn) -> TableGrid:
    rows = draw(st.integers(1, 6))
    cols = draw(st.integers(1, 6))
    taken = [[False] * cols for _ in range(rows)]
    cells = []
    words = st.lists(
        st.sampled_from(["a", "Ж", "1.5", "<x>", "&", '"', "q r"]), min_size=1, max_size=3
    )
    for r in range(rows):
        for c in range(cols):
            if taken[r][c]:
                continue
            max_cs = 1
            while c + max_cs < cols and not taken[r][c + max_cs]:
                max_cs += 1
            colspan = draw(st.integers(1, max_cs))
            rowspan = draw(st.integers(1, rows - r))
            # shrink the rowspan until the rectangle is free
            while any(
                taken[rr][cc] for rr in range(r, r + rowspan) for cc in range(c, c + colspan)
            ):
                rowspan -= 1
            for rr in range(r, r + rowspan):
                for cc in range(c, c + colspan):
                    taken[rr][cc] = True
            text = " ".join(draw(words)) if r == rows - 1 or draw(st.booleans()) else ""
            header = draw(st.booleans())
            cells.append(TableCell(r, c, rowspan, colspan, text, header))
    # a table never ends in an all-empty row (that is what the loop trimming removes)
    last = [x for x in cells if x.row <= rows - 1 < x.row + x.rowspan]
    if not any(x.text for x in last):
        first = last[0]
        cells[cells.index(first)] = TableCell(
            first.row, first.col, first.rowspan, first.colspan, "end", first.header
        )
    return TableGrid(rows, cols, tuple(sorted(cells, key=lambda x: (x.row, x.col))))


@settings(max_examples=150, deadline=None)
@given(grids())
def test_random_grids_with_spans_survive_html_round_trips(grid: TableGrid) -> None:
    again = parse_table_html(grid.to_html())
    assert again == grid
    assert parse_table_html(again.to_html()).to_html() == grid.to_html()
    for r in range(grid.rows):
        for c in range(grid.cols):
            assert grid.cell_at(r, c) is not None  # every position is covered exactly once
