"""Built-in CPU engine: OCR, layout and ruled tables with models shipped in the wheel."""

from __future__ import annotations

from desktop.engines.builtin.engine import BuiltinEngine, BuiltinUnavailable, builtin_available
from desktop.engines.builtin.scripts import BUNDLED_SCRIPTS, tesseract_binary
from desktop.engines.builtin.tesseract import installed_languages

__all__ = [
    "BUNDLED_SCRIPTS",
    "BuiltinEngine",
    "BuiltinUnavailable",
    "builtin_available",
    "installed_languages",
    "tesseract_binary",
]
