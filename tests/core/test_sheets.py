"""Workbooks that read well, clipboard HTML typed for spreadsheets, HTML without raw Markdown."""

from __future__ import annotations

import html.parser
from pathlib import Path

from openpyxl import load_workbook

from desktop.core.clipboard import css_string, spreadsheet_html
from desktop.core.document import Block, Document, Page
from desktop.core.exports import document_to_html, write_document_xlsx
from desktop.core.numbers import NumberConvention
from desktop.core.sheets import (
    MAX_WIDTH,
    document_convention,
    document_sheet_tables,
    plain_caption,
)
from desktop.core.tables import parse_table_html
from tests.core.test_exports import _journal_document

LABEL = "Never Exposed (reference group)"


def _bold_caption_journal() -> Document:
    """The journal page, with the captions in bold as the model often writes them."""
    page = _journal_document().pages[0]
    blocks = tuple(
        Block(b.category, b.bbox, "**" + (b.text or "").replace(" – ", "** – ", 1), b.index)
        if b.category == "Caption"
        else b
        for b in page.blocks
    )
    return Document("journal_page_tables.jpg", (Page(0, page.width, page.height, blocks),))


def test_given_the_journal_page_when_exported_then_sheets_are_named_by_caption_and_indexed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.xlsx"
    assert write_document_xlsx(_bold_caption_journal(), path) == 2
    book = load_workbook(path)
    assert book.sheetnames == [
        "Document",
        "TABLE II – ODDS RATIO OF HODGKI",
        "TABLE III – ODDS RATIO OF ALL N",
    ]
    index = book["Document"]
    assert [c.value for c in index[1]] == ["Sheet", "Page", "Caption"]
    assert index["A2"].value == "TABLE II – ODDS RATIO OF HODGKI" and index["B2"].value == 1
    assert str(index["C3"].value).startswith("TABLE III – ODDS RATIO OF ALL NON-HODGKIN")
    assert "**" not in str(index["C2"].value)
    assert index["A2"].hyperlink is not None
    assert index["A2"].hyperlink.location == "'TABLE II – ODDS RATIO OF HODGKI'!A1"


def test_given_the_journal_page_when_exported_then_numbers_are_numbers_as_printed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.xlsx"
    write_document_xlsx(_journal_document(), path)
    sheet = load_workbook(path).worksheets[1]
    row = {col: sheet[f"{col}3"] for col in "ABCDE"}
    assert row["A"].value == LABEL
    assert (row["B"].value, row["B"].number_format) == (2273, "#,##0")
    assert (row["C"].value, row["C"].data_type) == (315, "n")
    assert (row["D"].value, row["D"].number_format) == (1.0, "0.00")
    assert (row["E"].value, row["E"].data_type) == ("–", "s")
    assert sheet["E4"].value == "0.65–1.71" and sheet["E4"].data_type == "s"


def test_given_the_journal_page_when_exported_then_the_sheet_is_fitted_headed_and_frozen(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.xlsx"
    write_document_xlsx(_journal_document(), path)
    sheet = load_workbook(path).worksheets[1]
    assert sheet.column_dimensions["A"].width >= len(LABEL)  # the label is not cut
    assert all(
        sheet.column_dimensions[c].width <= MAX_WIDTH for c in "ABCDEFGH"
    )  # nor one column a screen wide
    assert sheet.freeze_panes == "A3"  # the two <thead> rows stay on screen
    assert sheet["C2"].font.b and sheet["B1"].font.b and not sheet["A3"].font.b
    assert sheet["C1"].value == "Hodgkin lymphoma"
    assert sheet["C1"].alignment.horizontal == "center"  # merged over three columns


def test_given_other_words_then_the_index_sheet_speaks_them(tmp_path: Path) -> None:
    from desktop.core.sheets import IndexWords

    path = tmp_path / "ru.xlsx"
    words = IndexWords("Документ", ("Лист", "Страница", "Подпись"))
    write_document_xlsx(_journal_document(), path, words)
    book = load_workbook(path)
    assert book.sheetnames[0] == "Документ"
    assert [c.value for c in book["Документ"][1]] == ["Лист", "Страница", "Подпись"]


def test_given_a_first_row_all_th_without_thead_then_it_is_the_header() -> None:
    grid = parse_table_html("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr>")
    assert grid.header_rows == 1
    plain = parse_table_html("<table><tr><th>a</th><td>b</td></tr><tr><td>1</td><td>2</td></tr>")
    assert plain.header_rows == 0


def test_given_a_long_cell_then_its_column_is_capped(tmp_path: Path) -> None:
    grid = parse_table_html(f"<table><tr><td>{'x' * 500}</td><td>1</td></tr></table>")
    path = tmp_path / "wide.xlsx"
    from desktop.core.exports import write_xlsx

    write_xlsx([("t", grid)], path)
    sheet = load_workbook(path)["t"]
    assert sheet.column_dimensions["A"].width == MAX_WIDTH
    assert sheet.sheet_properties is not None and load_workbook(path).sheetnames == ["t"]


def test_given_a_caption_after_the_table_then_it_names_the_sheet() -> None:
    table = "<table><tr><td>1</td></tr></table>"
    blocks = (
        Block("Table", (0, 0, 9, 9), table, 0),
        Block("Caption", (0, 9, 9, 19), "*Table 1.* Sales by _region_", 1),
        Block("Caption", (0, 20, 9, 29), "Table 2. Costs", 2),
        Block("Table", (0, 30, 9, 39), table, 3),
    )
    doc = Document("d.png", (Page(0, 10, 50, blocks),))
    captions = [t.caption for t in document_sheet_tables(doc)]
    assert captions == ["Table 1. Sales by region", "Table 2. Costs"]
    assert plain_caption("[**x**](http://a) `y`") == "x y"


def test_given_a_russian_document_then_numbers_follow_russian_conventions(
    tmp_path: Path,
) -> None:
    doc = _sample(
        "Выручка по регионам, тыс. руб.", ["Регион", "Сумма", "Доля"], "1 823,50", "2,273"
    )
    assert document_convention(doc) is NumberConvention.DECIMAL_COMMA
    path = tmp_path / "ru.xlsx"
    write_document_xlsx(doc, path)
    sheet = load_workbook(path).worksheets[0]
    assert sheet["B2"].value == 1823.5 and sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].value == 2.273 and sheet["C2"].number_format == "0.000"


def test_given_an_english_document_then_numbers_follow_english_conventions(
    tmp_path: Path,
) -> None:
    doc = _sample("Revenue by region for the year", ["Region", "Sum", "Count"], "1,823.50", "2,273")
    assert document_convention(doc) is NumberConvention.DECIMAL_POINT
    path = tmp_path / "en.xlsx"
    write_document_xlsx(doc, path)
    sheet = load_workbook(path).worksheets[0]
    assert sheet["B2"].value == 1823.5 and sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].value == 2273 and sheet["C2"].number_format == "#,##0"


def _sample(caption: str, header: list[str], first: str, second: str) -> Document:
    head = "".join(f"<th>{h}</th>" for h in header)
    table = (
        f"<table><tr>{head}</tr><tr><td>Север</td><td>{first}</td><td>{second}</td></tr></table>"
    )
    blocks = (
        Block("Caption", (0, 0, 9, 9), caption, 0),
        Block("Table", (0, 10, 9, 19), table, 1),
    )
    return Document("sample.png", (Page(0, 10, 20, blocks),))


# ---------------------------------------------------------------- clipboard HTML


class _Cells(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict[str, str | None]] = []
        self.meta: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th"):
            self.cells.append(dict(attrs))
        elif tag == "meta":
            self.meta.append(dict(attrs))


def test_given_a_table_when_put_on_the_clipboard_then_numbers_carry_value_and_format() -> None:
    grid = parse_table_html(
        "<table><tr><td>2,273</td><td>1.00</td><td>=1+1</td><td>0.65–1.71</td><td></td></tr>"
    )
    parser = _Cells()
    parser.feed(spreadsheet_html(grid, NumberConvention.DECIMAL_POINT))
    grouped, decimals, formula, range_, empty = parser.cells
    assert grouped["x:num"] == "2273" and grouped["sdval"] == "2273"
    assert grouped["style"] == 'mso-number-format:"\\#\\,\\#\\#0"'
    assert grouped["sdnum"] == "1033;0;#,##0"
    assert decimals["x:num"] == "1.0" and decimals["sdnum"] == "1033;0;0.00"
    for text in (formula, range_):  # text stays text, never a formula or a date
        assert "x:num" not in text and "x:str" in text
        assert text["style"] == 'mso-number-format:"\\@"'
    assert empty == {}
    assert any((m.get("charset") or "").lower() == "utf-8" for m in parser.meta)


def test_css_strings_cannot_be_broken_out_of() -> None:
    assert css_string('"€"#,##0') == '"\\000022€\\000022\\#\\,\\#\\#0"'
    assert css_string("0;(0)") == '"0\\;\\(0\\)"'


# ---------------------------------------------------------------- HTML export


def test_given_the_models_markdown_when_exported_to_html_then_no_asterisks_survive() -> None:
    page = _bold_caption_journal().pages[0]
    extra = (
        Block(
            "Text",
            (0, 0, 9, 9),
            "A *p*-value of `0.90` and __bold__, see [the site](https://example.org).",
            90,
        ),
        Block("Section-header", (0, 0, 9, 9), "## **Results**", 91),
        Block("Formula", (0, 0, 9, 9), "\\[ E = mc^2 \\]", 92),
        Block("Formula", (0, 0, 9, 9), "\\frac{a}{b} \\unknowncommand{", 93),
        Block("Text", (0, 0, 9, 9), "where $E = mc^2$ costs $5 and $10", 94),
        Block("Text", (0, 0, 9, 9), "see $\\href{http://evil.example/x}{here}$", 95),
    )
    doc = Document("j.png", (Page(0, page.width, page.height, (*page.blocks, *extra)),))
    out = document_to_html(doc)
    assert "**" not in out and "__bold__" not in out
    assert "<strong>TABLE II</strong> – ODDS RATIO" in out
    assert "<em>p</em>-value of <code>0.90</code> and <strong>bold</strong>" in out
    assert '<span class="link">the site</span> (https://example.org)' in out
    assert "<h2><strong>Results</strong></h2>" in out
    assert "<math" in out and "<msup><mi>c</mi><mn>2</mn></msup>" in out
    assert 'x:num="2273"' in out  # the tables are typed like the clipboard's
    assert '<math display="inline">' in out and "costs $5 and $10" in out  # money is not math
    assert 'href="' not in out and "$\\href{http://evil.example/x}{here}$" in out
