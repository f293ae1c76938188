"""Screen-region captures asked for from outside the window: the global key (if set) and
`dots-desktop capture` (a later launch, or the launch that starts the app). ADR 011."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject

if TYPE_CHECKING:
    from desktop.ui.appshell.hotkey import GlobalHotkey

logger = logging.getLogger(__name__)


def t(text: str) -> str:
    return QCoreApplication.translate("DesktopApp", text)


class GlobalCapture(QObject):
    """Runs ``capture`` (the region tool) when the key is pressed or a launch asks."""

    def __init__(
        self,
        capture: Callable[[], None],
        tell: Callable[[str, int], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.capture = capture
        self._tell = tell
        self.hotkey: GlobalHotkey | None = None  # made when a key is first set
        self._waiting: asyncio.Future[None] | None = None

    def set_key(self, portable: str) -> bool:
        """Listen for ``portable`` (Qt's text of a key sequence); "" stops listening."""
        if self.hotkey is None:
            if not portable:
                return False
            from desktop.ui.appshell.hotkey import GlobalHotkey

            self.hotkey = GlobalHotkey(self)
            self.hotkey.pressed.connect(self.capture)
        ok = self.hotkey.register(portable)
        if portable and not ok:
            self._tell(
                t("The capture key could not be set here; bind `dots-desktop capture` instead."),
                15000,
            )
        return ok

    def on_action(self, action: str) -> None:
        """What a later launch asked for over the single-instance channel."""
        if action == "capture":
            self.capture()
        else:
            logger.warning("ignoring an unknown request from another launch: %r", action)

    def after_start(self, started: Callable[[], bool]) -> None:
        """`dots-desktop capture` started the app: capture once ``started()`` holds."""

        async def later() -> None:
            while not started():
                await asyncio.sleep(0.05)
            self.capture()

        self._waiting = asyncio.ensure_future(later())

    def close(self) -> None:
        if self.hotkey is not None:
            self.hotkey.unregister()
        if self._waiting is not None:
            self._waiting.cancel()
