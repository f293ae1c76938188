"""OCR lines and tables -> blocks in reading order (columns, paragraphs, headings).

Reading order comes from a recursive XY-cut: a white gutter running the full height of
a region splits it into columns (read left to right), wide white gaps split it into
stacked parts (top to bottom). Inside a column, lines join into paragraphs unless a
gap, an indent, a change of text size or a bullet separates them.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.document import BBox, Block
from desktop.engines.builtin.ocr import OcrLine
from desktop.engines.builtin.tables import FoundTable

_CAPTION = re.compile(
    r"^(table|tab\.|fig\.?|figure|таблица|рис\.?|рисунок|表|图)\s*[\dIVXLivxl]", re.I
)
_BULLET = re.compile(r"^([•●▪◦·*‣–-]\s|\(?\d{1,2}[.)]\s|\(?[a-z][.)]\s)")


@dataclass(frozen=True, slots=True)
class Item:
    """Something placed in reading order: a text line or a whole table."""

    bbox: BBox
    line: OcrLine | None = None
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
    vcuts = _vertical_cuts(items, 0.6 * line_h)
    if vcuts:
        return [g for part in _split(items, vcuts, 0) for g in xy_order(part, line_h, depth + 1)]
    hspans = [(i.bbox[1], i.bbox[3]) for i in items]
    hcuts = _gaps(hspans, y0, y1, 1.0 * line_h)
    if not hcuts:
        # Find the first small gap under which the rest splits into columns (a heading
        # over two columns, set close), or above which the part does.
        small = _gaps(hspans, y0, y1, 1)
        for gap in small:
            upper, lower = _split(items, [gap], 1)
            if (len(upper) > 1 and _vertical_cuts(upper, 0.6 * line_h)) or (
                len(lower) > 1 and _vertical_cuts(lower, 0.6 * line_h)
            ):
                hcuts = [gap]
                break
    if hcuts:
        parts = _split(items, hcuts, 1)
        if len(parts) > 1:
            return [g for part in parts for g in xy_order(part, line_h, depth + 1)]
    lines = sorted(items, key=lambda i: (i.bbox[1], i.bbox[0]))
    return [lines]


def _join_lines(lines: Sequence[OcrLine]) -> str:
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


def paragraphs(lines: Sequence[OcrLine]) -> list[list[OcrLine]]:
    """Consecutive lines of one column grouped into paragraphs."""
    if not lines:
        return []
    left = min(ln.bbox[0] for ln in lines)
    right = max(ln.bbox[2] for ln in lines)
    out: list[list[OcrLine]] = [[lines[0]]]
    for prev, ln in itertools.pairwise(lines):
        h = max(1, min(prev.height, ln.height))
        gap = ln.bbox[1] - prev.bbox[3]
        size_change = max(prev.height, ln.height) / h > 1.45
        indent = ln.bbox[0] - left > 0.8 * h and prev.bbox[0] - left < 0.8 * h
        short_prev = right - prev.bbox[2] > 3 * h
        same_row = ln.bbox[1] < prev.cy
        new = (
            gap > 0.7 * h
            or size_change
            or indent
            or short_prev
            or bool(_BULLET.match(ln.text))
            or (same_row and ln.bbox[0] > prev.bbox[2])
        )
        if new:
            out.append([ln])
        else:
            out[-1].append(ln)
    return out


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
    items = [Item(ln.bbox, line=ln) for ln in lines]
    items += [Item(t.bbox, table=t) for t in tables]
    if not items:
        return []
    scale = TextScale.of(all_lines if all_lines is not None else lines)
    line_h = float(statistics.median([ln.height for ln in lines] or [scale.height]))
    blocks: list[Block] = []
    for group in xy_order(items, line_h):
        run: list[OcrLine] = []
        for it in [*group, Item((0, 0, 0, 0))]:
            if it.line is not None:
                run.append(it.line)
                continue
            for para in paragraphs(run):
                text = _join_lines(para)
                box: BBox = (
                    min(ln.bbox[0] for ln in para),
                    min(ln.bbox[1] for ln in para),
                    max(ln.bbox[2] for ln in para),
                    max(ln.bbox[3] for ln in para),
                )
                near = any(
                    -3 * line_h < t.bbox[1] - box[3] < 3 * line_h
                    or -3 * line_h < box[1] - t.bbox[3] < 3 * line_h
                    for t in tables
                )
                cat = _category(
                    para,
                    text,
                    scale=scale,
                    page=(page_w, page_h),
                    near_table=near,
                )
                if cat == "Title" and any(b.category == "Title" for b in blocks):
                    cat = "Section-header"  # one title a page; later big lines are headings
                blocks.append(Block(cat, box, text if with_text else None, len(blocks)))
            run = []
            if it.table is not None:
                html = it.table.html if with_text else None
                blocks.append(Block("Table", it.table.bbox, html, len(blocks)))
    return blocks


def table_text(table: FoundTable) -> str:
    """Plain-text rendering of a table for text mode: one row a line, cells tab-separated."""
    grid = [[""] * table.cols for _ in range(table.rows)]
    for c in table.cells:
        grid[c.row][c.col] = c.text
    return "\n".join("\t".join(row).rstrip() for row in grid)
