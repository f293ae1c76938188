"""A Table block as the model writes it: its tables, their captions, and the text around them.

A Table block is HTML that can hold more than one ``<table>``, a ``<caption>`` in each, and
text before, between and after them (a note, a source line). ``read_table_block`` keeps
every piece in reading order, so every export can show all of it: text as paragraphs (or
rows), each table with its caption. Text a table holds outside its cells is shown before
the table, as a browser shows it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from desktop.core.tables import TableGrid, read_table

_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
#: Tags that end a line of text outside tables.
_LINE_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section"}
)


@dataclass(frozen=True, slots=True)
class BlockTable:
    """One table of a Table block: a grid with at least one row, and its caption."""

    grid: TableGrid
    caption: str = ""


#: A piece of a Table block: text (lines joined by "\n") or a table.
TablePart = str | BlockTable


@functools.lru_cache(maxsize=512)
def read_table_block(markup: str) -> tuple[TablePart, ...]:
    """Every piece of a Table block's HTML in reading order; never raises."""
    parts: list[TablePart] = []
    pos = depth = start = 0
    for tag in _TABLE_TAG.finditer(markup):
        if not tag.group(1):
            if depth == 0:
                _add_text(parts, markup[pos : tag.start()])
                start = tag.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                _add_table(parts, markup[start : tag.end()])
                pos = tag.end()
    if depth:
        _add_table(parts, markup[start:])  # cut off inside a table
    else:
        _add_text(parts, markup[pos:])
    return tuple(parts)


def block_tables(markup: str) -> list[BlockTable]:
    """The tables of a Table block, in order."""
    return [p for p in read_table_block(markup) if isinstance(p, BlockTable)]


def _add_text(parts: list[TablePart], markup: str) -> None:
    text = html_text(markup)
    if text:
        parts.append(text)


def _add_table(parts: list[TablePart], markup: str) -> None:
    grid, caption, stray = read_table(markup)
    if stray:
        parts.append(stray)
    if grid.rows and grid.cols:
        parts.append(BlockTable(grid, caption))
    elif caption:
        parts.append(caption)  # a table without cells: its caption is still text


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        elif tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The text of an HTML fragment: one line per paragraph, spaces collapsed."""
    if "<" not in markup and "&" not in markup:
        raw = markup
    else:
        reader = _TextReader()
        try:
            reader.feed(markup)
            reader.close()
        except Exception:  # HTMLParser is lenient; this guards odd inputs only
            return " ".join(markup.split())
        raw = "".join(reader.parts)
    lines = (_SPACES.sub(" ", line).strip() for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)
