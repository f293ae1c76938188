"""What the user handed us: dropped/pasted files, folders and image data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData
from PySide6.QtGui import QImage

from desktop.core.formats import PAGE_SUFFIXES


@dataclass(slots=True)
class Inputs:
    """Local paths and in-memory images (PNG bytes) to open; ``skipped`` says what was not."""

    paths: list[str] = field(default_factory=list)
    images: list[tuple[str, bytes]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.paths or self.images)


def expand_paths(names: list[str]) -> Inputs:
    """Files as given; folders become their supported files (sorted, not recursive)."""
    result = Inputs()
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in PAGE_SUFFIXES)
            result.paths.extend(str(p) for p in found if p.is_file())
            if not found:
                result.skipped.append(str(path))
        elif path.exists():
            result.paths.append(str(path.resolve()))
        else:
            result.skipped.append(name)
    return result


def image_png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())


def mime_inputs(mime: QMimeData) -> Inputs:
    """Local file URLs win; otherwise image data (a browser drag or a screenshot paste).

    Remote URLs are never fetched: the app works offline and does not download what it is handed.
    """
    if mime.hasUrls():
        local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        remote = [u.toString() for u in mime.urls() if not u.isLocalFile()]
        if local:
            result = expand_paths(local)
            result.skipped.extend(remote)
            return result
        if not mime.hasImage():
            return Inputs(skipped=remote)
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return Inputs(images=[("pasted image", image_png_bytes(image))])
    for fmt in ("image/png", "image/jpeg", "image/webp", "image/bmp"):
        if mime.hasFormat(fmt):
            return Inputs(images=[("pasted image", bytes(mime.data(fmt).data()))])
    return Inputs()
