"""Icons: line icons from resources/icons tinted to the palette, and the tray icon drawn live.

The toolbar's icons and the state dots are in the first paint. They are SVG files that
QIcon draws in C++ (Qt's SVG icon engine), tinted by writing the colour into a copy in the
cache folder once: drawing them from Python would bring in QtSvg, QPainter and their
enums before the first paint (~4 ms). Drawings made after it (thumbnails, the tray
icon) use QPainter and QSvgRenderer, imported where they are used.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QIcon

if TYPE_CHECKING:
    from PySide6.QtGui import QPixmap

logger = logging.getLogger(__name__)


def resources_dir() -> Path:
    """resources/ next to the package (or inside a PyInstaller bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[3] / "resources"


#: Model state -> dot colour (shared by the tray, the engine chip and the status bar).
STATE_COLOURS: dict[str, str] = {
    "ready": "#2fbf71",
    "busy": "#2f8fdf",
    "starting": "#f0a020",
    "stopped": "#8a8f98",
    "failed": "#e0455a",
}


def state_colour(state: str) -> QColor:
    return QColor(STATE_COLOURS.get(state, STATE_COLOURS["stopped"]))


#: GPU memory fullness as (below this fraction, level, colour): green below 70 %, amber
#: below 90 %, red above, as a fuel gauge reads. The tray icon, the status bar gauge
#: (a style-sheet property, theme.py) and its colours all come from here.
FULLNESS = ((0.70, "ok", "#2fbf71"), (0.90, "high", "#f0a020"), (float("inf"), "full", "#e0455a"))


def fullness_level(fraction: float) -> str:
    return next(level for limit, level, _colour in FULLNESS if fraction < limit)


def fullness_colour(fraction: float) -> QColor:
    return QColor(next(colour for limit, _level, colour in FULLNESS if fraction < limit))


@functools.cache
def _svg_source(name: str) -> str:
    return (resources_dir() / "icons" / f"{name}.svg").read_text(encoding="utf-8")


def _svg_file(stem: str, svg: str) -> str:
    """``svg`` as a file QIcon can read: cache/icons/<stem>-<crc>.svg, written once; "" if
    it can't be.

    The name carries a checksum of the drawing (shape and colour), so a file found is
    right, also after an update changed an icon.
    """
    import zlib  # loaded with Qt already

    from desktop.core.paths import cache_dir

    try:
        folder = cache_dir() / "icons"
        target = folder / f"{stem}-{zlib.crc32(svg.encode()):08x}.svg"
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f".{stem}.{os.getpid()}.tmp"
            partial.write_text(svg, encoding="utf-8")
            os.replace(partial, target)  # whole or absent, even with two starts at once
        return str(target)
    except OSError as exc:  # read-only or full disk: drawn in memory instead
        logger.info("icon %s drawn in memory: %s", stem, exc)
        return ""


def _icon(stem: str, svg: str, size: int) -> QIcon:
    path = _svg_file(stem, svg)
    if path:
        return QIcon(path)
    icon = QIcon()
    for scale in (1, 2):
        icon.addPixmap(svg_pixmap(svg, size, size, scale=scale))
    return icon


def line_icon(name: str, colour: str = "#3a3f47") -> QIcon:
    """A resources/icons SVG with ``currentColor`` set to ``colour``."""
    try:
        svg = _svg_source(name).replace("currentColor", colour)
    except OSError:
        return QIcon()
    return _icon(name, svg, 24)


def app_icon() -> QIcon:
    path = resources_dir() / "icons" / "dots-desktop.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def svg_pixmap(svg: str, width: int, height: int, scale: int = 2) -> QPixmap:
    """An SVG drawn into a transparent pixmap (HiDPI ``scale``)."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    pix = QPixmap(width * scale, height * scale)
    pix.fill(QColor(0, 0, 0, 0))  # not Qt.GlobalColor: see window.py
    painter = QPainter(pix)
    QSvgRenderer(QByteArray(svg.encode())).render(painter)
    painter.end()
    pix.setDevicePixelRatio(scale)
    return pix


def dot_icon(state: str, size: int = 12) -> QIcon:
    """A filled circle in the state's colour (engine chip, status bar)."""
    colour = STATE_COLOURS.get(state, STATE_COLOURS["stopped"])
    r = size / 2 - 1
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
        f'<circle cx="{size / 2}" cy="{size / 2}" r="{r}" fill="{colour}"/></svg>'
    )
    return _icon(f"dot{size}", svg, size)


def draw_tray_pixmap(fraction: float | None, state: str, size: int = 64) -> QPixmap:
    """The tray icon: a page whose fill height is GPU memory use, plus a model-state dot.

    ``fraction`` None means no NVIDIA GPU: the page is drawn empty with three dots.
    Shapes are thick and few so the icon still reads at 16-22 px.
    """
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QPainter, QPainterPath, QPen, QPixmap

    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 64.0
    page = QRectF(8 * s, 3 * s, 40 * s, 56 * s)
    path = QPainterPath()
    path.addRoundedRect(page, 7 * s, 7 * s)
    p.fillPath(path, QColor("#f4f6fa"))
    if fraction is not None:
        frac = max(0.0, min(1.0, fraction))
        fill = QRectF(
            page.left(), page.bottom() - page.height() * frac, page.width(), page.height() * frac
        )
        p.save()
        p.setClipPath(path)
        p.fillRect(fill, fullness_colour(frac))
        p.restore()
    else:
        p.setPen(Qt.PenStyle.NoPen)
        for i, colour in enumerate(("#f0b400", "#2fbf71", "#e0455a")):
            p.setBrush(QColor(colour))
            p.drawEllipse(QRectF((14 + i * 11) * s, 38 * s, 8 * s, 8 * s))
    p.setPen(QPen(QColor("#2b3038"), 4 * s))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    # Text lines on the page, so it reads as a document even when full.
    p.setPen(QPen(QColor(40, 48, 56, 150), 4 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    for y in (14, 22):
        p.drawLine(int(16 * s), int(y * s), int(40 * s), int(y * s))
    # State dot, bottom right, with a ring so it separates from any tray background.
    p.setPen(QPen(QColor("#ffffff"), 3 * s))
    p.setBrush(state_colour(state))
    p.drawEllipse(QRectF(38 * s, 38 * s, 24 * s, 24 * s))
    p.end()
    return pix
