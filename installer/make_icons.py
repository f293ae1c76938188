"""Render the app icon (SVG) into the raster formats each OS wants: PNG, ICO, ICNS.

The spec calls ``make_icons(root, out_dir)`` before Analysis; run by hand with
``uv run python installer/make_icons.py [OUT_DIR]``. Qt renders the SVG (offscreen),
Pillow writes the multi-size .ico/.icns, so this runs on any build machine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PIL import Image

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_source(root: Path) -> Path:
    """The UI's app icon when present, else the packaging fallback."""
    ui_icon = root / "resources" / "icons" / "dots-desktop.svg"
    return ui_icon if ui_icon.exists() else root / "installer" / "linux" / "dots-desktop.svg"


def _render(svg: bytes, size: int) -> Image.Image:
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication([])
    image = QImage(size, size, QImage.Format.Format_RGBA8888)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(QByteArray(svg)).render(painter)
    painter.end()
    raw = bytes(image.constBits())
    return Image.frombuffer("RGBA", (size, size), raw, "raw", "RGBA", image.bytesPerLine(), 1)


def make_icons(root: Path, out_dir: Path) -> dict[str, Path]:
    """Write dots-desktop.{svg,png,ico,icns} into ``out_dir``; return them by extension."""
    out_dir.mkdir(parents=True, exist_ok=True)
    svg = icon_source(root).read_bytes()
    images = {size: _render(svg, size) for size in SIZES}
    paths = {ext: out_dir / f"dots-desktop.{ext}" for ext in ("svg", "png", "ico", "icns")}
    paths["svg"].write_bytes(svg)
    images[256].save(paths["png"])
    images[256].save(paths["ico"], sizes=[(s, s) for s in SIZES if s <= 256])
    images[512].save(paths["icns"])
    return paths


if __name__ == "__main__":
    repo = Path(__file__).resolve().parents[1]
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else repo / "build" / "icons"
    for ext, path in make_icons(repo, target).items():
        print(f"{ext}: {path}")
