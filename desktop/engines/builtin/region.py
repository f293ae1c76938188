"""Reading one region of a page (the "read this box" grounding request)."""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np

from desktop.core.document import BBox
from desktop.engines.builtin.coverage import unread_ink_share
from desktop.engines.builtin.layout import join_lines, reading_order
from desktop.engines.builtin.ocr import OcrLine

#: RapidOCR's detector scales images up until their short side reaches this.
DET_MIN_SIDE = 736


class LineReader(Protocol):
    def read(self, rgb: np.ndarray, *, respace: bool = True) -> list[OcrLine]: ...


def read_region(reader: LineReader, rgb: np.ndarray, region: BBox) -> tuple[str, float]:
    """Text of one region in reading order, and the share of its ink left unread (blocking)."""
    h, w = rgb.shape[:2]
    x0, y0 = max(0, region[0]), max(0, region[1])
    x1, y1 = min(w, region[2]), min(h, region[3])
    if x1 <= x0 or y1 <= y0:
        return "", 0.0
    pad = 8  # the detector needs a little white around glyphs touching the crop edge
    ch, cw = y1 - y0 + 2 * pad, x1 - x0 + 2 * pad
    # The detector upscales images whose short side is under DET_MIN_SIDE (slow, and
    # it garbles small crops): pad with white instead of letting it scale.
    if min(ch, cw) < DET_MIN_SIDE:
        if ch < cw:
            ch = DET_MIN_SIDE
        else:
            cw = DET_MIN_SIDE
    crop = np.full((ch, cw, 3), 255, dtype=np.uint8)
    crop[pad : pad + y1 - y0, pad : pad + x1 - x0] = rgb[y0:y1, x0:x1]
    lines = reader.read(crop)
    unread = unread_ink_share(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY), lines)
    if not lines:
        return "", unread
    paras = reading_order(lines)
    return "\n".join(join_lines(it.lines) for it in paras), unread
