"""Loading the translation that matches the language setting."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale

from desktop.ui.look.icons import resources_dir
from desktop.ui.words.language import set_ui_language

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication, QTranslator

logger = logging.getLogger(__name__)

_installed: list[QTranslator] = []


def install_language(app: QCoreApplication, language: str) -> bool:
    """Install our .qm (and Qt's own dialogs' strings) for ``language``; English needs none."""
    set_ui_language(language)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English))
        return True
    from PySide6.QtCore import QLibraryInfo, QTranslator  # not before an English first paint

    QLocale.setDefault(QLocale(language))
    ours = QTranslator(app)
    ok = ours.load(f"dots_desktop_{language}", str(resources_dir() / "i18n"))
    if ok:
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        logger.warning("no translation for %s in %s", language, resources_dir() / "i18n")
    qt_own = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load(f"qtbase_{language}", path):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    return ok
