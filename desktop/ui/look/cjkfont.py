"""Whether the window can show Chinese, Japanese and Korean text, or would draw empty boxes.

The engines read CJK text whatever fonts the system has; Qt falls back to any installed font
that has the glyphs, so the question is asked of the text itself: laid out in the window's
font, does any character come out as glyph 0 (the "missing" box)?
"""

from __future__ import annotations

import re

from PySide6.QtGui import QFont, QTextLayout

#: Kana, CJK ideographs (with extension A and compatibility forms) and Hangul syllables.
CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: Enough distinct characters to judge by, few enough to lay out in well under a millisecond.
SAMPLE = 200


def cjk_sample(text: str) -> str:
    """Up to ``SAMPLE`` distinct CJK characters of ``text`` ("" when it has none)."""
    seen = dict.fromkeys(CJK.findall(text))
    return "".join(list(seen)[:SAMPLE])


def missing_glyphs(text: str, font: QFont) -> int:
    """How many glyphs of ``text`` would be drawn as the empty box in ``font`` (fallbacks
    included)."""
    if not text:
        return 0
    layout = QTextLayout(text, font)
    layout.beginLayout()
    while layout.createLine().isValid():
        pass
    layout.endLayout()
    return sum(1 for run in layout.glyphRuns() for glyph in run.glyphIndexes() if glyph == 0)
