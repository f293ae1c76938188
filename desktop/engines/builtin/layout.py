"""OCR lines and tables -> blocks in reading order (columns, paragraphs, headings).

Lines first join into paragraphs: a line continues the paragraph right above it when
they overlap horizontally and no gap, indent, change of text size or bullet separates
them (so lines of neighbouring columns never merge). Paragraphs and tables are then put
in reading order by a recursive XY-cut: a white gutter running the full height of a
region splits it into columns (read left to right), wide white gaps split it into
stacked parts (top to bottom).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from desktop.core.document import BBox, Block
from desktop.engines.builtin.ocr import OcrLine
from desktop.engines.builtin.tables import FoundTable

_CAPTION = re.compile(
    r"^(table|tab\.|fig\.?|figure|таблица|рис\.?|рисунок|表|图)\s*[\dIVXLivxl]", re.I
)
_BULLET = re.compile(r"^([•●▪◦·*‣–-]\s|\(?\d{1,2}[.)]\s|\(?[a-z][.)]\s)")


@dataclass(frozen=True, slots=True)
class Item:
    """Something placed in reading order: a paragraph's lines or a whole table."""

    bbox: BBox
    lines: tuple[OcrLine, ...] = ()
    table: FoundTable | None = None


def _gaps(
    spans: Sequence[tuple[int, int]], lo: int, hi: int, min_gap: float
) -> list[tuple[int, int]]:
    """White intervals of at least ``min_gap`` between ``lo`` and ``hi`` not covered by spans."""
    out: list[tuple[int, int]] = []
    reach = lo
    for a, b in sorted(spans):
        if a - reach >= min_gap and reach > lo:
            out.append((reach, a))
        reach = max(reach, b)
    return out


def _bounds(items: Sequence[Item]) -> BBox:
    return (
        min(i.bbox[0] for i in items),
        min(i.bbox[1] for i in items),
        max(i.bbox[2] for i in items),
        max(i.bbox[3] for i in items),
    )


def _split(items: Sequence[Item], cuts: Sequence[tuple[int, int]], axis: int) -> list[list[Item]]:
    parts: list[list[Item]] = [[] for _ in range(len(cuts) + 1)]
    for it in items:
        centre = (it.bbox[axis] + it.bbox[axis + 2]) / 2
        k = sum(1 for a, _ in cuts if centre > a)
        parts[k].append(it)
    return [p for p in parts if p]


def _vertical_cuts(items: Sequence[Item], gutter: float) -> list[tuple[int, int]]:
    x0, _, x1, _ = _bounds(items)
    return _gaps([(i.bbox[0], i.bbox[2]) for i in items], x0, x1, gutter)


def xy_order(items: Sequence[Item], line_h: float, depth: int = 0) -> list[list[Item]]:
    """Leaf groups (one column's stack of lines, or a table) in reading order."""
    if len(items) <= 1 or depth > 40:
        return [sorted(items, key=lambda i: (i.bbox[1], i.bbox[0]))] if items else []
    _, y0, _, y1 = _bounds(items)
    vcuts = _vertical_cuts(items, 0.3 * line_h)
    if vcuts:
        return [g for part in _split(items, vcuts, 0) for g in xy_order(part, line_h, depth + 1)]
    hspans = [(i.bbox[1], i.bbox[3]) for i in items]
    hcuts = _gaps(hspans, y0, y1, 1.0 * line_h)
    if hcuts:
        parts = _split(items, hcuts, 1)
        if len(parts) > 1:
            return [g for part in parts for g in xy_order(part, line_h, depth + 1)]
    soft = _soft_vertical_cuts(items, max(3.0, 0.1 * line_h))
    if soft:
        crossing = [i for i in items if any(i.bbox[0] < a and i.bbox[2] > b for a, b in soft)]
        others = [i for i in items if i not in crossing]
        top = max((i.bbox[3] for i in crossing), default=0)
        if crossing and others and top <= min(i.bbox[1] for i in others) + 0.3 * line_h:
            # Headings over the columns: read them first, then the columns.
            return xy_order(crossing, line_h, depth + 1) + xy_order(others, line_h, depth + 1)
        parts = _split(items, soft, 0)
        if len(parts) > 1:
            return [g for part in parts for g in xy_order(part, line_h, depth + 1)]
    # Find the first small gap under which the rest splits into columns (a heading over
    # two columns, set close), or above which the part does.
    for gap in _gaps(hspans, y0, y1, 1):
        upper, lower = _split(items, [gap], 1)
        if (len(upper) > 1 and _vertical_cuts(upper, 0.3 * line_h)) or (
            len(lower) > 1 and _vertical_cuts(lower, 0.3 * line_h)
        ):
            return xy_order(upper, line_h, depth + 1) + xy_order(lower, line_h, depth + 1)
    return [sorted(items, key=lambda i: (i.bbox[1], i.bbox[0]))]


def _soft_vertical_cuts(items: Sequence[Item], min_gap: float) -> list[tuple[int, int]]:
    """Gutters crossed by only a few items (lines the detector ran across two columns).

    Used when no clean cut exists: reading such a region column by column and placing
    the few crossing items by their centre beats reading it row by row across columns.
    """
    x0, _, x1, _ = _bounds(items)
    width = x1 - x0
    if width <= 0 or len(items) < 6:
        return []
    cover = np.zeros(width + 1, dtype=np.int32)
    for it in items:
        cover[it.bbox[0] - x0 : it.bbox[2] - x0] += 1
    limit = max(1, int(0.1 * len(items)))
    low = cover <= limit
    cuts: list[tuple[int, int]] = []
    start: int | None = None
    for x, flag in enumerate([*low.tolist(), False]):
        if flag and start is None:
            start = x
        elif not flag and start is not None:
            # Only inner gutters count; both sides must hold real columns of text.
            if x - start >= min_gap and start > 0 and x < width:
                left = sum(1 for it in items if it.bbox[2] - x0 <= start)
                right = sum(1 for it in items if it.bbox[0] - x0 >= x)
                if left >= 3 and right >= 3:
                    cuts.append((start + x0, x + x0))
            start = None
    return cuts


def join_lines(lines: Sequence[OcrLine]) -> str:
    text = ""
    for ln in lines:
        t = ln.text.strip()
        if not text:
            text = t
        elif re.search(r"[^\W\d_]-$", text) and t[:1].islower():
            text = text[:-1] + t  # a word hyphenated at the line end
        elif re.search(r"\d[-–]$", text) and t[:1].isdigit():
            text += t  # a number range broken at the line end
        else:
            text += " " + t
    return text


def _x_overlap(a: OcrLine, b: OcrLine) -> float:
    """Horizontal overlap as a share of the narrower line."""
    ov = min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0])
    return ov / max(1, min(a.width, b.width))


def _continues(para: list[OcrLine], ln: OcrLine) -> bool:
    """Whether ``ln`` is the next line of paragraph ``para``."""
    prev = para[-1]
    h = max(1, min(prev.height, ln.height))
    gap = ln.bbox[1] - prev.bbox[3]
    if gap > 0.7 * h or gap < -0.6 * h or _x_overlap(prev, ln) < 0.5:
        return False
    if max(prev.height, ln.height) / h > 1.45 or _BULLET.match(ln.text):
        return False
    left = min(x.bbox[0] for x in para)
    right = max(x.bbox[2] for x in para)
    if ln.bbox[0] - left > 0.8 * h and prev.bbox[0] - left < 0.8 * h:
        return False  # an indented first line starts the next paragraph
    # A line above that ended short closed its paragraph.
    return not (len(para) > 1 and right - prev.bbox[2] > 3 * h)


def paragraphs(lines: Sequence[OcrLine]) -> list[list[OcrLine]]:
    """Lines grouped into paragraphs, each a vertical run within one column."""
    paras: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda x: (x.bbox[1], x.bbox[0])):
        open_ = [p for p in paras if _continues(p, ln)]
        if open_:
            max(open_, key=lambda p: _x_overlap(p[-1], ln)).append(ln)
        else:
            paras.append([ln])
    return paras


def _box(lines: Sequence[OcrLine]) -> BBox:
    return (
        min(ln.bbox[0] for ln in lines),
        min(ln.bbox[1] for ln in lines),
        max(ln.bbox[2] for ln in lines),
        max(ln.bbox[3] for ln in lines),
    )


def reading_order(
    lines: Sequence[OcrLine], tables: Sequence[FoundTable] = (), line_h: float | None = None
) -> list[Item]:
    """Paragraphs and tables in reading order."""
    items = [Item(_box(p), lines=tuple(p)) for p in paragraphs(lines)]
    items += [Item(t.bbox, table=t) for t in tables]
    if not items:
        return []
    if line_h is None:
        line_h = float(statistics.median([ln.height for ln in lines] or [20]))
    return [it for group in xy_order(items, line_h) for it in group]


def _pitch(line: OcrLine) -> float:
    """Average advance per character: tracks font size better than box height."""
    return line.width / max(1, len(line.text))


@dataclass(frozen=True, slots=True)
class TextScale:
    """The page's body text size: median line height and character pitch."""

    height: float
    pitch: float

    @classmethod
    def of(cls, lines: Sequence[OcrLine]) -> TextScale:
        if not lines:
            return cls(20.0, 10.0)
        prose = [ln for ln in lines if len(ln.text) >= 15] or list(lines)
        return cls(
            float(statistics.median(ln.height for ln in lines)),
            float(statistics.median(_pitch(ln) for ln in prose)),
        )

    def relative(self, lines: Sequence[OcrLine]) -> float:
        """How much bigger than body text these lines look (1.0 = body size)."""
        by_height = statistics.median(ln.height for ln in lines) / self.height
        if by_height >= 1.35:
            return by_height
        if by_height >= 1.12:  # box heights barely grow for capitals: check the pitch too
            return max(by_height, statistics.median(_pitch(ln) for ln in lines) / self.pitch)
        return by_height


def _category(
    lines: Sequence[OcrLine],
    text: str,
    *,
    scale: TextScale,
    page: tuple[int, int],
    near_table: bool,
) -> str:
    page_w, page_h = page
    box_y0 = min(ln.bbox[1] for ln in lines)
    box_y1 = max(ln.bbox[3] for ln in lines)
    width = max(ln.bbox[2] for ln in lines) - min(ln.bbox[0] for ln in lines)
    size = scale.relative(lines)
    if _CAPTION.match(text) and (near_table or len(lines) <= 3):
        return "Caption"
    if len(lines) == 1 and width < 0.6 * page_w and size < 1.2:
        if box_y1 < 0.1 * page_h:
            return "Page-header"
        if box_y0 > 0.93 * page_h:
            return "Page-footer"
    if len(lines) <= 3 and size >= 1.5 and box_y0 < 0.4 * page_h:
        return "Title"
    if len(lines) <= 2 and size >= 1.3:
        return "Section-header"
    if _BULLET.match(text):
        return "List-item"
    return "Text"


def build_blocks(
    lines: Sequence[OcrLine],
    tables: Sequence[FoundTable],
    page_w: int,
    page_h: int,
    *,
    with_text: bool = True,
    all_lines: Sequence[OcrLine] | None = None,
) -> list[Block]:
    """Blocks in reading order; tables carry their HTML."""
    scale = TextScale.of(all_lines if all_lines is not None else lines)
    line_h = float(statistics.median([ln.height for ln in lines] or [scale.height]))
    blocks: list[Block] = []
    for it in reading_order(lines, tables, line_h):
        if it.table is not None:
            html = it.table.html if with_text else None
            blocks.append(Block("Table", it.table.bbox, html, len(blocks)))
            continue
        text = join_lines(it.lines)
        box = it.bbox
        near = any(
            -3 * line_h < t.bbox[1] - box[3] < 3 * line_h
            or -3 * line_h < box[1] - t.bbox[3] < 3 * line_h
            for t in tables
        )
        cat = _category(it.lines, text, scale=scale, page=(page_w, page_h), near_table=near)
        if cat == "Title" and any(b.category == "Title" for b in blocks):
            cat = "Section-header"  # one title a page; later big lines are headings
        blocks.append(Block(cat, box, text if with_text else None, len(blocks)))
    return blocks


def table_text(table: FoundTable) -> str:
    """Plain-text rendering of a table for text mode: one row a line, cells tab-separated."""
    grid = [[""] * table.cols for _ in range(table.rows)]
    for c in table.cells:
        grid[c.row][c.col] = c.text
    return "\n".join("\t".join(row).rstrip() for row in grid)
