"""The engine the settings choose, built off the GUI thread, and its state shown: the
engine chip, the chat's and the region tool's availability."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.core.errors import DotsError, facts_of
from desktop.engines.base import Capability
from desktop.ui.control.enginechoice import build_engine, engine_kind
from desktop.ui.words.enginewords import state_words
from desktop.ui.words.facts import facts_words

if TYPE_CHECKING:
    from desktop.core.messages import Msg
    from desktop.ui.appshell.shelllink import ShellLink

logger = logging.getLogger(__name__)


def t(text: str) -> str:
    return QCoreApplication.translate("DesktopApp", text)


class EngineView:
    """Builds the chosen engine and words its state in the window."""

    def __init__(self, shell: ShellLink, *, update_tray: Callable[[], None]) -> None:
        self.shell = shell
        self._update_tray = update_tray
        self.seen: tuple[str, str, str, int, str] | None = None

    async def apply(self) -> None:
        """Build the engine the settings ask for; a failure is shown, never raised.

        Building may import the built-in engine's ONNX runtime (seconds): a worker thread
        does it so the window keeps painting.
        """
        shell = self.shell
        if shell.prefs.engine_mode == "managed":
            status = shell.model.status() if shell.model is not None else None
            if status is None or not status.endpoint or str(status.state) != "ready":
                shell.bridge.set_engine(None)
                self.on_engine(
                    t("Managed model"), "stopped", t("Start the model from the model panel.")
                )
                return
            endpoint, key = status.server_url, status.api_key
        else:
            endpoint = key = None
        try:
            engine = await asyncio.to_thread(build_engine, shell.prefs, endpoint, key)
        except (DotsError, ImportError) as exc:
            logger.warning("engine unavailable: %s", exc)
            shell.bridge.set_engine(None)
            self.on_engine(t("No engine"), "failed", facts_of(exc))
            return
        shell.bridge.set_engine(engine)

    def on_engine(self, name: str, state: str, why: tuple[Msg, ...] | str) -> None:
        shell, window, bridge = self.shell, self.shell.window, self.shell.bridge
        # ``why``: the bridge's facts, or the shell's own (already translated) words.
        detail = why if isinstance(why, str) else facts_words(why)
        # The bridge repeats "busy" for every page it starts: nothing to redraw then.
        seen = (name, state, detail, id(bridge.engine), shell.prefs.engine_mode)
        if seen == self.seen:
            return
        self.seen = seen
        shell.engine_state = (name, state, detail)
        if engine_kind(shell.prefs) == "builtin" and shell.prefs.engine_mode != "managed":
            line = t(
                "Pages will be read by the built-in CPU engine on this computer (no GPU needed)."
            )
        else:
            line = t("Pages will be read by %1.").replace("%1", name or "?")
        if state == "failed" and detail:
            line = detail
        words = state_words(state)
        if not name and state == "starting":  # as the first paint shows it (app.py)
            name = line = t("Preparing the engine…")
            words = ""
        window.set_engine(name, state, words, line)
        if detail and state == "failed":
            window.show_message(detail, 15000)
        caps = bridge.capabilities()
        if bridge.engine is not None and not caps & Capability.CHAT:
            window.chat.set_available(
                False,
                t(
                    "The current engine cannot chat about pages. Use a vision-language model (for example Qwen3-VL) on a server."  # noqa: E501
                ),
            )
        else:
            window.chat.set_available(bridge.engine is not None, t("No engine is ready."))
        window.region_action.setEnabled(bool(caps & Capability.GROUNDING) or bridge.engine is None)
        self._update_tray()
