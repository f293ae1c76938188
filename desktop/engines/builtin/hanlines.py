"""Chinese lines on a page Tesseract reads in another script (Russian with Chinese in it).

A page the quick look sends to Tesseract is read in one script's pack (``rus+eng``);
Chinese lines on it came back as confident-looking Latin and Cyrillic ("RRABA KARAM.")
and the page said ok. Tesseract's own confidence on such a line is low (0.00-0.41 on the
benchmark's Chinese messages, 0.81-0.97 on the Russian lines around them), and the bundled
recogniser reads the same line crop as Chinese with 0.98-1.00: such lines take the
recogniser's reading. Lines Tesseract is sure of are never re-read, so a Russian page
costs nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.engines.builtin.ocr import OcrLine, Word, even_words
from desktop.engines.builtin.orient import ScorePiece
from desktop.engines.builtin.tesseract import TesseractReader

#: Tesseract lines below this confidence are offered to the bundled recogniser.
DOUBT = 0.5

#: The recogniser's reading replaces the line from this confidence ...
SURE = 0.9

#: ... when at least this share of its letters are Chinese characters.
HAN_SHARE = 0.5


def han_share(text: str) -> float:
    """Share of the non-space characters that are CJK ideographs."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if 0x3400 <= ord(c) <= 0x9FFF or 0xF900 <= ord(c) <= 0xFAFF) / len(
        chars
    )


@dataclass
class WithHanLines:
    """A Tesseract reader whose doubtful lines the bundled recogniser may read as Chinese."""

    inner: TesseractReader
    score: ScorePiece

    def load(self) -> None:
        self.inner.load()

    def read(self, rgb: np.ndarray, *, respace: bool = True) -> list[OcrLine]:
        return [self._checked(rgb, line) for line in self.inner.read(rgb, respace=respace)]

    def _checked(self, rgb: np.ndarray, line: OcrLine) -> OcrLine:
        if line.score >= DOUBT:
            return line
        h, w = rgb.shape[:2]
        x0, y0, x1, y1 = line.bbox
        pad = max(2, (y1 - y0) // 8)
        crop = rgb[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]
        if crop.size == 0:
            return line
        text, confidence = self.score(np.ascontiguousarray(crop))
        text = text.strip()
        if confidence < SURE or han_share(text) < HAN_SHARE:
            return line
        words: tuple[Word, ...] = even_words(text, line.bbox)
        return OcrLine(line.bbox, text, confidence, words)
