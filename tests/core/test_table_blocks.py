"""Every character of a Table block reaches every export: captions, text before, between and
after its tables, a second table, very wide tables.

JSON keeps the model's text as it is; these tests read the other formats as a user would
(rendered Markdown and HTML, the text file, the CSV files of ``ocr --format csv --out``, the
workbook) and look for every piece.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop.commands.ocrout import OutputOptions, render, write_results
from desktop.core.document import Block, Document, Page
from desktop.core.exports import (
    document_to_html,
    document_to_markdown,
    document_to_text,
    write_document_xlsx,
)
from desktop.core.sheets import document_sheet_tables
from desktop.core.tables import MAX_COLS, parse_table_html
from tests.core.test_markdown_inert import live_parts, seen

WIDE = 300  # columns: more than the 200 the parser once kept
WIDE_ROW = "".join(f"<th>h{i}</th>" for i in range(WIDE))
BLOCK = (
    "<p>Note before the tables.</p>"
    "<table><caption>Table 3. Sales by month</caption>"
    f"<tr>{WIDE_ROW}</tr><tr>" + "".join(f"<td>v{i}</td>" for i in range(WIDE)) + "</tr></table>"
    "Text between the tables."
    "<table><tr><td>second</td><td>=1+1</td></tr></table>"
    "<p>Source: annual report, 2024.</p>"
)
PIECES = [
    "Note before the tables.",
    "Table 3. Sales by month",
    "Text between the tables.",
    "second",
    "Source: annual report, 2024.",
    *(f"h{i}" for i in range(WIDE)),
    *(f"v{i}" for i in range(WIDE)),
]


def _doc(markup: str = BLOCK) -> Document:
    page = Page(0, 100, 100, (Block("Table", (0, 0, 99, 99), markup, 0),))
    return Document("scan.png", (page,))


def _missing(found: str | list[str]) -> list[str]:
    if isinstance(found, list):
        cells = set(found)
        return [p for p in PIECES if p not in cells]
    return [p for p in PIECES if p not in found]


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip = tag in ("style", "title")
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def test_markdown_shows_every_piece_and_stays_inert() -> None:
    out = document_to_markdown(_doc())
    assert _missing(seen(out)) == []
    ours = [line for line in out.splitlines() if line.startswith("<table>")]
    assert len(ours) == 2  # the two tables, rebuilt by us
    assert live_parts("\n".join(line for line in out.splitlines() if line not in ours)) == []


def test_text_around_tables_is_inert_in_markdown() -> None:
    hostile = (
        "<p>[x](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;</p>"
        "<table><caption>&lt;script&gt;alert(1)&lt;/script&gt; `code`</caption>"
        "<tr><td>a</td></tr></table>[r]: javascript:alert(2)"
    )
    out = document_to_markdown(_doc(hostile))
    text = "\n".join(line for line in out.splitlines() if not line.startswith("<table>"))
    assert live_parts(text) == []
    shown = seen(out)
    assert "[x](javascript:alert(1)) <img src=x onerror=alert(1)>" in shown
    assert "<script>alert(1)</script> `code`" in shown and "[r]: javascript:alert(2)" in shown


def test_html_shows_every_piece() -> None:
    reader = _Visible()
    reader.feed(document_to_html(_doc()))
    assert _missing(" ".join("".join(reader.parts).split())) == []


def test_text_shows_every_piece() -> None:
    assert _missing(document_to_text(_doc())) == []


def test_csv_on_stdout_has_every_piece() -> None:
    cells = [c for row in csv.reader(io.StringIO(render(_doc(), "csv", True))) for c in row]
    assert _missing(cells) == []


def test_csv_files_give_each_table_its_own_file_with_the_text_around_it(tmp_path: Path) -> None:
    write_results([_doc()], OutputOptions("csv", tmp_path))
    files = sorted(tmp_path.glob("*.csv"))
    assert [f.name for f in files] == ["scan_p1_t1.csv", "scan_p1_t2.csv"]
    first, second = (
        list(csv.reader(io.StringIO(f.read_bytes().decode("utf-8-sig")))) for f in files
    )
    # Text and caption above the table, a blank row, then the table; text after at the end.
    assert first[:3] == [["Note before the tables."], ["Table 3. Sales by month"], []]
    assert first[3] == [f"h{i}" for i in range(WIDE)]
    assert second[:2] == [["Text between the tables."], []]
    assert second[2] == ["second", "'=1+1"]
    assert second[-2:] == [[], ["Source: annual report, 2024."]]
    assert _missing([c for rows in (first, second) for row in rows for c in row]) == []


def test_xlsx_gives_each_table_its_sheet_with_the_text_around_it(tmp_path: Path) -> None:
    path = tmp_path / "scan.xlsx"
    assert write_document_xlsx(_doc(), path) == 2
    book = load_workbook(path)
    cells = [
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    ]
    assert _missing(cells) == []
    wide = book.worksheets[1]
    assert [c.value for c in wide[1]][:1] == ["Note before the tables."]
    assert wide.max_column == WIDE


def test_the_tables_listed_for_the_window_and_workbook_include_the_second_table() -> None:
    tables = document_sheet_tables(_doc())
    assert [(t.grid.rows, t.grid.cols) for t in tables] == [(2, WIDE), (1, 2)]


@pytest.mark.parametrize("columns", [WIDE, 2000, MAX_COLS + 50])
def test_a_very_wide_row_keeps_every_cell_text(columns: int) -> None:
    grid = parse_table_html(
        "<table><tr>" + "".join(f"<td>c{i}</td>" for i in range(columns)) + "</tr></table>"
    )
    text = " ".join(c.text for c in grid.cells).split()
    assert text == [f"c{i}" for i in range(columns)]
    assert grid.cols == min(columns, MAX_COLS)


def test_a_tall_table_with_one_wide_row_stays_bounded_and_keeps_every_cell_text() -> None:
    tall = "".join("<tr><td>r</td></tr>" for _ in range(9_999))
    wide = "<tr>" + "".join(f"<td>c{i}</td>" for i in range(WIDE)) + "</tr>"
    grid = parse_table_html(f"<table>{wide}{tall}</table>")
    assert grid.rows * grid.cols <= 2_000_000
    assert " ".join(c.text for c in grid.cells if c.row == 0).split() == [
        f"c{i}" for i in range(WIDE)
    ]


def test_a_table_block_with_text_but_no_table_keeps_its_text_in_csv_and_xlsx(
    tmp_path: Path,
) -> None:
    doc = _doc("<p>Table 4 was not printed.</p><table><caption>Only a caption</caption></table>")
    write_results([doc], OutputOptions("csv", tmp_path))
    (only,) = tmp_path.glob("*.csv")
    rows = list(csv.reader(io.StringIO(only.read_bytes().decode("utf-8-sig"))))
    assert rows == [["Table 4 was not printed."], ["Only a caption"]]
    write_document_xlsx(doc, tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert [c.value for c in sheet["A"]] == ["Table 4 was not printed.", "Only a caption"]
    assert "Only a caption" in seen(document_to_markdown(doc))
