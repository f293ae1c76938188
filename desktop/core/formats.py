"""Which files are pages: the formats read, recognised by their first bytes.

Light on purpose (no numpy, Pillow or pdfium): the window imports it to pick files out of
a drop or a folder, before the decoders (images.py) are loaded off the GUI thread.
"""

from __future__ import annotations

#: File name suffixes of the formats read here: how a file is picked out of a folder
#: (a single file given by name is still recognised by its content).
PAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".pdf"}
)
#: Formats the server decodes itself, so an unchanged file can be sent as is.
PASSTHROUGH_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


def sniff_format(head: bytes) -> str | None:
    """The file kind from its first bytes: PNG, JPEG, WEBP, GIF, TIFF, BMP, PDF or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    # The PDF header may follow some junk bytes (the spec tolerates up to 1024).
    if b"%PDF-" in head[:1024]:
        return "PDF"
    return None
