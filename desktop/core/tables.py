"""HTML tables (as models write them) -> a cell grid -> TSV, CSV, HTML, Markdown."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from desktop.core.numbers import CURRENCIES, GROUP_SPACES

#: Caps against absurd spans and looping output ("rowspan=99999").
MAX_ROWSPAN = 1000
MAX_COLSPAN = 200
#: The widest sheet a spreadsheet holds (XLSX: 16,384 columns); cells past the last column
#: join the row's last cell, so their text is kept.
MAX_COLS = 16_384
MAX_ROWS = 10_000
#: Rows x columns a grid may cover: a tall table gets fewer columns (at least 200 at the
#: 10,000-row cap) so that a looping answer cannot fill memory with empty positions.
MAX_POSITIONS = 2_000_000

_SPACES = re.compile(r"[ \t\r\f\v]+")
_LEADING_INT = re.compile(r"\s*(\d+)")
#: A cell starting with one of these is a formula to a spreadsheet opening CSV or TSV (OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: ...unless it is wholly a signed number as printed ("-12.5", "+7", "-1 234,50", "-5%",
#: "-$12.50"): digits, separators and a currency sign, which no spreadsheet runs.
_SIGNED_NUMBER = re.compile(
    rf"[+-][{CURRENCIES}]?(?:[0-9](?:[0-9{GROUP_SPACES}.,]*[0-9])?|[.,][0-9]+)"
    rf"(?:\s?[{CURRENCIES}%])?"
)


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell anchored at (row, col), covering rowspan x colspan positions."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    header: bool = False


def span_attrs(cell: TableCell) -> str:
    """The cell's ``rowspan``/``colspan`` attributes ("" for a one-position cell)."""
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    return attrs


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV/TSV cell that a spreadsheet never runs: a formula start gets OWASP's
    single-quote prefix; a signed number as printed and a lone "-" (a table's "none") stay."""
    if text.startswith(_FORMULA_STARTS) and text != "-" and not _SIGNED_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _plain_cell_html(cell: TableCell) -> str:
    tag = "th" if cell.header else "td"
    text = html.escape(cell.text).replace("\n", "<br>")
    return f"<{tag}{span_attrs(cell)}>{text}</{tag}>"


@dataclass(frozen=True, slots=True)
class TableGrid:
    """A rectangular table; every position is covered by exactly one cell."""

    rows: int
    cols: int
    cells: tuple[TableCell, ...]

    def cell_at(self, row: int, col: int) -> TableCell | None:
        """The cell covering (row, col), or None outside the table."""
        for cell in self.cells:
            if (
                cell.row <= row < cell.row + cell.rowspan
                and cell.col <= col < cell.col + cell.colspan
            ):
                return cell
        return None

    @property
    def header_rows(self) -> int:
        """Leading rows made only of header cells (``<thead>`` or all ``<th>``), never all."""
        count = 0
        for row in range(self.rows - 1):
            covering = [
                c for c in self.cells if c.row <= row < c.row + c.rowspan and c.col < self.cols
            ]
            if not covering or not all(c.header for c in covering):
                break
            count += 1
        while count and any(c.row < count < c.row + c.rowspan for c in self.cells):
            count -= 1  # a header cell spanning into the body: freeze above it
        return count

    @property
    def has_spans(self) -> bool:
        return any(c.rowspan > 1 or c.colspan > 1 for c in self.cells)

    def as_matrix(self) -> list[list[str]]:
        """Text by position; positions covered by a span (not its anchor) are ""."""
        matrix = [[""] * self.cols for _ in range(self.rows)]
        for cell in self.cells:
            matrix[cell.row][cell.col] = cell.text
        return matrix

    def _delimited(self, dialect: str, *, for_spreadsheet: bool = True) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, dialect=dialect)
        matrix = self.as_matrix()
        if for_spreadsheet:
            matrix = [[spreadsheet_safe(text) for text in row] for row in matrix]
        writer.writerows(matrix)
        return buf.getvalue()

    def to_tsv(self, *, for_spreadsheet: bool = True) -> str:
        """Tab-separated (excel-tab quoting), what spreadsheets paste as cells; formula
        starts neutralised (``spreadsheet_safe``) unless the text is not for a spreadsheet."""
        return self._delimited("excel-tab", for_spreadsheet=for_spreadsheet)

    def to_csv(self) -> str:
        """Comma-separated (excel quoting), formula starts neutralised; the file writer adds
        the UTF-8 BOM."""
        return self._delimited("excel")

    def to_html(self, cell_html: Callable[[TableCell], str] | None = None) -> str:
        """A clean, inert ``<table>`` with rowspan/colspan kept; ``cell_html`` writes each
        cell (by default its text escaped, line breaks as ``<br>``)."""
        write = cell_html or _plain_cell_html
        by_row: dict[int, list[TableCell]] = {}
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            by_row.setdefault(cell.row, []).append(cell)
        rows = ("".join(write(c) for c in by_row.get(row, [])) for row in range(self.rows))
        return "<table>" + "".join(f"<tr>{cells}</tr>" for cells in rows) + "</table>"

    def to_markdown(self) -> str:
        """A pipe table when there are no merged cells, else the HTML table."""
        if self.has_spans:
            return self.to_html()
        if not self.rows or not self.cols:
            return ""
        matrix = self.as_matrix()

        def line(values: list[str]) -> str:
            cells = [v.replace("|", "\\|").replace("\n", "<br>") for v in values]
            return "| " + " | ".join(cells) + " |"

        lines = [line(matrix[0]), "|" + "|".join(["---"] * self.cols) + "|"]
        lines.extend(line(row) for row in matrix[1:])
        return "\n".join(lines)


def _span(value: str | None, cap: int) -> int:
    """ "2", "2;", " 3px" -> the leading integer; "0", garbage or missing -> 1."""
    if value is None:
        return 1
    match = _LEADING_INT.match(value)
    if match is None:
        return 1
    return min(max(int(match.group(1)[:6]), 1), cap)


@dataclass
class _RawCell:
    rowspan: int
    colspan: int
    header: bool
    parts: list[str]


class _TableReader(HTMLParser):
    """Collects rows of raw cells from the first table; nested tables become text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[_RawCell]] = []
        self.depth = 0  # table nesting
        self.cell: _RawCell | None = None
        self.skip = 0  # inside <script>, <style>
        self.caption: list[str] | None = None  # inside the table's <caption>
        self.captions: list[str] = []
        self.stray: list[str] = []  # text inside the table but outside any cell
        self.thead = False  # cells of <thead> rows are header cells, <td> or <th>
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag in ("script", "style") and self.depth <= 1:
            self.skip += 1
            return
        if tag == "caption" and self.depth == 1:
            self.caption = []
            return
        if tag == "br" and self.caption is not None:
            self.caption.append("\n")
            return
        if tag == "table":
            self.depth += 1
            if self.depth > 1 and self.cell is not None:
                self.cell.parts.append("\n")
            return
        if self.depth > 1:
            parts = self.cell.parts if self.cell is not None else None
            if parts is not None and tag in ("td", "th"):
                parts.append(" ")
            elif parts is not None and (tag == "br" or (tag == "tr" and parts[-1:] != ["\n"])):
                parts.append("\n")
            return
        if tag in ("thead", "tbody", "tfoot"):
            self._close_cell()
            self.thead = tag == "thead"
        elif tag == "tr":
            self._close_cell()
            self.rows.append([])
        elif tag in ("td", "th"):
            self._close_cell()
            if not self.rows:
                self.rows.append([])  # a cell before any <tr>
            named = dict(attrs)
            self.cell = _RawCell(
                _span(named.get("rowspan"), MAX_ROWSPAN),
                _span(named.get("colspan"), MAX_COLSPAN),
                tag == "th" or self.thead,
                [],
            )
            self.rows[-1].append(self.cell)
        elif tag == "br" and self.cell is not None:
            self.cell.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
            return
        if tag == "caption" and self.caption is not None:
            self.captions.append(_clean(self.caption))
            self.caption = None
            return
        if tag == "table":
            self.depth -= 1
            if self.depth <= 0:
                self._close_cell()
                self.done = True  # only the first top-level table
            return
        if self.depth == 1 and tag in ("td", "th", "tr"):
            self._close_cell()
        elif self.depth == 1 and tag == "thead":
            self.thead = False
        elif self.depth > 1 and tag in ("p", "div", "li") and self.cell is not None:
            self.cell.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.done or self.skip:
            return
        if self.caption is not None:
            self.caption.append(data)
        elif self.cell is not None:
            self.cell.parts.append(data)
        elif self.depth == 1:
            self.stray.append(data)  # a browser shows it before the table

    def _close_cell(self) -> None:
        self.cell = None


def _clean(parts: list[str]) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n")]
    return "\n".join(lines).strip("\n")


def parse_table_html(markup: str) -> TableGrid:
    """Grid from a model's ``<table>`` HTML; never raises (empty grid on garbage)."""
    return read_table(markup)[0]


def read_table(markup: str) -> tuple[TableGrid, str, str]:
    """The first table of ``markup``: its grid, its ``<caption>`` text and the text inside
    it that no cell holds (a browser shows that before the table); never raises."""
    reader = _TableReader()
    markup = markup or ""
    if markup.rfind("<") > markup.rfind(">"):
        markup = markup[: markup.rfind("<")]  # a tag cut off mid-way is not cell text
    try:
        reader.feed(markup)
        reader.close()
    except Exception:  # HTMLParser is lenient; this guards odd inputs only
        return TableGrid(0, 0, ()), "", ""
    if reader.caption is not None:  # cut off inside the caption
        reader.captions.append(_clean(reader.caption))
    caption = "\n".join(c for c in reader.captions if c)
    raw_rows = reader.rows[:MAX_ROWS]
    max_cols = min(MAX_COLS, max(MAX_POSITIONS // max(len(raw_rows), 1), 1))
    placed, cols = _place(raw_rows, max_cols)
    cells = [
        TableCell(
            r, c, min(raw.rowspan, len(raw_rows) - r), raw.colspan, _clean(raw.parts), raw.header
        )
        for r, c, raw in placed
    ]
    cells = _drop_bare_rows(len(raw_rows), cells)
    rows = len({r for c in cells for r in range(c.row, c.row + c.rowspan)})
    return _trim_loop_tail(_pad(rows, cols, cells)), caption, _clean(reader.stray)


def _place(
    raw_rows: list[list[_RawCell]], max_cols: int
) -> tuple[list[tuple[int, int, _RawCell]], int]:
    """Each cell at its (row, column), spans honoured; a cell past ``max_cols`` joins the
    last cell placed, so no text is lost. Returns the cells and the column count."""
    occupied: list[list[bool]] = []
    placed: list[tuple[int, int, _RawCell]] = []
    for r, row in enumerate(raw_rows):
        while len(occupied) <= r:
            occupied.append([])
        col = 0
        for cell in row:
            line = occupied[r]
            while col < len(line) and line[col]:
                col += 1
            if col >= max_cols:
                if placed and cell.parts:
                    placed[-1][2].parts.extend([" ", *cell.parts])
                continue
            # A colspan stops at a position already taken by a rowspan from above.
            span = 1
            while span < cell.colspan and col + span < max_cols:
                if col + span < len(line) and line[col + span]:
                    break
                span += 1
            for rr in range(r, min(r + cell.rowspan, len(raw_rows))):
                while len(occupied) <= rr:
                    occupied.append([])
                target = occupied[rr]
                if len(target) < col + span:
                    target.extend([False] * (col + span - len(target)))
                for cc in range(col, col + span):
                    target[cc] = True
            copy = _RawCell(cell.rowspan, span, cell.header, list(cell.parts))
            placed.append((r, col, copy))
            col += span
    cols = max((len(line) for line in occupied[: len(raw_rows)]), default=0)
    return placed, cols


def _drop_bare_rows(rows: int, cells: list[TableCell]) -> list[TableCell]:
    """Remove ``<tr></tr>`` rows that no cell anchors in or spans into."""
    # Coverage by a difference array: linear in rows + cells, whatever the spans.
    delta = [0] * (rows + 1)
    for cell in cells:
        delta[cell.row] += 1
        delta[min(cell.row + cell.rowspan, rows)] -= 1
    new_index: list[int] = []
    depth = kept = 0
    for r in range(rows):
        new_index.append(kept)
        depth += delta[r]
        kept += depth > 0
    if kept == rows:
        return cells
    return [
        TableCell(new_index[c.row], c.col, c.rowspan, c.colspan, c.text, c.header) for c in cells
    ]


def _pad(rows: int, cols: int, cells: list[TableCell]) -> TableGrid:
    """Fill positions no cell covers (short rows) with empty cells."""
    covered = [[False] * cols for _ in range(rows)]
    for cell in cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                covered[r][c] = True
    extra = [
        TableCell(r, c, 1, 1, "") for r in range(rows) for c in range(cols) if not covered[r][c]
    ]
    ordered = sorted(cells + extra, key=lambda c: (c.row, c.col))
    return TableGrid(rows, cols, tuple(ordered))


def _trim_loop_tail(grid: TableGrid) -> TableGrid:
    """Drop trailing rows in which every cell is empty (the looping-model signature)."""
    # One pass: the table ends with the last row that a cell with text covers.
    rows = max((c.row + c.rowspan for c in grid.cells if c.text.strip()), default=0)
    if rows == grid.rows:
        return grid
    if rows == 0:
        return TableGrid(0, 0, ())
    cells = tuple(
        TableCell(c.row, c.col, min(c.rowspan, rows - c.row), c.colspan, c.text, c.header)
        for c in grid.cells
        if c.row < rows
    )
    return TableGrid(rows, grid.cols, cells)
