"""What a read puts on the clipboard, whichever path copies it: text, HTML and TSV.

The tray's "OCR this", the screen-region capture and a region drawn on the page copy a whole
result the way the Tables tab copies a table: a UTF-8 HTML document (tables typed as in
``core.clipboard``), tab-separated values where every cell goes through ``TableGrid.to_tsv``
(the one TSV writer, so what it neutralises for spreadsheets is neutralised here too), and the
plain text. Plain data: the window makes the Qt MIME object from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.core.document import Block, Document, Page
from desktop.core.exports import document_to_html, document_to_text
from desktop.core.tableblock import BlockTable, read_table_block
from desktop.core.tables import TableCell, TableGrid

_HEADING_MARKS = re.compile(r"^#{1,6}\s+")


@dataclass(frozen=True, slots=True)
class ClipContent:
    """The formats of one copy; ``tables`` counts the tables that travel as cells."""

    text: str
    html: str
    tsv: str
    tables: int = 0

    @property
    def chars(self) -> int:
        """How much text was copied, as a person counts it (no blank padding)."""
        return len(self.text.strip())


def _lines_tsv(text: str) -> str:
    """Each line of text one row of one cell, through the TSV writer."""
    lines = [_HEADING_MARKS.sub("", line) for line in text.splitlines() if line.strip()]
    cells = tuple(
        TableCell(row=i, col=0, rowspan=1, colspan=1, text=s) for i, s in enumerate(lines)
    )
    return TableGrid(rows=len(lines), cols=1, cells=cells).to_tsv() if lines else ""


def _block_tsv(block: Block) -> tuple[str, int]:
    """A block's TSV and how many tables it holds: every table of a Table block, with its
    caption and the text around it (read_table_block keeps them all, in reading order)."""
    text = block.text or ""
    if block.category != "Table":
        return _lines_tsv(text), 0
    pieces: list[str] = []
    tables = 0
    for part in read_table_block(text):
        if isinstance(part, BlockTable):
            if part.caption:
                pieces.append(_lines_tsv(part.caption))
            pieces.append(part.grid.to_tsv())
            tables += 1
        elif part.strip():
            pieces.append(_lines_tsv(part))
    return "\r\n".join(p.rstrip("\r\n") for p in pieces if p.strip()), tables


def document_clip(doc: Document) -> ClipContent:
    """A whole document's copy: its text, its inert HTML page, its TSV."""
    parts: list[str] = []
    tables = 0
    for page in doc.pages:
        if not page.blocks and page.text:
            parts.append(_lines_tsv(page.text))
        for block in page.blocks:
            if block.category == "Picture" or not block.text:
                continue
            tsv, count = _block_tsv(block)
            tables += count
            parts.append(tsv)
    tsv = "\r\n".join(p.rstrip("\r\n") for p in parts if p.strip())
    text = document_to_text(doc).strip("\n")
    return ClipContent(text=text, html=document_to_html(doc), tsv=tsv, tables=tables)


def page_clip(page: Page, source: str = "") -> ClipContent:
    """One page's (or region's) copy."""
    return document_clip(Document(source=source, pages=(page,)))
