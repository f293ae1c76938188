"""Reading a page many times longer than it is wide (a till receipt, a banner) in pieces.

RapidOCR scales a page until its longer side is 2000 px (rapid.py). A strip of 20000x120
px would shrink to 2000x12, which the library rounds to no rows at all and raises on
(ResizeImgError: the page failed); a 180x20000 column of numbers shrank to 18 px wide and
came back as confident garbage ("0e-1Xc"). Such a page is cut along its length into
pieces no longer than that side, at blank gaps between words or lines where there are
some, and the pieces are laid side by side on sheets (white between them) that are read
at full size, one detector pass a sheet; the lines come back in page pixels, and a line
cut in two at a word gap is joined again.

The sheets are also padded to the detector's least side (``Det.limit_side_len``, 736 px):
it scales a thinner image up to that, and a 2000x120 piece read alone became a 12000x736
detector input (8 s a piece).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Protocol

import cv2
import numpy as np

from desktop.engines.builtin.ocr import OcrLine, Word, otsu_ink

#: A piece's longest side: the detector's own limit (``Global.max_side_len``), so a piece
#: is read without being scaled down.
PIECE = 2000

#: A page at least this many times longer than wide (and longer than PIECE) is cut.
#: Below it the detector's scaling keeps print legible and a normal page is read whole.
STRIP_RATIO = 6

#: A page narrower than this holds no legible print (and the detector cannot size it).
MIN_SIDE = 8

#: How far back from a piece's end (a share of PIECE) a cut may move to find a blank gap.
SLACK = 0.25

#: White between two pieces on a sheet, so no detected line spans both.
GAP = 48

#: The detector scales an image whose shorter side is below this up to it.
DET_LEAST_SIDE = 736


class _Reads(Protocol):
    def read(self, rgb: np.ndarray, *, respace: bool = True) -> list[OcrLine]: ...


def is_strip(width: int, height: int) -> bool:
    """Whether a page of this size is read in pieces."""
    long, short = max(width, height), min(width, height)
    return long > PIECE and long >= STRIP_RATIO * short


def cut_positions(ink: np.ndarray, piece: int = PIECE) -> list[int]:
    """Where to cut a profile (ink per column or row) so no piece is longer than ``piece``.

    Each cut sits in the middle of the widest blank run of the last SLACK of a piece; with
    none there (print from end to end) it falls at the piece's end.
    """
    cuts: list[int] = []
    start, length = 0, int(ink.size)
    while length - start > piece:
        lo, hi = start + int(piece * (1 - SLACK)), start + piece
        blank = ink[lo:hi] == 0
        cut = hi
        if blank.any():
            best_len, run_start = 0, None
            for i, is_blank in enumerate([*blank.tolist(), False]):
                if is_blank and run_start is None:
                    run_start = i
                elif not is_blank and run_start is not None:
                    if i - run_start > best_len:
                        best_len, cut = i - run_start, lo + (run_start + i) // 2
                    run_start = None
        cuts.append(cut)
        start = cut
    return cuts


def _moved(line: OcrLine, dx: int, dy: int) -> OcrLine:
    x0, y0, x1, y1 = line.bbox
    words = tuple(Word(w.text, w.x0 + dx, w.x1 + dx) for w in line.words)
    return replace(line, bbox=(x0 + dx, y0 + dy, x1 + dx, y1 + dy), words=words)


def _sheets(spans: list[tuple[int, int]], thickness: int) -> list[list[tuple[int, int]]]:
    """Pieces grouped onto sheets: as many side by side as fit in PIECE."""
    sheets: list[list[tuple[int, int]]] = [[]]
    used = 0
    for span in spans:
        if sheets[-1] and used + thickness + GAP > PIECE:
            sheets.append([])
            used = 0
        sheets[-1].append(span)
        used += thickness + GAP
    return sheets


def _read_sheet(
    reader: _Reads, rgb: np.ndarray, spans: list[tuple[int, int]], across: bool
) -> list[OcrLine]:
    """One sheet of pieces (page rows ``a:b`` of a tall strip side by side, or columns
    of a long strip one above the other), read at once; lines in page pixels."""
    thickness = rgb.shape[0] if across else rgb.shape[1]
    length = max(b - a for a, b in spans)
    stacked = max(DET_LEAST_SIDE, len(spans) * (thickness + GAP))
    shape = (stacked, length, 3) if across else (length, stacked, 3)
    sheet = np.full(shape, 255, np.uint8)
    offsets = []
    for i, (a, b) in enumerate(spans):
        at = i * (thickness + GAP) + GAP // 2
        if across:
            sheet[at : at + thickness, : b - a] = rgb[:, a:b]
        else:
            sheet[: b - a, at : at + thickness] = rgb[a:b]
        offsets.append(at)
    lines = []
    for line in reader.read(sheet):
        centre = line.cy if across else line.cx
        i = min(range(len(spans)), key=lambda k: abs(offsets[k] + thickness / 2 - centre))
        a, at = spans[i][0], offsets[i]
        lines.append(_moved(line, a, -at) if across else _moved(line, -at, a))
    return lines


def _joined(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines of a long strip with the halves of a line cut at a word gap put together."""
    out: list[OcrLine] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[0], ln.bbox[1])):
        prev = next((p for p in reversed(out) if _same_row(p, line)), None)
        if prev is None or line.bbox[0] - prev.bbox[2] > 1.5 * max(prev.height, line.height):
            out.append(line)
            continue
        out.remove(prev)
        box = (
            prev.bbox[0],
            min(prev.bbox[1], line.bbox[1]),
            max(prev.bbox[2], line.bbox[2]),
            max(prev.bbox[3], line.bbox[3]),
        )
        score = min(prev.score, line.score)
        out.append(OcrLine(box, f"{prev.text} {line.text}", score, prev.words + line.words))
    return out


def _same_row(a: OcrLine, b: OcrLine) -> bool:
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    return overlap > 0.5 * min(a.height, b.height)


def read_page(reader: _Reads, rgb: np.ndarray) -> list[OcrLine]:
    """The reader's lines of the page; a strip is read piece by piece (blocking)."""
    h, w = rgb.shape[:2]
    if min(h, w) < MIN_SIDE:
        return []
    if not is_strip(w, h):
        return reader.read(rgb)
    ink = otsu_ink(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    if ink is None:
        return []  # one flat colour: nothing printed
    across = w > h
    edges = [0, *cut_positions(ink.sum(axis=0 if across else 1)), w if across else h]
    spans = list(itertools.pairwise(edges))
    lines = [
        line
        for sheet in _sheets(spans, h if across else w)
        for line in _read_sheet(reader, rgb, sheet, across)
    ]
    return _joined(lines) if across else lines
