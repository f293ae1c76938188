"""Words that change script at an "=": ``--auth-host=МЕТОД``, ``--locale=ЛОКАЛЬ``.

Tesseract picks one language model per word, so with ``rus+eng`` a word that is Latin on
one side of an "=" and Cyrillic on the other comes out wrong on one side
(``--auth-host=METOI]I``, ``--аи -1юса]\\=МЕТОД``): Russian help texts and manuals are full
of them. Such a word (low confidence, an "=" inside) is cut at its "=" and each side is
read on its own, where the per-word language choice works. Two extra Tesseract runs over
small strips of the cut words, not over the page.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

#: Words read with less confidence than this (0-100) are candidates.
MAX_CONFIDENCE = 90.0
PAD = 6

#: Runs tesseract on a PNG (bytes) with extra arguments; returns its stdout.
Run = Callable[[bytes, list[str]], str]


@dataclass
class _Piece:
    row: int  # index of the TSV row of the word
    side: int  # 0: left of "=", 1: right
    top: int  # where the piece sits in the strip
    height: int


def _stack(crops: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
    """Crops one under another on white, with a gap; their top offsets."""
    gap = max(c.shape[0] for c in crops)
    width = max(c.shape[1] for c in crops) + 2 * PAD
    height = sum(c.shape[0] + gap for c in crops) + gap
    strip = np.full((height, width, 3), 255, np.uint8)
    tops: list[int] = []
    y = gap
    for c in crops:
        strip[y : y + c.shape[0], PAD : PAD + c.shape[1]] = c
        tops.append(y)
        y += c.shape[0] + gap
    return strip, tops


def _equals_x(boxes: str, strip_h: int, tops: list[int], heights: list[int]) -> dict[int, tuple]:
    """Crop index -> (x0, x1) of the first "=" Tesseract's box output found in it."""
    found: dict[int, tuple[int, int]] = {}
    for raw in boxes.splitlines():
        parts = raw.split(" ")
        if len(parts) < 5 or parts[0] != "=":
            continue
        try:
            x0, y0, x1, y1 = (int(v) for v in parts[1:5])
        except ValueError:
            continue
        cy = strip_h - (y0 + y1) / 2  # box files count y from the bottom
        for i, (top, h) in enumerate(zip(tops, heights, strict=True)):
            if top <= cy <= top + h and i not in found:
                found[i] = (x0 - PAD, x1 - PAD)
    return found


def _texts_by_piece(tsv: str, pieces: list[_Piece]) -> dict[int, tuple[str, float]]:
    """Piece index -> the words Tesseract read inside it and their lowest confidence."""
    words: dict[int, list[tuple[int, str, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        cy = int(row["top"]) + int(row["height"]) / 2
        for i, p in enumerate(pieces):
            if p.top <= cy <= p.top + p.height:
                conf = float(row.get("conf") or 0)
                words.setdefault(i, []).append((int(row["left"]), text, conf))
    return {
        i: ("".join(t for _, t, _ in sorted(ws)), min(c for _, _, c in ws))
        for i, ws in words.items()
    }


def fix_mixed_words(tsv: str, rgb: np.ndarray, run: Run, png: Callable[[np.ndarray], bytes]) -> str:
    """``tsv`` with each low-confidence word that holds an "=" re-read side by side."""
    rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        return tsv
    h, w = rgb.shape[:2]
    targets: list[int] = []
    crops: list[np.ndarray] = []
    for i, row in enumerate(rows):
        try:
            conf = float(row.get("conf") or -1)
            left, top = int(row["left"]), int(row["top"])
            width, height = int(row["width"]), int(row["height"])
        except (KeyError, ValueError):
            continue
        text = row.get("text") or ""
        if row.get("level") != "5" or "=" not in text or not 0 <= conf < MAX_CONFIDENCE:
            continue
        y0, y1 = max(0, top - PAD), min(h, top + height + PAD)
        x0, x1 = max(0, left - PAD), min(w, left + width + PAD)
        if y1 > y0 and x1 > x0:
            targets.append(i)
            crops.append(rgb[y0:y1, x0:x1])
    if not targets:
        return tsv
    strip, tops = _stack(crops)
    boxes = run(png(strip), ["--psm", "6", "makebox"])
    cuts = _equals_x(boxes, strip.shape[0], tops, [c.shape[0] for c in crops])
    pieces: list[_Piece] = []
    halves: list[np.ndarray] = []
    for k, (x0, x1) in cuts.items():
        crop = crops[k]
        for side, half in enumerate((crop[:, : max(0, x0)], crop[:, max(0, x1) :])):
            if half.shape[1] > 2:
                pieces.append(_Piece(targets[k], side, 0, half.shape[0]))
                halves.append(half)
    if not halves:
        return tsv
    strip, tops = _stack(halves)
    for p, top in zip(pieces, tops, strict=True):
        p.top = top
    read = _texts_by_piece(run(png(strip), ["--psm", "6", "tsv"]), pieces)
    sides: dict[int, list[str]] = {}
    least: dict[int, float] = {}
    for i, p in enumerate(pieces):
        text, conf = read.get(i, ("", 0.0))
        sides.setdefault(p.row, ["", ""])[p.side] = text
        least[p.row] = min(least.get(p.row, 100.0), conf)
    # A cut word is kept only where both sides read with more confidence than the whole.
    sides = {r: pair for r, pair in sides.items() if least[r] > float(rows[r].get("conf") or 0)}
    # Only the text column (the last) of the re-read rows changes; the rest stays as read.
    lines = tsv.splitlines()
    for row_index, (left_text, right_text) in sides.items():
        fields = lines[row_index + 1].split("\t")
        new = f"{left_text}={right_text}"
        logger.debug("mixed-script word %r re-read as %r", fields[-1], new)
        fields[-1] = new
        lines[row_index + 1] = "\t".join(fields)
    return "\n".join(lines) + "\n"
