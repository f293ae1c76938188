"""Cutting a page into horizontal bands at blank rows, so several Tesseracts share it.

Tesseract reads a page on one core (one OpenMP thread: tesseract.py says why), so on a
machine with more cores a Cyrillic page took as long as one core needs. Each band is cut
where a row of the page has no ink from edge to edge: no text line is split, and the
lines of all bands together are the lines of the page (the layout is rebuilt from lines
afterwards, layout.py, so Tesseract's own blocks do not matter).
"""

from __future__ import annotations

import itertools
import os

import numpy as np

from desktop.engines.builtin.ocr import otsu_ink

#: Most bands a page is cut into (each is one Tesseract process holding its models).
MAX_BANDS = 4

#: Bands shorter than this many pixels are not worth a process of their own.
MIN_BAND = 200

#: How far from its ideal place (a share of the page height) a cut may move to find a
#: blank row.
SLACK = 0.15


def band_count() -> int:
    """How many bands to cut a page into here: one per core, at most MAX_BANDS."""
    return max(1, min(MAX_BANDS, os.cpu_count() or 1))


def row_ink(gray: np.ndarray) -> np.ndarray:
    """Inked pixels per row (Otsu threshold); all zero on a blank page."""
    ink = otsu_ink(gray)
    if ink is None:
        return np.zeros(gray.shape[0], dtype=np.int64)
    counts: np.ndarray = ink.sum(axis=1, dtype=np.int64)
    return counts


def cut_rows(gray: np.ndarray, parts: int) -> list[int]:
    """Rows to cut the page at (ascending, inside blank runs), for up to ``parts`` bands.

    Each band gets about the same share of the page's ink (Tesseract's work follows the
    print, not the height), so the bands finish at about the same time.
    """
    height = gray.shape[0]
    parts = min(parts, height // MIN_BAND)
    if parts <= 1:
        return []
    ink = row_ink(gray)
    blank = ink <= max(1, gray.shape[1] // 1000)  # a speck or two of dust is not print
    rows = np.flatnonzero(blank)
    total = int(ink.sum())
    if rows.size == 0 or total == 0:
        return []
    running = np.cumsum(ink)
    cuts: list[int] = []
    for i in range(1, parts):
        ideal = float(np.searchsorted(running, total * i / parts))
        near = rows[np.abs(rows - ideal) <= SLACK * height]
        if near.size == 0:
            continue
        # The middle of the blank run nearest the ideal row, so the cut sits in the gap.
        row = int(near[np.argmin(np.abs(near - ideal))])
        top, bottom = row, row
        while top > 0 and blank[top - 1]:
            top -= 1
        while bottom + 1 < height and blank[bottom + 1]:
            bottom += 1
        cut = (top + bottom + 1) // 2
        if cut - (cuts[-1] if cuts else 0) >= MIN_BAND and height - cut >= MIN_BAND:
            cuts.append(cut)
    return cuts


def bands(gray: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """(top, bottom) rows of each band, top to bottom, covering the whole page."""
    edges = [0, *cut_rows(gray, parts), gray.shape[0]]
    return list(itertools.pairwise(edges))
