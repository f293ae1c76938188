"""Tables into an XLSX workbook that reads well: numbers as printed, fitted, headed, named."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.document import Block, Document
from desktop.core.mdhtml import plain_text
from desktop.core.numbers import NumberConvention, infer_convention, parse_printed_number
from desktop.core.tableblock import BlockTable, read_table_block
from desktop.core.tables import TableGrid, spreadsheet_safe

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Column widths in characters of the default font: a floor and a cap for long cells.
MIN_WIDTH = 6
MAX_WIDTH = 60


@dataclass(frozen=True, slots=True)
class IndexWords:
    """The words of the first sheet that lists the tables; a caller in another language
    passes its own (the CLI writes English)."""

    sheet: str = "Document"
    headers: tuple[str, str, str] = ("Sheet", "Page", "Caption")


ENGLISH_INDEX = IndexWords()


@dataclass(frozen=True, slots=True)
class SheetTable:
    """A table bound for its own sheet: the grid, where it came from and its caption."""

    name: str
    grid: TableGrid
    page_index: int | None = None
    caption: str = ""
    #: Lines of the Table block's own text written above and below the table (its
    #: ``<caption>``, a note, a source line), each section apart by a blank row.
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


def plain_caption(markdown: str) -> str:
    """A caption's Markdown as one line of plain text ("**TABLE II** - X" -> "TABLE II - X")."""
    return " ".join(_CONTROL.sub("", plain_text(markdown)).split())


def _caption_of(blocks: Sequence[Block], i: int) -> str:
    """The Caption just before the table, else one just after it that no table follows."""
    if i > 0 and blocks[i - 1].category == "Caption":
        return plain_caption(blocks[i - 1].text or "")
    after = blocks[i + 1] if i + 1 < len(blocks) else None
    beyond = blocks[i + 2] if i + 2 < len(blocks) else None
    if (
        after is not None
        and after.category == "Caption"
        and (beyond is None or not beyond.is_table)
    ):
        return plain_caption(after.text or "")
    return ""


def document_sheet_tables(doc: Document) -> list[SheetTable]:
    """Every table of the document, named ``p<page>_t<n>``, with its caption and the text
    of its Table block around it: text before a table goes above it, text after the last
    one below it; a Table block with text but no table gives a sheet of that text."""
    found: list[SheetTable] = []
    for page in doc.pages:
        n = 0
        for i, block in enumerate(page.blocks):
            if not block.is_table:
                continue
            pending: list[str] = []
            tables: list[SheetTable] = []
            for part in read_table_block(block.text or ""):
                if not isinstance(part, BlockTable):
                    pending += part.split("\n")
                    continue
                n += 1
                caption = plain_caption(part.caption) if part.caption else ""
                if not caption and not tables:
                    caption = _caption_of(page.blocks, i)
                before = (*pending, *part.caption.split("\n")) if part.caption else pending
                name = f"p{page.index + 1}_t{n}"
                tables.append(SheetTable(name, part.grid, page.index, caption, tuple(before)))
                pending = []
            if pending and tables:
                last = tables[-1]
                tables[-1] = SheetTable(
                    last.name, last.grid, last.page_index, last.caption, last.before, tuple(pending)
                )
            elif pending:
                n += 1
                empty = TableGrid(0, 0, ())
                caption = _caption_of(page.blocks, i)
                tables.append(
                    SheetTable(
                        f"p{page.index + 1}_t{n}", empty, page.index, caption, tuple(pending)
                    )
                )
            found += tables
    return found


def sheet_csv(table: SheetTable) -> str:
    """The table as CSV (formula starts neutralised), with the text of ``before`` and
    ``after`` as one-cell rows, each section apart by a blank row."""
    buf = io.StringIO()
    writer = csv.writer(buf, dialect="excel")
    sections = [
        [[line] for line in table.before],
        table.grid.as_matrix(),
        [[line] for line in table.after],
    ]
    rows: list[list[str]] = []
    for section in (s for s in sections if s):
        if rows:
            rows.append([])
        rows += section
    writer.writerows([[spreadsheet_safe(text) for text in row] for row in rows])
    return buf.getvalue()


def document_convention(doc: Document) -> NumberConvention:
    """The separators the document prints numbers with, from the language of its text."""
    return infer_convention(b.text or "" for p in doc.pages for b in p.blocks)


def sheet_title(name: str, taken: set[str]) -> str:
    """A legal, unique Excel sheet name (<= 31 characters, no []:*?/\\)."""
    base = _SHEET_FORBIDDEN.sub("_", _CONTROL.sub("", name)).strip().strip("'") or "Table"
    base = base[:31].rstrip()
    candidate, n = base, 2
    while candidate.lower() in taken or candidate.lower() == "history":
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def text_width(text: str) -> int:
    """Characters a line takes on screen: East Asian wide and full-width count twice."""
    lines = text.split("\n") or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def column_widths(grid: TableGrid) -> list[float]:
    """Each column fitted to its longest single-column cell, within MIN/MAX_WIDTH."""
    widths = [0] * grid.cols
    for cell in grid.cells:
        if cell.colspan == 1 and cell.col < grid.cols:
            widths[cell.col] = max(widths[cell.col], text_width(plain_text(cell.text)))
    return [float(min(max(w + 2, MIN_WIDTH), MAX_WIDTH)) for w in widths]


def _fill_lines(sheet: object, lines: Sequence[str], first_row: int) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    for r, line in enumerate(lines, start=first_row):
        target = sheet.cell(row=r, column=1, value=_CONTROL.sub("", line))
        target.data_type = "s"


def _fill_sheet(sheet: object, table: SheetTable, convention: NumberConvention) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    grid = table.grid
    _fill_lines(sheet, table.before, 1)
    top = len(table.before) + 1 if table.before else 0  # rows above the table
    if table.after:
        _fill_lines(sheet, table.after, top + grid.rows + (2 if grid.rows else 1))
    bold = Font(bold=True)
    for cell in grid.cells:
        target = sheet.cell(row=top + cell.row + 1, column=cell.col + 1)
        # The model's Markdown in a cell ("*p*-value") is shown as the text it stands for.
        text = _CONTROL.sub("", plain_text(cell.text))
        number = parse_printed_number(text, convention)
        if number is not None:
            target.value = number.value
            target.number_format = number.number_format
        else:
            target.value = text
            target.data_type = "s"  # text stays text: "=1+1" is never run as a formula
        merged = cell.rowspan > 1 or cell.colspan > 1
        if merged or "\n" in text:
            target.alignment = Alignment(
                horizontal="center" if merged else None,
                vertical="center" if merged else "top",
                wrap_text="\n" in text or None,
            )
        if cell.header:
            target.font = bold
        if merged:
            sheet.merge_cells(
                start_row=top + cell.row + 1,
                start_column=cell.col + 1,
                end_row=top + cell.row + cell.rowspan,
                end_column=cell.col + cell.colspan,
            )
    for col, width in enumerate(column_widths(grid), start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    if grid.header_rows:
        sheet.freeze_panes = f"A{top + grid.header_rows + 1}"


def _fill_index(
    sheet: object, tables: Sequence[SheetTable], titles: Sequence[str], headers: Sequence[str]
) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    rows: list[tuple[str, int | str, str]] = [(headers[0], headers[1], headers[2])]
    for table, title in zip(tables, titles, strict=True):
        page: int | str = "" if table.page_index is None else table.page_index + 1
        rows.append((title, page, table.caption))
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            target = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                target.data_type = "s"
            if r == 1:
                target.font = Font(bold=True)
            elif c == 1:
                quoted = str(value).replace("'", "''")
                # A link inside the workbook: a location, not an external target.
                target.hyperlink = Hyperlink(ref=target.coordinate, location=f"'{quoted}'!A1")
    for c in range(1, len(headers) + 1):
        longest = max(text_width(str(row[c - 1])) for row in rows)
        width = float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH * 2))
        sheet.column_dimensions[get_column_letter(c)].width = width
    sheet.freeze_panes = "A2"


def workbook_bytes(
    tables: Sequence[SheetTable | tuple[str, TableGrid]],
    convention: NumberConvention = NumberConvention.DECIMAL_POINT,
    words: IndexWords = ENGLISH_INDEX,
) -> bytes:
    """The XLSX file: a "Document" index first when there are several tables, then one
    sheet per table named by its caption (else its name)."""
    from openpyxl import Workbook

    items = [t if isinstance(t, SheetTable) else SheetTable(t[0], t[1]) for t in tables]
    if not items:
        items = [SheetTable("Table", TableGrid(0, 0, ()))]
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    taken: set[str] = set()
    index = workbook.create_sheet(sheet_title(words.sheet, taken)) if len(items) > 1 else None
    titles = []
    for item in items:
        title = sheet_title(item.caption or item.name, taken)
        titles.append(title)
        _fill_sheet(workbook.create_sheet(title), item, convention)
    if index is not None:
        _fill_index(index, items, titles, words.headers)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()
