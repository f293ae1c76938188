"""Which way up a page's print lies: a page scanned on its side or upside down.

The bundled text-line classifier is off (rapid.py says why), and the detector and
recogniser read only upright lines: a page turned by 90 or 180 degrees came back as
confident garbage ("Thd ynr r yor yr") marked ok. Tesseract's orientation detection
would know, but it costs 0.6-1.1 s a page (measured on 1400x900 and 200 DPI A4 pages,
2026-12-07) and is not there for users without Tesseract. Instead, the quick look's line
pieces (prescreen.py) say whether the lines run across or down the page, and the
recogniser's confidence on a few of them, as they are and turned over, says which end is
up: on upright print it is 0.95-1.00, on print upside down 0.63-0.82. An upright page
costs one piece's read. Print the recogniser reads neither way (Cyrillic) is left to
Tesseract's OSD: the one that runs beside a Tesseract read anyway for lines across the
page (engine.py), one of its own for lines down it (pageprep.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np

from desktop.core.document import BBox
from desktop.engines.builtin.prescreen import line_pieces, spread

#: The recogniser on an RGB line crop: its text and confidence (0..1).
ScorePiece = Callable[[np.ndarray], tuple[str, float]]

#: Pieces read to decide; fewer found means too little print to judge.
PIECES = 3

#: A mean confidence from which the print is taken to be upright.
SURE = 0.9

#: How much more confident the turned-over reading must be to turn the page.
MARGIN = 0.1


def _crops(rgb: np.ndarray, boxes: Sequence[BBox]) -> list[np.ndarray]:
    h, w = rgb.shape[:2]
    out = []
    for x0, y0, x1, y1 in boxes:
        pad = max(2, (y1 - y0) // 6)
        out.append(rgb[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)])
    return out


def _mean_score(score: ScorePiece, crops: Sequence[np.ndarray], *, over: bool) -> float:
    got = [score(np.ascontiguousarray(c[::-1, ::-1] if over else c))[1] for c in crops]
    return float(np.mean(got)) if got else 0.0


def _pick(score: ScorePiece, crops: Sequence[np.ndarray]) -> bool | None:
    """True: the crops read better turned over; False: as they are; None: neither reads."""
    as_is = _mean_score(score, crops, over=False)
    over = _mean_score(score, crops, over=True)
    if over >= SURE and over - as_is >= MARGIN:
        return True
    if as_is >= SURE and as_is - over >= MARGIN:
        return False
    return None


def quarter_turns(rgb: np.ndarray, score: ScorePiece) -> int | None:
    """Counter-clockwise quarter turns (``np.rot90``'s k) that set the print upright; 0
    when the page reads upright, holds too little print, or its lines run across and read
    well neither way (a script the recogniser lacks: the Tesseract read's own OSD settles
    it); None when its lines run down the page and read well neither way (blocking).

    Which way the lines run is decided by counting pieces both ways (a sideways table's
    columns of numbers make pieces across too, some of them read surely).
    """
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    across = line_pieces(gray)
    down = line_pieces(np.ascontiguousarray(np.rot90(gray)))
    if len(down) > len(across) and len(down) >= PIECES:
        choice = _pick(score, _crops(np.rot90(rgb), spread(down, PIECES)))
        if choice is None:
            return None
        return 3 if choice else 1
    if len(across) < PIECES:
        return 0
    crops = _crops(rgb, spread(across, PIECES))
    if score(np.ascontiguousarray(crops[0]))[1] >= SURE:
        return 0  # the usual case: one piece read
    return 2 if _pick(score, crops) else 0


def unturn_box(box: BBox, k: int, width: int, height: int) -> BBox:
    """A box on the page turned by ``np.rot90(page, k)``, in the pixels of the page as given
    (``width`` x ``height``)."""
    x0, y0, x1, y1 = box
    k %= 4
    if k == 1:  # turned page pixel (x, y) was (width - y, x)
        return (width - y1, x0, width - y0, x1)
    if k == 2:
        return (width - x1, height - y1, width - x0, height - y0)
    if k == 3:  # turned page pixel (x, y) was (y, height - x)
        return (y0, height - x1, y1, height - x0)
    return box
