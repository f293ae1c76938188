"""The UI language that facts are worded in (set before the first paint: no imports here)."""

from __future__ import annotations

_current = ["en"]


def set_ui_language(language: str) -> None:
    """The language facts are worded in from now on (i18n.install_language calls this)."""
    _current[0] = language


def ui_language() -> str:
    return _current[0]
