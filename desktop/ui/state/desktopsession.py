"""What kind of desktop session the app runs in (what it may do there)."""

from __future__ import annotations

import os

from PySide6.QtGui import QGuiApplication


def on_wayland() -> bool:
    """A Wayland session: apps cannot listen for keys globally there (by design)."""
    if QGuiApplication.platformName().startswith("wayland"):
        return True
    session = os.environ.get("XDG_SESSION_TYPE", "").lower()
    return session == "wayland" and not os.environ.get("DISPLAY")
