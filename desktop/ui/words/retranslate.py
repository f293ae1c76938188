"""Switching the language while the app runs: every shown string is translated again.

Qt's way is a ``retranslateUi()`` per widget; ours finds each widget's text in the
catalogue of the strings the window translates (resources/i18n/sources.json, written
with the .ts by ``python -m tests.ui.trstrings``): a text that is the old language's
translation of a (context, source) becomes the new language's translation of it. Texts
built from facts or numbers are re-set by their owners (the shell asks them).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from desktop.ui.look.icons import resources_dir

logger = logging.getLogger(__name__)

Pair = tuple[str, str]


@functools.cache
def catalogue() -> tuple[Pair, ...]:
    """Every (context, source) of the window (empty if the file is missing: nothing moves)."""
    path = resources_dir() / "i18n" / "sources.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        logger.warning("no string catalogue at %s: a language switch needs a restart", path)
        return ()
    return tuple((str(c), str(s)) for c, s in rows)


def current_texts() -> dict[str, Pair]:
    """Each string as the installed translators show it now -> its (context, source)."""
    shown: dict[str, Pair] = {}
    for context, source in catalogue():
        shown.setdefault(QCoreApplication.translate(context, source), (context, source))
    return shown


def _again(before: dict[str, Pair], text: str) -> str | None:
    pair = before.get(text)
    return QCoreApplication.translate(*pair) if pair is not None else None


def _each_text(obj: QObject) -> Iterable[tuple[str, Callable[[str], None]]]:
    """(text, setter) for the translatable texts ``obj`` shows."""
    if isinstance(obj, QAction):
        yield obj.text(), obj.setText
        yield obj.toolTip(), obj.setToolTip
        yield obj.iconText(), obj.setIconText
        return
    if not isinstance(obj, QWidget):
        return
    yield obj.windowTitle(), obj.setWindowTitle
    yield obj.toolTip(), obj.setToolTip
    yield obj.accessibleName(), obj.setAccessibleName
    if isinstance(obj, (QAbstractButton, QLabel)):
        yield obj.text(), obj.setText
    if isinstance(obj, (QLineEdit, QPlainTextEdit, QTextEdit)):
        yield obj.placeholderText(), obj.setPlaceholderText
    if isinstance(obj, QGroupBox):
        yield obj.title(), obj.setTitle
    if isinstance(obj, QMenu):
        yield obj.title(), obj.setTitle
    if isinstance(obj, QTabWidget):
        for i in range(obj.count()):
            yield obj.tabText(i), functools.partial(obj.setTabText, i)
    if isinstance(obj, QComboBox):
        for i in range(obj.count()):
            yield obj.itemText(i), functools.partial(obj.setItemText, i)


def retranslate_tree(roots: Iterable[QObject], before: dict[str, Pair]) -> int:
    """Translate again every known text under ``roots``; returns how many changed."""
    changed = 0
    seen: set[int] = set()
    for root in roots:
        for obj in [root, *root.findChildren(QObject)]:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            for text, setter in list(_each_text(obj)):
                new = _again(before, text) if text else None
                if new is not None and new != text:
                    setter(new)
                    changed += 1
    return changed
