"""The optional global hotkey for a screen-region capture (pynput; ADR 011).

X11, Windows and macOS let an app listen for a key combination anywhere; Wayland does
not (by design), so there the user binds ``dots-desktop capture`` in the desktop's
keyboard settings instead, and the settings dialog says how.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.ui.state.desktopsession import on_wayland

logger = logging.getLogger(__name__)

#: Qt's portable key names -> pynput's names for the keys that are not one character.
_SPECIAL = {
    "ctrl": "<ctrl>",
    "shift": "<shift>",
    "alt": "<alt>",
    "meta": "<cmd>",
    "space": "<space>",
    "print": "<print_screen>",
    "ins": "<insert>",
    "del": "<delete>",
    "home": "<home>",
    "end": "<end>",
    "pgup": "<page_up>",
    "pgdown": "<page_down>",
    "pause": "<pause>",
    "tab": "<tab>",
    "return": "<enter>",
    "enter": "<enter>",
    "backspace": "<backspace>",
    "esc": "<esc>",
    **{f"f{n}": f"<f{n}>" for n in range(1, 21)},
}


def pynput_combo(portable: str) -> str:
    """``Ctrl+Shift+O`` (QKeySequence.PortableText) -> ``<ctrl>+<shift>+o``; "" if odd."""
    parts = [p for p in portable.replace("++", "+plus").split("+") if p]
    if not parts or "," in portable:  # one combination, not a sequence of several
        return ""
    out = []
    for part in parts:
        low = part.lower()
        if low == "plus":
            out.append("+")
        elif low in _SPECIAL:
            out.append(_SPECIAL[low])
        elif len(part) == 1:
            out.append(low)
        else:
            return ""
    return "+".join(out)


class GlobalHotkey(QObject):
    """Listens for one key combination anywhere on the desktop; ``pressed`` in the GUI thread."""

    pressed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listener: Any = None
        self.combo = ""

    def register(self, portable: str) -> bool:
        """Listen for ``portable`` (Qt's text of a key sequence); "" stops listening.

        False (and logged) when this platform or session cannot: Wayland, no display, no
        pynput in this build, or a combination pynput cannot name.
        """
        self.unregister()
        combo = pynput_combo(portable)
        if not portable or not combo or on_wayland():
            return False
        try:
            from pynput import keyboard  # its X11 backend connects to the display on import
        except ImportError as exc:
            logger.info("no global hotkey here: %s", exc)
            return False
        try:
            # pynput calls back in its own thread; the signal is queued to the GUI thread.
            listener = keyboard.GlobalHotKeys({combo: self.pressed.emit})
            listener.daemon = True
            listener.start()
        except Exception as exc:  # a listener that cannot start: the command still works
            logger.warning("global hotkey %s not registered: %s", combo, exc)
            return False
        self._listener = listener
        self.combo = combo
        return True

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Until the listener receives keys (its X connection is set up)."""
        listener = self._listener
        if listener is None:
            return False
        import time

        deadline = time.monotonic() + timeout
        listener.wait()  # pynput: until the listener is running
        while not listener.running and time.monotonic() < deadline:
            time.sleep(0.01)
        return bool(listener.running)

    def unregister(self) -> None:
        listener, self._listener, self.combo = self._listener, None, ""
        if listener is not None:
            listener.stop()

    def active(self) -> bool:
        return self._listener is not None
