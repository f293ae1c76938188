"""How much of a page's print the OCR lines left unread.

RapidOCR 3's recogniser (PP-OCRv6) drops the letters it does not know instead of guessing
look-alikes, so a line in Cyrillic, Greek or Arabic comes back blank or nearly so and
is filtered out, or keeps only its punctuation and digits ("- - , , ."). What gives it
away is the ink: letter-sized print (not photos or rules) that no line covers, or that
only such a sparse line covers. On
the accuracy pages (benchmarks/) the share is 0 for English, Chinese and the journal
page, about 0.6 on the Russian page with Latin inside, and over 0.9 on a Russian
newspaper column.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from desktop.core.document import BBox
from desktop.engines.builtin.ocr import OcrLine, otsu_ink

#: A page whose unread ink share reaches this probably has text in another script.
UNREAD_SHARE = 0.2

#: Characters per line height below which a line's text is too sparse to be its reading.
#: Read lines hold about 1 (Chinese, square glyphs) to 2 (Latin) per line height; the
#: punctuation left of a Cyrillic line about 0.1.
SPARSE_DENSITY = 0.35


def sparse_text(text: str, box: BBox) -> bool:
    """Whether ``text`` is far too short for a line box (most glyphs not read)."""
    chars = sum(1 for ch in text if not ch.isspace())
    return chars < SPARSE_DENSITY * (box[2] - box[0]) / max(1, box[3] - box[1])


def is_sparse(line: OcrLine) -> bool:
    """Whether the line's text is far too short for its box (most glyphs not read)."""
    return sparse_text(line.text, line.bbox)


def _glyph_ink(ink: np.ndarray, line_height: float) -> np.ndarray:
    """The ink of components sized like letters (photos, rules and specks left out)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return np.zeros_like(ink)
    h = stats[:, cv2.CC_STAT_HEIGHT]
    w = stats[:, cv2.CC_STAT_WIDTH]
    glyph = (h >= 0.25 * line_height) & (h <= 1.5 * line_height) & (w <= 3 * line_height)
    glyph[0] = False  # the background
    return glyph[labels].astype(np.uint8)


def unread_ink_share(
    gray: np.ndarray, lines: Sequence[OcrLine], rules: np.ndarray | None = None
) -> float:
    """Share of the page's letter-sized ink outside every read line (rules excluded).

    Only components of about a letter's size count, so a photo or a figure (large blobs,
    halftone specks) on a Latin page is not taken for text in another script.
    """
    ink = otsu_ink(gray)
    if ink is None:
        return 0.0
    if rules is not None:
        ink[rules > 0] = 0
    heights = [ln.height for ln in lines if not is_sparse(ln)] or [ln.height for ln in lines]
    if heights:
        line_height = float(np.median(heights))
    else:  # nothing read at all: letters are the most common component height
        _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
        tall = stats[1:, cv2.CC_STAT_HEIGHT]
        tall = tall[tall >= 6]
        if tall.size == 0:
            return 0.0
        line_height = 1.6 * float(np.median(tall))
    ink = _glyph_ink(ink, line_height)
    total = int(ink.sum())
    if total == 0:
        return 0.0
    for line in lines:
        if not is_sparse(line):
            x0, y0, x1, y1 = line.bbox
            ink[y0:y1, x0:x1] = 0
    return int(ink.sum()) / total
