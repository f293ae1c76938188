"""In-memory images (a clipboard paste, a screen capture) kept as files, so they are sources.

The page reader reads files, and a batch resumes only from what is still on disk after a
restart: a capture is written once to the cache folder, named by its content's hash (the
same paste twice is one file), and read from there like any dropped file.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from desktop.core.exports import atomic_write_bytes
from desktop.core.formats import sniff_format
from desktop.core.images import load_image_bytes
from desktop.core.paths import cache_dir

#: Formats with one image per file: their bytes are kept as they came (nothing re-encoded,
#: and the request can send them untouched). Others keep their first page, as a PNG.
SINGLE_IMAGE = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "BMP": ".bmp"}


def captures_dir() -> Path:
    """Where captures are kept (the app's cache folder)."""
    path = cache_dir() / "captures"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_capture(data: bytes, name: str = "pasted image") -> Path:
    """Check ``data`` is a readable image and keep it as a file; its path.

    Raises the reader's typed errors (UnreadableFile, UnsupportedFile, ImageTooLarge...)
    with ``name`` in the sentence, as for a file. Call it off the GUI thread (it decodes).
    """
    page = load_image_bytes(data, name)
    kind = sniff_format(data[:1024]) or ""
    suffix = SINGLE_IMAGE.get(kind)
    if suffix is None:
        buffer = io.BytesIO()
        page.image.save(buffer, "PNG")
        data, suffix = buffer.getvalue(), ".png"
    target = captures_dir() / f"{hashlib.sha256(data).hexdigest()[:32]}{suffix}"
    if not target.is_file():
        atomic_write_bytes(target, data)
    return target
