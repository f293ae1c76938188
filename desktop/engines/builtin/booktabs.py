"""Tables ruled with horizontal lines only (journal style: top, header and bottom rules).

Long rules cut the page into bands; consecutive bands whose text sits in several
columns form a table (a double rule starts a new panel). Columns are the white gaps
shared by every body row, header spans come from the short rules under group headings,
and a label-only line starting in lower case continues the row above.
"""

from __future__ import annotations

import itertools
import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.document import BBox
from desktop.engines.builtin.ocr import OcrLine
from desktop.engines.builtin.tables import Cell, FoundTable, Rule, _segments

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Level:
    """One long rule (or a double rule) across the table."""

    y0: int
    y1: int
    x0: int
    x1: int
    double: bool


def _levels(rules: Sequence[Rule], min_len: float) -> list[Level]:
    levels: list[Level] = []
    for r in sorted((r for r in rules if r.length >= min_len), key=lambda r: r.pos):
        last = levels[-1] if levels else None
        if last and r.pos - last.y1 <= 14 and min(last.x1, r.end) - max(last.x0, r.start) > 0:
            levels[-1] = Level(
                last.y0, r.pos, min(last.x0, r.start), max(last.x1, r.end), r.pos - last.y1 > 3
            )
        else:
            levels.append(Level(r.pos, r.pos, r.start, r.end, False))
    return levels


def _rows(segs: Sequence[OcrLine]) -> list[list[OcrLine]]:
    """Segments grouped into visual rows by vertical centre."""
    if not segs:
        return []
    tol = 0.55 * statistics.median(s.height for s in segs)
    rows: list[list[OcrLine]] = []
    for s in sorted(segs, key=lambda s: s.cy):
        if rows and s.cy - rows[-1][0].cy <= tol:
            rows[-1].append(s)
        else:
            rows.append([s])
    return [sorted(r, key=lambda s: s.bbox[0]) for r in rows]


def _tabular(segs: Sequence[OcrLine], width: int) -> bool:
    """Whether a band's text looks like table rows rather than prose."""
    rows = _rows(segs)
    if not rows:
        return False
    if any(s.width > 0.6 * width for s in segs):
        return False
    many = sum(len(r) >= 3 for r in rows) / len(rows)
    two = sum(len(r) >= 2 for r in rows) / len(rows)
    return many >= 0.3 or (two >= 0.6 and max(s.width for s in segs) < 0.45 * width)


def _columns(segs: Sequence[OcrLine]) -> list[tuple[int, int]]:
    """Column intervals: the x-ranges covered by body text, split at shared white gaps."""
    spans = sorted((s.bbox[0], s.bbox[2]) for s in segs)
    cols: list[list[int]] = []
    for a, b in spans:
        if cols and a <= cols[-1][1] + 3:
            cols[-1][1] = max(cols[-1][1], b)
        else:
            cols.append([a, b])
    return [(a, b) for a, b in cols]


def _col_of(seg: OcrLine, cols: Sequence[tuple[int, int]]) -> int:
    best, best_ov = 0, -1e9
    for i, (a, b) in enumerate(cols):
        ov: float = min(b, seg.bbox[2]) - max(a, seg.bbox[0])
        if ov <= 0:
            ov = -abs((a + b) / 2 - seg.cx)
        if ov > best_ov:
            best, best_ov = i, ov
    return best


def _cols_under(x0: int, x1: int, cols: Sequence[tuple[int, int]]) -> list[int]:
    return [i for i, (a, b) in enumerate(cols) if x0 <= (a + b) / 2 <= x1]


def _header_cells(
    segs: Sequence[OcrLine], partial: Sequence[Rule], cols: Sequence[tuple[int, int]]
) -> tuple[int, list[Cell]]:
    """Header rows and cells; short rules under group headings give rows and colspans."""
    if not segs:
        return 0, []
    levels = sorted({r.pos for r in partial})
    merged: list[int] = []
    for y in levels:
        if not merged or y - merged[-1] > 6:
            merged.append(y)
    if merged:
        nrows = len(merged) + 1

        def row_at(y: float) -> int:
            return sum(1 for lv in merged if lv < y)

        placed = []
        for s in segs:
            q = s.height / 4
            placed.append((s, row_at(s.bbox[1] + q), row_at(s.bbox[3] - q)))
    else:
        rows = _rows(segs)
        nrows = len(rows)
        placed = [(s, i, i) for i, row in enumerate(rows) for s in row]
    cells: dict[tuple[int, int], Cell] = {}
    for s, r0, r1 in placed:
        under = [
            r
            for r in partial
            if 0 < r.pos - s.cy < 1.5 * s.height and min(r.end, s.bbox[2]) > max(r.start, s.bbox[0])
        ]
        span = _cols_under(under[0].start, under[0].end, cols) if under else []
        if not span:
            span = [i for i, (a, b) in enumerate(cols) if min(b, s.bbox[2]) > max(a, s.bbox[0])]
        if not span:
            span = [_col_of(s, cols)]
        key = (r0, span[0])
        old = cells.get(key)
        text = s.text if old is None else f"{old.text} {s.text}"
        cells[key] = Cell(r0, span[0], r1 - r0 + 1, span[-1] - span[0] + 1, text)
    out = list(cells.values())
    # A lone heading in a column (booktabs stub heading) spans every header row.
    for i, c in enumerate(out):
        if c.colspan == 1 and not any(
            o is not c and o.col <= c.col < o.col + o.colspan for o in out
        ):
            out[i] = Cell(0, c.col, nrows, 1, c.text)
    return nrows, out


def _body_cells(
    segs: Sequence[OcrLine], cols: Sequence[tuple[int, int]], top: int
) -> tuple[int, list[Cell]]:
    rows: list[dict[int, list[OcrLine]]] = []
    for row in _rows(segs):
        by_col: dict[int, list[OcrLine]] = {}
        for s in row:
            by_col.setdefault(_col_of(s, cols), []).append(s)
        label_only = set(by_col) == {0}
        first = by_col.get(0, [None])[0]
        continues = (
            label_only
            and rows
            and len(rows[-1]) > 1
            and 0 in rows[-1]
            and first is not None
            and first.text[:1].islower()
        )
        if continues:
            rows[-1][0].extend(by_col[0])
        else:
            rows.append(by_col)
    cells = [
        Cell(top + r, c, 1, 1, " ".join(s.text for s in parts))
        for r, by_col in enumerate(rows)
        for c, parts in sorted(by_col.items())
    ]
    return len(rows), cells


def _panel(bands: list[tuple[BBox, list[OcrLine]]], partial: Sequence[Rule]) -> FoundTable | None:
    head = bands[0][1] if len(bands) >= 2 else []
    body = [s for _, segs in (bands[1:] if head else bands) for s in segs]
    cols = _columns(body)
    if len(cols) < 2 or not body:
        return None
    hb = bands[0][0]
    head_rules = [r for r in partial if hb[1] < r.pos < hb[3]]
    nh, head_cells = _header_cells(head, head_rules, cols)
    nb, body_cells = _body_cells(body, cols, nh)
    x0 = min(b[0] for b, _ in bands)
    x1 = max(b[2] for b, _ in bands)
    box = (x0, bands[0][0][1], x1, bands[-1][0][3])
    cells = tuple(sorted(head_cells + body_cells, key=lambda c: (c.row, c.col)))
    return FoundTable(box, nh + nb, len(cols), cells)


def find_booktabs_tables(
    hrules: Sequence[Rule], lines: Sequence[OcrLine], page_w: int, exclude: Sequence[BBox] = ()
) -> list[FoundTable]:
    """Tables ruled with long horizontal lines only."""

    def outside(r: Rule) -> bool:
        for b in exclude:
            overlap = min(r.end, b[2]) - max(r.start, b[0])
            if b[1] - 8 <= r.pos <= b[3] + 8 and overlap >= 0.5 * r.length:
                return False
        return True

    rules = [r for r in hrules if outside(r)]
    levels = _levels(rules, 0.3 * page_w)
    partial = [r for r in rules if r.length < 0.3 * page_w]
    tables: list[FoundTable] = []
    panel: list[tuple[BBox, list[OcrLine]]] = []

    def flush() -> None:
        if panel:
            t = _panel(list(panel), partial)
            if t is not None:
                tables.append(t)
            panel.clear()

    for top, bottom in itertools.pairwise(levels):
        x0, x1 = max(top.x0, bottom.x0), min(top.x1, bottom.x1)
        if x1 - x0 < 0.5 * max(top.x1 - top.x0, bottom.x1 - bottom.x0):
            flush()
            continue
        box = (min(top.x0, bottom.x0), top.y1, max(top.x1, bottom.x1), bottom.y0)
        segs = [
            s
            for ln in lines
            if box[0] <= ln.cx <= box[2] and box[1] < ln.cy < box[3]
            for s in _segments(ln)
        ]
        if top.double:
            flush()
        if segs and _tabular(segs, box[2] - box[0]):
            panel.append((box, segs))
        else:
            flush()
    flush()
    return tables
