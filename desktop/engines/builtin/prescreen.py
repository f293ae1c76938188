"""A quick look at a page before it is read: is it in a script the bundled models lack?

The bundled recogniser drops the letters it does not know (coverage.py), so a Russian page
read by RapidOCR comes back mostly empty and is then read again by Tesseract. The first
read costs as much as the Tesseract read itself, which made a Cyrillic page more than
twice as slow as RapidOCR on it. Instead, a few pieces of printed line are cut from the
page (ink smeared sideways until the words of a line join) and only the recogniser reads
them: where most pieces come back nearly empty, the page goes to Tesseract at once. It
costs about a tenth of a second; a page it misjudges still gets the full read and the
after-the-fact check, so a wrong "no" only costs time, and a wrong "yes" is caught by
Tesseract's script detection running beside the Tesseract read (engine.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from desktop.core.document import BBox
from desktop.engines.builtin.coverage import sparse_text
from desktop.engines.builtin.ocr import otsu_ink

#: Pieces of line looked at (spread over the page); more cost time and decided no better
#: on the accuracy pages (benchmarks/bench_builtin_accuracy.py).
SAMPLES = 6

#: Fewest pieces for a verdict; a page with less print is read the usual way.
MIN_SAMPLES = 4

#: Share of nearly empty pieces from which the page is taken for another script. Measured
#: (200 DPI, 8 pieces): none on the English, Chinese and journal pages; 5 to 7 on the
#: Russian pages, whose Latin option names and digits keep a few pieces full.
FOREIGN_SHARE = 0.5

#: A piece is at most this many line heights wide (the recogniser's cost grows with width).
MAX_PIECE_RATIO = 8

#: Pieces narrower than this many line heights hold too few letters to judge.
MIN_PIECE_RATIO = 5


#: Pages whose longer side exceeds this are halved before their pieces are looked for
#: (200 DPI A4 is 2339 px; letters stay 7+ px high, and finding the pieces costs a quarter).
HALVE_ABOVE = 1600


def letter_heights(ink: np.ndarray) -> np.ndarray:
    """Heights of the letter-sized ink components (4 px up to a tenth of the image high)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:n, cv2.CC_STAT_HEIGHT]
    found: np.ndarray = heights[(heights >= 4) & (heights <= max(4, ink.shape[0] // 10))]
    return found


def letter_height(ink: np.ndarray) -> float | None:
    """Median height of the letter-sized ink components, or None on a page without print."""
    heights = letter_heights(ink)
    if heights.size < 20:
        return None
    return float(np.median(heights))


def line_pieces(gray: np.ndarray) -> list[BBox]:
    """Boxes of printed line pieces (words of one line joined), top to bottom."""
    if min(gray.shape[:2]) < 8:
        return []  # a sliver (1x5000) holds no print, and halving it would leave nothing
    scale = 2 if max(gray.shape) > HALVE_ABOVE else 1
    small = (
        gray if scale == 1 else cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    )
    ink = otsu_ink(small)
    if ink is None:
        return []
    height = letter_height(ink)
    if height is None:
        return []
    # A word gap is about half a letter height, a column gap two or more: a kernel one
    # letter wide joins the words of a line and leaves the columns apart.
    kernel = np.ones((1, max(3, round(height) | 1)), np.uint8)
    joined = cv2.dilate(ink, kernel)
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    pieces: list[BBox] = []
    for x, y, w, h, _ in stats[1:n].tolist():
        if height <= h <= 3 * height and w >= MIN_PIECE_RATIO * h:
            right = x + min(w, MAX_PIECE_RATIO * h)
            pieces.append((x * scale, y * scale, right * scale, (y + h) * scale))
    pieces.sort(key=lambda b: (b[1], b[0]))
    return pieces


def spread(items: Sequence[BBox], count: int) -> list[BBox]:
    """Up to ``count`` items evenly spread over the sequence (first and last included)."""
    if len(items) <= count:
        return list(items)
    picks = np.linspace(0, len(items) - 1, count).round().astype(int)
    return [items[i] for i in picks]


def looks_foreign(rgb: np.ndarray, read_piece: Callable[[np.ndarray], str]) -> bool:
    """Whether most sampled line pieces of the page come back nearly empty (blocking).

    ``read_piece``: the bundled recogniser on an RGB crop, its text. The pieces are read
    one at a time until the verdict is certain: a page the models read costs MIN_SAMPLES
    of them.
    """
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    boxes = spread(line_pieces(gray), SAMPLES)
    if len(boxes) < MIN_SAMPLES:
        return False
    need = math.ceil(FOREIGN_SHARE * len(boxes))  # nearly empty pieces for a "yes"
    h, w = gray.shape
    empty = full = 0
    for box in boxes:
        x0, y0, x1, y1 = box
        pad = max(2, (y1 - y0) // 6)
        crop = rgb[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]
        if sparse_text(read_piece(crop), box):
            empty += 1
        else:
            full += 1
        if empty >= need:
            return True
        if full > len(boxes) - need:
            return False
    return False
