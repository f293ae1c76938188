"""The invisible text layer's font: one glyphless CID font, every character by ToUnicode.

OCRmyPDF's and Tesseract's approach: the text is never drawn (render mode 3), so the font
needs no outlines; each distinct character of a document gets a 2-byte code (CID), every CID
shows the same empty 500-unit glyph, and the ToUnicode map gives each code its character.
Any Unicode text (Cyrillic, CJK, characters beyond the BMP) is found, copied and selected,
and the font adds under 2 KB to the file.
"""

from __future__ import annotations

import base64

#: Built by scripts/make_glyphless_font.py (fontTools): two empty glyphs, 500 of 1000 units wide.
FONT_FILE = base64.b64decode(
    "AAEAAAAKAIAAAwAgT1MvMkT/RUAAAAEoAAAAYGNtYXAADABzAAABkAAAADRnbHlmAAAAAAAAAcwAAAABaGVhZC2PZpQAAACsAAAANmhoZWED6QH2AAAA5AAAACRobXR4AfQAAAAAAYgAAAAGbG9jYQAAAAAAAAHEAAAABm1heHAAAwACAAABCAAAACBuYW1lGZ8ZNAAAAdAAAABycG9zdG1nc80AAAJEAAAALAABAAAAAQAAppYmdl8PPPUAAwPoAAAAAOc8ktoAAAAA5zyS2gAAAAAAAAAAAAAAAwACAAAAAAAAAAEAAAPoAAAAAAH0AAAAAAAAAAEAAAAAAAAAAAAAAAAAAAABAAEAAAACAAAAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAAAAAwH0AZAABQAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAPz8/PwAAACAAIAPoAAAAAAPoAAAAAAAAAAAAAAAAAAAAAAAgAAAB9AAAAAAAAAAAAAIAAAADAAAAFAADAAEAAAAUAAQAIAAAAAQABAABAAAAIP//AAAAIP///+EAAQAAAAAAAAAAAAAAAAAAAAAAAAAEADYAAQAAAAAAAQANAAAAAQAAAAAAAgAHAA0AAwABBAkAAQAaABQAAwABBAkAAgAOAC5HbHlwaExlc3NGb250UmVndWxhcgBHAGwAeQBwAGgATABlAHMAcwBGAG8AbgB0AFIAZQBnAHUAbABhAHIAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIAAAECBWJsYW5r"
)
#: Every glyph's advance, in thousandths of the font size.
GLYPH_WIDTH = 500
#: Codes are two bytes; 0 stays unused (.notdef).
MAX_CODES = 0xFFFF


class CidMap:
    """Characters -> 2-byte codes, in order of first use; one map per written document."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._codes)

    def encode(self, text: str) -> bytes:
        """text as codes (big-endian pairs); characters past the 65535th are dropped."""
        out = bytearray()
        for ch in text:
            code = self._codes.get(ch)
            if code is None:
                if len(self._codes) >= MAX_CODES:
                    continue
                code = len(self._codes) + 1
                self._codes[ch] = code
            out += code.to_bytes(2, "big")
        return bytes(out)

    def to_unicode(self) -> bytes:
        """The ToUnicode CMap stream: each code -> its character in UTF-16BE."""
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        items = list(self._codes.items())
        for start in range(0, len(items), 100):  # at most 100 entries per block (the spec)
            chunk = items[start : start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            for ch, code in chunk:
                lines.append(f"<{code:04X}> <{ch.encode('utf-16-be', 'surrogatepass').hex()}>")
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")

    def cid_to_gid(self) -> bytes:
        """The CIDToGIDMap stream: code 0 -> glyph 0, every used code -> the blank glyph 1."""
        return b"\x00\x00" + b"\x00\x01" * len(self._codes)
