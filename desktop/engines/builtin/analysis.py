"""One page's analysis (blocking): OCR, ruled and booktabs tables, layout, and whether the
text looks like a script the bundled models do not read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from desktop.core.document import Block
from desktop.engines.base import RecognizeMode
from desktop.engines.builtin.booktabs import find_booktabs_tables
from desktop.engines.builtin.coverage import UNREAD_SHARE, unread_ink_share
from desktop.engines.builtin.layout import build_blocks, table_text
from desktop.engines.builtin.ocr import OcrLine
from desktop.engines.builtin.prescreen import line_pieces
from desktop.engines.builtin.scripts import looks_unsupported
from desktop.engines.builtin.strips import read_page
from desktop.engines.builtin.tables import find_grid_tables, find_rules, without_rules


class PageReader(Protocol):
    """What reads a page's lines: RapidReader or TesseractReader."""

    def load(self) -> None: ...
    def read(self, rgb: np.ndarray, *, respace: bool = True) -> list[OcrLine]: ...


@dataclass(frozen=True, slots=True)
class Analysis:
    blocks: tuple[Block, ...]
    text: str
    #: The text looks like a script the bundled models do not read (see scripts.py).
    foreign_script: bool = False


def analyse_page(
    reader: PageReader,
    rgb: np.ndarray,
    mode: RecognizeMode,
    *,
    check_script: bool,
    erase_rules: bool = False,
) -> Analysis:
    """The whole page's work (blocking): OCR, rules, tables, layout.

    ``erase_rules``: OCR a copy without the long rules (Tesseract needs it in tables).
    """
    h, w = rgb.shape[:2]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    hrules, vrules, hmask, vmask = find_rules(gray)
    lines = read_page(reader, without_rules(rgb, hmask, vmask) if erase_rules else rgb)
    tables = find_grid_tables(hrules, vrules, hmask, vmask, lines)
    tables += find_booktabs_tables(hrules, lines, w, exclude=[t.bbox for t in tables])
    rest = [
        ln
        for ln in lines
        if not any(
            t.bbox[0] <= ln.cx <= t.bbox[2] and t.bbox[1] <= ln.cy <= t.bbox[3] for t in tables
        )
    ]
    blocks = build_blocks(
        rest, tables, w, h, with_text=mode is not RecognizeMode.LAYOUT_ONLY, all_lines=lines
    )
    text = ""
    if mode is RecognizeMode.TEXT:
        by_box = {t.bbox: t for t in tables}
        parts = [
            table_text(by_box[b.bbox]) if b.is_table and b.bbox in by_box else (b.text or "")
            for b in blocks
        ]
        text = "\n\n".join(p for p in parts if p)
    foreign = check_script and (
        looks_unsupported(ln.text for ln in lines)
        or (
            unread_ink_share(gray, lines, cv2.bitwise_or(hmask, vmask)) >= UNREAD_SHARE
            and bool(line_pieces(gray))  # unread ink in lines of print, not speckle
        )
    )
    return Analysis(tuple(blocks), text, foreign)
