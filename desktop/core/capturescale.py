"""How much to enlarge a screen capture before reading it: small on-screen text (a 7 px
x-height, lines ~12 px tall) is below what either engine reads well.

The text's line height is measured from the capture itself (rows holding ink, in runs), and
the capture is enlarged until a line is ``TARGET_LINE_PX`` tall: at least one of dots.ocr's
28-pixel visual tokens, and two thirds of the built-in recogniser's 48-pixel line input.
"""

from __future__ import annotations

import numpy as np

from desktop.core.resize import MAX_PIXELS

TARGET_LINE_PX = 32
MAX_FACTOR = 4.0
#: Captures bigger than this are not small text worth measuring (and measuring costs time).
MEASURE_PIXELS_LIMIT = 2_000_000
#: The built-in engine's longest side before it scales down (rapidocr's max_side_len).
MAX_SIDE = 2000


def line_height(gray: np.ndarray) -> float | None:
    """The median height of the text lines in a grayscale image; None without any."""
    if gray.size == 0:
        return None
    background = float(np.median(gray))
    ink = np.abs(gray.astype(np.int16) - background) > 60
    rows = ink.any(axis=1).astype(np.int8)
    edges = np.diff(np.concatenate(([0], rows, [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    heights = (ends - starts)[(ends - starts) >= 3]  # specks and rules are not lines
    return float(np.median(heights)) if heights.size else None


def reading_factor(gray: np.ndarray) -> float:
    """How much to enlarge the capture ``gray`` (1.0: leave it as it is)."""
    h, w = gray.shape[:2]
    if h * w == 0 or h * w > MEASURE_PIXELS_LIMIT:
        return 1.0
    height = line_height(gray)
    if height is None or height >= TARGET_LINE_PX:
        return 1.0
    factor = min(MAX_FACTOR, TARGET_LINE_PX / height)
    factor = min(factor, (MAX_PIXELS / (h * w)) ** 0.5, MAX_SIDE / max(h, w))
    return max(1.0, round(factor, 2))
