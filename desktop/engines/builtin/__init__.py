"""Built-in CPU engine: OCR, layout and ruled tables with models shipped in the wheel."""

from __future__ import annotations

from desktop.engines.builtin.engine import BuiltinEngine, BuiltinUnavailable, builtin_available
from desktop.engines.builtin.scripts import BUNDLED_SCRIPTS

__all__ = ["BUNDLED_SCRIPTS", "BuiltinEngine", "BuiltinUnavailable", "builtin_available"]
