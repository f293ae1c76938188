"""The settings file, and what the first paint needs from it.

``prefs.py`` reads all preferences into a dataclass; the first paint needs two of them
(language and OCR mode) and reads just those here, so that the dataclass machinery
(~4 ms) waits until after the window is shown.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QLocale, QSettings

from desktop.core.paths import config_dir

LANGUAGES = ("en", "ru")


def settings_file() -> QSettings:
    """The INI file under the config folder (``DOTS_DESKTOP_HOME`` aware)."""
    return QSettings(str(config_dir() / "settings.ini"), QSettings.Format.IniFormat)


def system_language() -> str:
    """``ru`` on a Russian system, else ``en``."""
    env = os.environ.get("LANGUAGE") or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    if env.lower().startswith("ru"):
        return "ru"
    return "ru" if QLocale.system().language() == QLocale.Language.Russian else "en"


def language_or_system(value: object) -> str:
    """A saved language if we ship it, else the system's."""
    return str(value) if str(value) in LANGUAGES else system_language()


def first_paint_theme() -> str:
    """The theme setting (system, light or dark), as ``load_prefs()`` reads it."""
    value = str(settings_file().value("theme", "system"))
    return value if value in ("light", "dark") else "system"


def first_paint_choices() -> tuple[str, str]:
    """(language, OCR mode), as ``load_prefs()`` reads them (a test holds them equal)."""
    store = settings_file()
    language = language_or_system(store.value("language", ""))
    mode = store.value("ocr_mode", None)
    return language, "layout" if mode is None else str(mode)
