"""How the user left the views: overlay shown, plain text wrapped (remembered between runs)."""

from __future__ import annotations

from desktop.ui.state.settingsfile import settings_file

OVERLAY = "view/overlay"
PLAIN_WRAP = "view/plain_wrap"
DEFAULTS = {OVERLAY: True, PLAIN_WRAP: False}


def view_choice(name: str) -> bool:
    """A remembered on/off choice; a missing or odd value is the default."""
    raw = settings_file().value(name, None)
    if raw is None:
        return DEFAULTS[name]
    return str(raw).lower() in ("1", "true", "yes")


def remember_view_choice(name: str, on: bool) -> None:
    store = settings_file()
    store.setValue(name, on)
    store.sync()
