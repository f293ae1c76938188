"""Built-in CPU engine: OCR, layout and ruled tables with models shipped in the wheel.

Languages (for a settings picker): ``language_choices(installed_languages())`` lists
``auto`` and each installed Tesseract pack; pass a choice's ``code`` as
``BuiltinEngine(languages=code)`` (or ``create_engine("builtin", languages=code)``).
"""

from __future__ import annotations

from desktop.engines.builtin.engine import BuiltinEngine, BuiltinUnavailable, builtin_available
from desktop.engines.builtin.languages import (
    LanguageChoice,
    install_command,
    language_choices,
    language_name,
)
from desktop.engines.builtin.scripts import BUNDLED_SCRIPTS, tesseract_binary
from desktop.engines.builtin.tesseract import installed_languages

__all__ = [
    "BUNDLED_SCRIPTS",
    "BuiltinEngine",
    "BuiltinUnavailable",
    "LanguageChoice",
    "builtin_available",
    "install_command",
    "installed_languages",
    "language_choices",
    "language_name",
    "tesseract_binary",
]
