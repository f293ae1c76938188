"""Ruled tables from the page's lines (OpenCV morphology), filled with OCR text.

Two kinds are rebuilt:
- grid tables (horizontal AND vertical rules): cells are the boxes between rules; a
  missing wall between two boxes merges them (rowspan/colspan);
- "booktabs" tables (horizontal rules only, as in journals): columns come from the
  white gaps between the body's text, header spans from the short rules under group
  headings, rows from the text lines.
"""

from __future__ import annotations

import html
import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import cv2 as cv
import numpy as np

from desktop.core.document import BBox
from desktop.engines.builtin.ocr import OcrLine, Word, line_from_words

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rule:
    """A ruling line segment: ``pos`` is y for horizontal rules, x for vertical ones."""

    start: int
    end: int
    pos: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass(frozen=True, slots=True)
class FoundTable:
    """A rebuilt table: its box in page pixels, grid size, cells and HTML."""

    bbox: BBox
    rows: int
    cols: int
    cells: tuple[Cell, ...]

    @property
    def html(self) -> str:
        return cells_to_html(self.rows, self.cols, self.cells)


def cells_to_html(rows: int, cols: int, cells: Sequence[Cell]) -> str:
    """An HTML table like the VLM's: ``<table><tr><td rowspan=..>``; holes become empty cells."""
    covered = [[False] * cols for _ in range(rows)]
    by_origin = {(c.row, c.col): c for c in cells}
    parts = ["<table>"]
    for r in range(rows):
        parts.append("<tr>")
        for c in range(cols):
            if covered[r][c]:
                continue
            cell = by_origin.get((r, c))
            if cell is None:
                parts.append("<td></td>")
                continue
            for rr in range(r, min(rows, r + cell.rowspan)):
                for cc in range(c, min(cols, c + cell.colspan)):
                    covered[rr][cc] = True
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            parts.append(f"<td{attrs}>{html.escape(cell.text, quote=False)}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)


# --- rule detection -----------------------------------------------------------------


def find_rules(gray: np.ndarray) -> tuple[list[Rule], list[Rule], np.ndarray, np.ndarray]:
    """Horizontal and vertical rule segments plus their masks (ink = 255)."""
    h, w = gray.shape[:2]
    bw = cv.adaptiveThreshold(gray, 255, cv.ADAPTIVE_THRESH_MEAN_C, cv.THRESH_BINARY_INV, 25, 12)
    hk = max(40, w // 25)
    vk = max(30, h // 60)
    horiz = cv.morphologyEx(bw, cv.MORPH_OPEN, cv.getStructuringElement(cv.MORPH_RECT, (hk, 1)))
    vert = cv.morphologyEx(bw, cv.MORPH_OPEN, cv.getStructuringElement(cv.MORPH_RECT, (1, vk)))
    # Close small breaks (scan noise) so one rule is one component.
    horiz = cv.dilate(horiz, cv.getStructuringElement(cv.MORPH_RECT, (9, 3)))
    vert = cv.dilate(vert, cv.getStructuringElement(cv.MORPH_RECT, (3, 9)))
    hrules: list[Rule] = []
    n, _, stats, _ = cv.connectedComponentsWithStats(horiz)
    for i in range(1, n):
        x, y, cw, ch, _ = (int(v) for v in stats[i])
        if cw >= hk and ch < 20:
            hrules.append(Rule(x, x + cw, y + ch // 2))
    vrules: list[Rule] = []
    n, _, stats, _ = cv.connectedComponentsWithStats(vert)
    for i in range(1, n):
        x, y, cw, ch, _ = (int(v) for v in stats[i])
        if ch >= vk and cw < 20:
            vrules.append(Rule(y, y + ch, x + cw // 2))
    hrules.sort(key=lambda r: (r.pos, r.start))
    vrules.sort(key=lambda r: (r.pos, r.start))
    return hrules, vrules, horiz, vert


def without_rules(rgb: np.ndarray, hmask: np.ndarray, vmask: np.ndarray) -> np.ndarray:
    """A copy of the page with its long rules painted white.

    Tesseract's page segmentation treats table rules as ink: next to them it drops or
    garbles words ("12" -> "#70"). Only thin strokes at least twice the rule minimum are
    erased, so tall letters of big headings stay.
    """
    h, w = rgb.shape[:2]
    erase = np.zeros((h, w), np.uint8)
    for mask, long_side in ((hmask, 0), (vmask, 1)):
        n, labels, stats, _ = cv.connectedComponentsWithStats(mask)
        min_len = 2 * (max(40, w // 25) if long_side == 0 else max(30, h // 60))
        for i in range(1, n):
            cw, ch = int(stats[i, cv.CC_STAT_WIDTH]), int(stats[i, cv.CC_STAT_HEIGHT])
            length, thick = (cw, ch) if long_side == 0 else (ch, cw)
            if length >= min_len and thick < 20:
                erase[labels == i] = 255
    if not erase.any():
        return rgb
    out = rgb.copy()
    out[erase > 0] = 255
    return out


def _cluster(values: Sequence[int], tol: int) -> list[int]:
    """Merge nearby positions (one rule drawn 2-3 px thick, or a double rule)."""
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [round(sum(g) / len(g)) for g in out]


# --- cell text -----------------------------------------------------------------------


def _segments(line: OcrLine, split_ratio: float = 1.0) -> list[OcrLine]:
    """Split a line where its words are far apart (two cells read as one line)."""
    if len(line.words) < 2:
        return [line]
    groups: list[list[Word]] = [[line.words[0]]]
    for w in line.words[1:]:
        if w.x0 - groups[-1][-1].x1 > split_ratio * line.height:
            groups.append([w])
        else:
            groups[-1].append(w)
    if len(groups) == 1:
        return [line]
    return [line_from_words(g, line.bbox[1], line.bbox[3], line.score) for g in groups]


def _join(parts: list[tuple[float, float, str]]) -> str:
    """Cell text from (y, x, text) pieces: top to bottom, left to right."""
    return " ".join(t for _, _, t in sorted(parts)).strip()


# --- grid tables -----------------------------------------------------------------------


def _wall(mask: np.ndarray, fixed: int, a: int, b: int, vertical: bool) -> bool:
    """True when the rule between two boxes is drawn along most of ``a..b``."""
    margin = max(2, (b - a) // 6)
    a, b = a + margin, b - margin
    if b <= a:
        return True
    band = (
        mask[a:b, max(0, fixed - 4) : fixed + 5]
        if vertical
        else mask[max(0, fixed - 4) : fixed + 5, a:b]
    )
    hits = band.any(axis=1) if vertical else band.any(axis=0)
    return float(hits.mean()) >= 0.5


def grid_table(
    xs: list[int], ys: list[int], hmask: np.ndarray, vmask: np.ndarray, lines: Sequence[OcrLine]
) -> FoundTable:
    """Cells between rules; missing walls merge neighbours into spans."""
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _wall(vmask, xs[c + 1], ys[r], ys[r + 1], vertical=True):
                parent[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not _wall(hmask, ys[r + 1], xs[c], xs[c + 1], vertical=False):
                parent[find((r + 1) * nc + c)] = find(r * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(find(r * nc + c), []).append((r, c))
    texts: dict[int, list[tuple[float, float, str]]] = {}
    for line in lines:
        for w in line.words:
            x, y = (w.x0 + w.x1) / 2, line.cy
            c = int(np.searchsorted(xs, x)) - 1
            r = int(np.searchsorted(ys, y)) - 1
            if 0 <= r < nr and 0 <= c < nc:
                texts.setdefault(find(r * nc + c), []).append((line.bbox[1], w.x0, w.text))
    cells = []
    for root, members in groups.items():
        r0, r1 = min(m[0] for m in members), max(m[0] for m in members)
        c0, c1 = min(m[1] for m in members), max(m[1] for m in members)
        cells.append(Cell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, _join(texts.get(root, []))))
    cells.sort(key=lambda c: (c.row, c.col))
    return FoundTable((xs[0], ys[0], xs[-1], ys[-1]), nr, nc, tuple(cells))


def find_grid_tables(
    hrules: list[Rule],
    vrules: list[Rule],
    hmask: np.ndarray,
    vmask: np.ndarray,
    lines: Sequence[OcrLine],
) -> list[FoundTable]:
    """Tables drawn with both horizontal and vertical rules."""
    if len(vrules) < 2 or len(hrules) < 2:
        return []
    both = cv.dilate(cv.bitwise_or(hmask, vmask), np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv.connectedComponentsWithStats(both)
    found: list[FoundTable] = []
    for i in range(1, n):
        x, y, w, h, _ = (int(v) for v in stats[i])
        inside_h = [
            r for r in hrules if x - 5 <= r.start and r.end <= x + w + 5 and y <= r.pos <= y + h
        ]
        inside_v = [
            r for r in vrules if y - 5 <= r.start and r.end <= y + h + 5 and x <= r.pos <= x + w
        ]
        all_ys = _cluster([r.pos for r in inside_h], 8)
        # Two tables drawn almost touching join into one component; a band between two
        # rules that no vertical rule crosses is the gap between them.
        if not all_ys:
            continue
        groups: list[list[int]] = [all_ys[:1]]
        for a, b in itertools.pairwise(all_ys):
            slack = 0.2 * (b - a)
            if any(r.start <= a + slack and r.end >= b - slack for r in inside_v):
                groups[-1].append(b)
            else:
                groups.append([b])
        for ys in groups:
            band = [r for r in inside_v if r.end > ys[0] + 3 and r.start < ys[-1] - 3]
            xs = _cluster([r.pos for r in band], 8)
            if len(xs) < 2 or len(ys) < 2:
                continue
            box = (xs[0], ys[0], xs[-1], ys[-1])
            inner = [ln for ln in lines if _centre_in(ln, box)]
            found.append(grid_table(xs, ys, hmask, vmask, inner))
    return found


def _centre_in(line: OcrLine, box: BBox) -> bool:
    return box[0] <= line.cx <= box[2] and box[1] <= line.cy <= box[3]
