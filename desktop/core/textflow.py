"""Where each line of a page's text goes in its invisible text layer: plain geometry, no PDF.

Boxes arrive in the pixels of the image the page was read from; lines leave in points of
the page as seen (origin bottom left, y up), so a viewer's selection covers the words
printed under it. The model gives no line boxes, so a block's text is flowed into the
block: as many lines as fit text of that length into a box of that shape, each line filling
the box's width. A table's cells go into their cells of a grid laid over the table's box,
columns as wide as their longest text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from desktop.core.document import Block, Page
from desktop.core.inklines import ink_bands, split_over
from desktop.core.mdhtml import plain_text
from desktop.core.tableblock import BlockTable, TablePart, read_table_block
from desktop.core.tables import TableGrid

#: A glyph's advance and a line's height, in font sizes: one line is one font size tall.
_ADVANCE = 0.5
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?=\S)")
_FORMULA_MARKS = re.compile(r"^\s*(?:\$\$|\\\[)|(?:\$\$|\\\])\s*$")
#: Categories printed as lines of text (tables go by cells, formulas by their box).
_PROSE = frozenset(
    {"Text", "Title", "Section-header", "List-item", "Caption", "Footnote"}
    | {"Page-header", "Page-footer"}
)
_GLYPH_RATIO = (0.2, 2.0)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\u00a0]+")
#: Control characters and lone surrogates: nothing a reader could select or copy.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text: baseline start (x, y), font size and horizontal scale, in points."""

    text: str
    x: float
    y: float
    size: float
    #: Horizontal scaling in percent (the PDF ``Tz``): how much wider than 0.5 em each glyph is.
    scale: float


@dataclass(frozen=True, slots=True)
class Rect:
    """A box in points, origin bottom left."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom


def block_text(block: Block) -> str:
    """The text a block shows, as plain lines: Markdown marks dropped, LaTeX kept as written."""
    text = block.text or ""
    if block.category == "Picture" or not text.strip():
        return ""
    if block.category == "Formula":
        return _FORMULA_MARKS.sub("", text.strip()).strip()
    text = _HEADING.sub("", text)
    return "\n".join(
        _SPACES.sub(" ", plain_text(line)).strip() for line in text.splitlines() if line.strip()
    )


def block_rect(block: Block, page: Page, width_pt: float, height_pt: float) -> Rect | None:
    """The block's box in points (clipped to the page), or None where nothing of it is on it."""
    if page.width <= 0 or page.height <= 0:
        return None
    sx, sy = width_pt / page.width, height_pt / page.height
    x1, y1, x2, y2 = block.bbox
    left, right = max(0.0, min(x1, x2) * sx), min(width_pt, max(x1, x2) * sx)
    top, bottom = (
        height_pt - max(0.0, min(y1, y2) * sy),
        height_pt - min(height_pt, max(y1, y2) * sy),
    )
    if right - left < 0.5 or top - bottom < 0.5:
        return None
    return Rect(left, bottom, right, top)


def wrap(text: str, lines: int) -> list[str]:
    """``text`` broken into about ``lines`` lines of even length, at spaces where it has them
    (CJK and long words are cut between characters); its own line breaks kept."""
    paragraphs = [p for p in text.split("\n") if p]
    total = sum(len(p) for p in paragraphs)
    if not total:
        return []
    target = max(1, math.ceil(total / max(1, lines)))
    out: list[str] = []
    for para in paragraphs:
        line = ""
        for whole in para.split(" "):
            word = whole
            while len(word) > target:  # no space to break at: cut it
                room = target - len(line) - (1 if line else 0)
                if room <= 0:
                    out.append(line)
                    line, room = "", target
                line = f"{line} {word[:room]}" if line else word[:room]
                word = word[room:]
            if not line:
                line = word
            elif len(line) + 1 + len(word) <= target:
                line = f"{line} {word}"
            else:
                out.append(line)
                line = word
        if line:
            out.append(line)
    return out


def flow(text: str, rect: Rect, *, one_line: bool = False) -> list[TextLine]:
    """``text`` flowed into ``rect``: lines stacked top to bottom, each filling the width
    (a paragraph's last line as wide as its characters at the block's common scale);
    ``one_line`` keeps each of the text's own lines whole (a table cell)."""
    text = _UNPRINTABLE.sub("", text).strip()
    if not text or rect.width <= 0 or rect.height <= 0:
        return []
    own_lines = len([p for p in text.split("\n") if p])
    chars = len(text.replace("\n", ""))
    # n glyphs of 0.5 em in L lines of one em each fill a w x h box when L^2 = n*0.5*h/w.
    guess = round(math.sqrt(chars * _ADVANCE * rect.height / rect.width))
    lines = wrap(text, own_lines if one_line else max(own_lines, min(chars, max(1, guess))))
    if not lines:
        return []
    size = rect.height / len(lines)
    ends = _paragraph_ends(text, lines)
    full = max(len(line) for line in lines)
    common = 100.0 * rect.width / (full * _ADVANCE * size)
    if one_line:  # a short cell in a wide column: its words stay together at the left
        common = min(common, 100.0)
    out = []
    for i, line in enumerate(lines):
        scale = common if i in ends else 100.0 * rect.width / (len(line) * _ADVANCE * size)
        out.append(TextLine(line, rect.left, rect.top - (i + 1) * size, size, scale))
    return out


def _paragraph_ends(text: str, lines: list[str]) -> set[int]:
    """Indexes of the lines that end a paragraph (they need not fill the width)."""
    ends: set[int] = set()
    remaining = [len(p) for p in text.split("\n") if p]
    used = 0
    for i, line in enumerate(lines):
        used += len(line)
        if remaining and used >= remaining[0]:
            ends.add(i)
            remaining.pop(0)
            used = 0
        else:
            used += 1  # the space the break replaced
    return ends


def table_lines(grid: TableGrid, rect: Rect) -> list[TextLine]:
    """Each cell's text inside its cell of a grid over ``rect``: rows of equal height,
    columns as wide as their longest text (at least a little), rows read left to right."""
    if not grid.rows or not grid.cols:
        return []
    longest = [1] * grid.cols
    for cell in grid.cells:
        if cell.colspan == 1:
            longest[cell.col] = max(longest[cell.col], len(cell.text))
    total = sum(longest)
    edges = [rect.left]
    for n in longest:
        edges.append(edges[-1] + rect.width * n / total)
    row_h = rect.height / grid.rows
    out: list[TextLine] = []
    for cell in sorted(grid.cells, key=lambda c: (c.row, c.col)):
        text = " ".join(plain_text(cell.text).split())
        if not text:
            continue
        right = edges[min(grid.cols, cell.col + cell.colspan)]
        top = rect.top - cell.row * row_h
        bottom = top - min(cell.rowspan, grid.rows - cell.row) * row_h
        pad = min(row_h, right - edges[cell.col]) * 0.1
        inner = Rect(edges[cell.col] + pad, bottom + pad, right - pad, top - pad)
        out.extend(flow(text, inner, one_line=True))
    return out


def ink_lines(
    text: str, block: Block, page: Page, gray: np.ndarray, *, width_pt: float, height_pt: float
) -> list[TextLine]:
    """``text`` over the lines printed in the block (found in ``gray``, the page's pixels at
    any scale); ``[]`` where the ink shows no lines the text can be cut into."""
    text = _UNPRINTABLE.sub("", text).strip()
    gh, gw = gray.shape[:2]
    if not text or not gw or not gh or page.width <= 0 or page.height <= 0:
        return []
    gx, gy = gw / page.width, gh / page.height
    x1, y1, x2, y2 = block.bbox
    bands = ink_bands(gray, (round(x1 * gx), round(y1 * gy), round(x2 * gx), round(y2 * gy)))
    chars = len(text.replace("\n", ""))
    if not bands or (len(bands) > 3 and chars < 2 * len(bands)):  # noise, not lines of text
        return []
    own = [line for line in text.split("\n") if line.strip()]
    parts = own if len(own) == len(bands) else split_over(text, [b.right - b.left for b in bands])
    px, py = width_pt / gw, height_pt / gh
    out = []
    for band, part in zip(bands, parts, strict=False):
        size, width = band.height * py, (band.right - band.left) * px
        if size <= 0 or width <= 0 or not part:
            continue
        # Printed characters are 0.2 to 2 line heights wide: other ink (a rule, a stamp,
        # a picture's edge) is not this line, and the block's box is the better guide.
        if not _GLYPH_RATIO[0] <= width / len(part) / size <= _GLYPH_RATIO[1]:
            return []
        scale = 100.0 * width / (len(part) * _ADVANCE * size)
        out.append(TextLine(part, band.left * px, height_pt - band.bottom * py, size, scale))
    return out


def _table_block_text(parts: tuple[TablePart, ...]) -> str:
    """A Table block's pieces in reading order: captions and text as lines, a row a line."""
    lines: list[str] = []
    for part in parts:
        if isinstance(part, BlockTable):
            lines += [part.caption] if part.caption else []
            lines += [" ".join(c for c in row if c) for row in part.grid.as_matrix()]
        else:
            lines.append(part)
    return "\n".join(line for line in lines if line.strip())


def page_lines(
    page: Page, width_pt: float, height_pt: float, gray: np.ndarray | None = None
) -> list[TextLine]:
    """Every line of ``page``'s text layer in reading order (the blocks' order), in points of
    a ``width_pt`` x ``height_pt`` page; text-only results fill the whole page. With the
    page's pixels (``gray``), prose goes over its printed lines where they can be found."""
    if not page.blocks:
        whole = Rect(0.0, 0.0, width_pt, height_pt)
        return flow(block_text(Block("Text", (0, 0, 1, 1), page.text)), whole) if page.text else []
    out: list[TextLine] = []
    for block in page.blocks:
        rect = block_rect(block, page, width_pt, height_pt)
        if rect is None:
            continue
        if block.category == "Table":
            parts = read_table_block(block.text or "")
            if len(parts) == 1 and isinstance(parts[0], BlockTable) and not parts[0].caption:
                out.extend(table_lines(parts[0].grid, rect))  # each cell inside its cell
                continue
            if parts:  # tables with captions or text around them: all of it, flowed
                out.extend(flow(_table_block_text(parts), rect))
                continue
            text = block_text(Block("Text", block.bbox, _TAG.sub(" ", block.text or "")))
        else:
            text = block_text(block)
        if gray is not None and block.category in _PROSE:
            found = ink_lines(text, block, page, gray, width_pt=width_pt, height_pt=height_pt)
            if found:
                out.extend(found)
                continue
        out.extend(flow(text, rect))
    return out
