"""Printed lines inside a block, found from the page's ink: where the text layer's lines go.

The model gives one box per block. Rows of a block that hold dark pixels, separated by white
rows, are its printed lines; each line's ink runs from its leftmost to its rightmost dark
column. Dots and accents (short bands) join the line beside them. A plain projection, in
numpy: milliseconds per page, no model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Darker than this (0 black .. 255 white) is ink.
INK_LEVEL = 128
#: A row is part of a line when this share of the block's width (and 2 pixels) is ink.
ROW_SHARE = 0.004
#: A band lower than this share of the typical band is a dot, accent or rule: joined.
SMALL_BAND = 0.4


@dataclass(frozen=True, slots=True)
class Band:
    """One printed line: rows ``top``..``bottom`` and columns ``left``..``right`` (exclusive)."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def height(self) -> int:
        return self.bottom - self.top


def ink_bands(gray: np.ndarray, box: tuple[int, int, int, int]) -> list[Band]:
    """The printed lines inside ``box`` (x1, y1, x2, y2 in ``gray``'s pixels), top to bottom."""
    height, width = gray.shape[:2]
    x1, y1 = max(0, min(box[0], box[2])), max(0, min(box[1], box[3]))
    x2, y2 = min(width, max(box[0], box[2])), min(height, max(box[1], box[3]))
    if x2 - x1 < 2 or y2 - y1 < 2:
        return []
    ink = gray[y1:y2, x1:x2] < INK_LEVEL
    rows = ink.sum(axis=1) >= max(2, ROW_SHARE * (x2 - x1))
    spans = _runs(rows)
    if not spans:
        return []
    spans = _join_small(spans)
    bands = []
    for top, bottom in spans:
        cols = np.flatnonzero(ink[top:bottom].any(axis=0))
        if cols.size:
            bands.append(Band(y1 + top, y1 + bottom, x1 + int(cols[0]), x1 + int(cols[-1]) + 1))
    return bands


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _join_small(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Bands much lower than the typical one joined to their nearer neighbour."""
    spans = list(spans)
    while len(spans) > 1:
        typical = float(np.median([b - a for a, b in spans]))
        small = [i for i, (a, b) in enumerate(spans) if b - a < SMALL_BAND * typical]
        if not small:
            break
        i = small[0]
        a, b = spans[i]
        gap_up = a - spans[i - 1][1] if i > 0 else None
        gap_down = spans[i + 1][0] - b if i + 1 < len(spans) else None
        j = i - 1 if gap_down is None or (gap_up is not None and gap_up <= gap_down) else i + 1
        lo, hi = min(i, j), max(i, j)
        spans[lo : hi + 1] = [(spans[lo][0], spans[hi][1])]
    return spans


def split_over(text: str, widths: list[int]) -> list[str]:
    """``text`` cut into ``len(widths)`` lines, each about as long as its printed width says
    (at spaces, or between characters where there are too few), no line left empty while
    there is text; ``[]`` if it cannot be done."""
    count = len(widths)
    words = text.split()
    if not words or count == 0 or sum(widths) <= 0:
        return []
    if count == 1:
        return [" ".join(words)]
    joiner = " "
    if len(words) < count:  # CJK, or a few long words over many lines: cut characters
        words, joiner = list("".join(words)), ""
        if len(words) < count:
            return []
    total = sum(len(w) for w in words) + len(joiner) * (len(words) - 1)
    out: list[str] = []
    start, used, seen = 0, 0, 0
    for i in range(count - 1):
        seen += widths[i]
        target = total * seen / sum(widths)
        end = start
        while end < len(words) - (count - 1 - i) and (
            end == start or used + len(words[end]) / 2 < target
        ):
            used += len(words[end]) + len(joiner)
            end += 1
        out.append(joiner.join(words[start:end]))
        start = end
    out.append(joiner.join(words[start:]))
    return out
