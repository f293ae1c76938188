"""Build the glyphless TrueType font of the searchable PDF's invisible text layer.

Run once (``uv run python scripts/make_glyphless_font.py``) and paste the printed base64 into
desktop/core/glyphless.py. Two glyphs, both without outlines, 500 units wide: what a CID
font needs when the text is never drawn (render mode 3) but must be found, copied and
selected; the characters themselves travel through the PDF's ToUnicode map.
"""

from __future__ import annotations

import base64
import io

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen


def glyphless_font() -> bytes:
    """The font file's bytes."""
    fb = FontBuilder(unitsPerEm=1000, isTTF=True)
    names = [".notdef", "blank"]
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({0x20: "blank"})
    empty = TTGlyphPen(None).glyph()
    fb.setupGlyf({name: empty for name in names})
    fb.setupHorizontalMetrics({name: (500, 0) for name in names})
    fb.setupHorizontalHeader(ascent=1000, descent=0)
    fb.setupNameTable({"familyName": "GlyphLessFont", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=1000, sTypoDescender=0, usWinAscent=1000, usWinDescent=0)
    fb.setupPost()
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()


if __name__ == "__main__":
    data = glyphless_font()
    print(len(data), "bytes")
    print(base64.b64encode(data).decode())
