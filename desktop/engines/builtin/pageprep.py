"""A page made fit to read before the engine looks at it: size, polarity, which way up.

- A page over READ_PIXELS is read scaled down (the fact says so): a 12000x12000 scan took
  2.9 GB at full size, and the detector sees at most 2000 px of it anyway (rapid.py).
- White print on a dark page is read inverted: the detector found the words, but the
  table finder took the dark background for ruled cells and returned the page as empty
  tables.
- A page on its side or upside down is turned upright (orient.py; the fact says so).

Boxes found on the prepared page are put back into the page's own pixels by ``page_box``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

from desktop.core.document import BBox, Block
from desktop.core.messages import Code, Msg
from desktop.engines.builtin.ocr import otsu_ink
from desktop.engines.builtin.orient import ScorePiece, quarter_turns, unturn_box
from desktop.engines.builtin.prescreen import letter_heights

#: Pages with more pixels are read scaled down to this many (6000x6000; a 600 DPI A4
#: scan, 35 million, is read as it is).
READ_PIXELS = 36_000_000

#: A page is taken for light print on a dark ground when at least this share of it is
#: dark and its light parts hold this many times more letter-sized shapes than its dark.
DARK_SHARE = 0.5
LIGHT_LETTERS = 2


@dataclass(frozen=True, slots=True)
class Prepared:
    """The page as read and how to get back to the page as given."""

    rgb: np.ndarray
    width: int  # the page as given
    height: int
    scale: float = 1.0  # read pixels per page pixel
    turns: int = 0  # np.rot90's k applied after scaling
    facts: tuple[Msg, ...] = ()

    def page_box(self, box: BBox) -> BBox:
        """A box on the prepared page, in the page's own pixels."""
        sw, sh = _scaled(self.width, self.height, self.scale)
        x0, y0, x1, y1 = unturn_box(box, self.turns, sw, sh)
        if self.scale == 1.0:
            return (x0, y0, x1, y1)
        s = 1.0 / self.scale
        return (
            max(0, min(self.width, math.floor(x0 * s))),
            max(0, min(self.height, math.floor(y0 * s))),
            max(0, min(self.width, math.ceil(x1 * s))),
            max(0, min(self.height, math.ceil(y1 * s))),
        )

    def turned(self, k: int) -> Prepared:
        """The prepared page turned by ``k`` more quarter turns (``np.rot90``'s k)."""
        turns = (self.turns + k) % 4
        facts = [f for f in self.facts if f.code is not Code.PAGE_TURNED]
        if turns:
            facts.append(_turned_fact(turns))
        rgb = np.ascontiguousarray(np.rot90(self.rgb, k))
        return Prepared(rgb, self.width, self.height, self.scale, turns, tuple(facts))

    def page_blocks(self, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
        if self.scale == 1.0 and self.turns == 0:
            return blocks
        return tuple(_with_box(b, self.page_box(b.bbox)) for b in blocks)


def _with_box(block: Block, box: BBox) -> Block:
    return Block(block.category, box, block.text, block.index, block.facts)


def _scaled(width: int, height: int, scale: float) -> tuple[int, int]:
    if scale == 1.0:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def shrink(image: Image.Image) -> tuple[np.ndarray, float]:
    """The page's RGB pixels scaled to at most READ_PIXELS, and the scale (1.0: untouched).

    Scaled before the pixels are copied out of Pillow: a 12000x12000 page is never held as
    a full-size array as well.
    """
    w, h = image.size
    scale = 1.0 if w * h <= READ_PIXELS else math.sqrt(READ_PIXELS / (w * h))
    if scale != 1.0:
        image = image.resize(_scaled(w, h, scale), Image.Resampling.BOX)
    return np.asarray(image if image.mode == "RGB" else image.convert("RGB")), scale


def _letters(ink: np.ndarray) -> int:
    """Connected shapes of letter size."""
    return int(letter_heights(ink).size)


def light_on_dark(gray: np.ndarray) -> bool:
    """Whether the page is light print on a dark ground (not a dark photo with a caption)."""
    ink = otsu_ink(gray)
    if ink is None or float(ink.mean()) < DARK_SHARE:
        return False
    light = _letters(np.ascontiguousarray(1 - ink))
    return light >= 20 and light >= LIGHT_LETTERS * _letters(ink)


def _turned_fact(turns: int) -> Msg:
    return Msg.of(Code.PAGE_TURNED, degrees=90 * ((4 - turns) % 4))


def prepare_page(
    image: Image.Image,
    score: ScorePiece | None,
    osd: Callable[[np.ndarray], int] | None = None,
) -> Prepared:
    """The page ready to read (blocking). ``score``: the recogniser on a line crop, for
    finding which way up the print lies; None skips that (a reader without one).
    ``osd``: Tesseract's quarter turns for a page whose lines run down and that the
    recogniser reads neither way; None where there is no Tesseract."""
    w, h = image.size
    facts: list[Msg] = []
    small, scale = shrink(image)
    if scale != 1.0:
        sh, sw = small.shape[:2]
        facts.append(
            Msg.of(Code.PAGE_READ_SMALLER, width=w, height=h, read_width=sw, read_height=sh)
        )
    if light_on_dark(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)):
        small = 255 - small
    turns = quarter_turns(small, score) if score is not None else 0
    if turns is None:
        turns = osd(small) if osd is not None else 0
    prep = Prepared(small, w, h, scale, 0, tuple(facts))
    return prep.turned(turns) if turns else prep


def scorer(reader: Any) -> ScorePiece | None:
    """The reader's recogniser with its confidence, where it has one."""
    fn = getattr(reader, "score_piece", None)
    return fn if callable(fn) else None
