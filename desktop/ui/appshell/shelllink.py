"""What the application shell offers the helpers it builds (tray view, engine view).

A protocol, so the helpers need not import the shell that imports them (ADR 006).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from desktop.ui.appshell.tray import Tray
    from desktop.ui.control.bridge import EngineBridge
    from desktop.ui.control.capabilities import Capabilities
    from desktop.ui.state.prefs import Prefs
    from desktop.ui.widgets.window import MainWindow


class ShellLink(Protocol):
    """The part of ``DesktopApp`` its helpers use."""

    prefs: Prefs
    window: MainWindow
    bridge: EngineBridge
    tray: Tray
    capabilities: Capabilities
    model: Any
    engine_state: tuple[str, str, str]
    gpu_sample: tuple[int, int] | None

    def model_running(self) -> bool: ...
