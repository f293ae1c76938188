"""The tray's icon, tooltip and model menu, and the window's GPU gauge: redrawn only when
what a user could see changes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from desktop.ui.words.enginewords import state_words
from desktop.ui.words.modelwords import download_words, verdict_words

if TYPE_CHECKING:
    from desktop.ui.appshell.shelllink import ShellLink

logger = logging.getLogger(__name__)


def profile_names() -> list[tuple[str, str]]:
    """(id, display name) of every model profile; none when the profiles cannot be read."""
    try:
        from desktop.runtime.profiles import load_profiles

        return [(p.id, p.display_name) for p in load_profiles().values()]
    except Exception:  # a broken user profile must not break the dialog
        logger.warning("profiles unavailable", exc_info=True)
        return []


class TrayView:
    """Keeps the tray and the GPU gauge in step with the engine, the model and the GPUs."""

    def __init__(self, shell: ShellLink) -> None:
        self.shell = shell
        self.seen: tuple[Any, ...] | None = None
        self.profile: str | None = None  # the profile ticked in the tray's menu
        self.blocked: dict[str, str] = {}  # the tray's greyed models and why

    def on_gpu(self, samples: list[Any]) -> None:
        shell = self.shell
        shell.capabilities.set_gpus(samples)
        if samples:
            used = sum(s.used_bytes for s in samples)
            total = sum(s.total_bytes for s in samples)
            shell.gpu_sample = (used, total)
            shell.window.gpu_gauge.set_reading(used, total)
        else:
            shell.gpu_sample = None
            shell.window.gpu_gauge.set_reading(0, 0)
        self.update()

    def update(self) -> None:
        shell = self.shell
        used, total = shell.gpu_sample or (0, 0)
        name, state, _detail = shell.engine_state
        fraction = used / total if total else None
        dot = "ready" if state == "busy" else state
        download = download_words(shell.model.status() if shell.model is not None else None)
        # Redraw only what a user could see change: the icon's fill (1 %), the tooltip's
        # "GPU 11.2 / 16.0 GiB" (0.1 GiB) or the model state; a 10 Hz poll rarely does.
        seen = (
            None if fraction is None else round(fraction * 100),
            round(used / 1024**3, 1),
            total,
            name,
            dot,
            state,
            shell.prefs.engine_mode,
            shell.model_running(),
            download[0] if download else None,  # the weights' percent
        )
        if seen == self.seen:
            return
        self.seen = seen
        words = download[1] if download else state_words(state)
        tray = shell.tray
        tray.update_state(fraction, used, total, name, dot, words)
        blocked = shell.capabilities.verdict(shell.prefs.profile)
        blocked = blocked if blocked is not None and not blocked.runnable else None
        tray.start_action.setEnabled(shell.prefs.engine_mode == "managed" and not blocked)
        tray.start_action.setToolTip(verdict_words(blocked) if blocked else "")
        tray.stop_action.setEnabled(shell.model_running())

    def _blocked_words(self) -> dict[str, str]:
        return {pid: verdict_words(v) for pid, v in self.shell.capabilities.blocked().items()}

    def fill_profiles(self) -> None:
        self.profile = self.shell.prefs.profile
        self.blocked = self._blocked_words()
        self.shell.tray.set_profiles(profile_names(), self.shell.prefs.profile, self.blocked)

    def on_capabilities(self) -> None:
        """What can run here changed: grey the tray's models (an open model panel re-reads
        the verdicts on its own timer)."""
        if self.profile is not None and self._blocked_words() != self.blocked:
            self.fill_profiles()  # rebuilt only when a verdict changed, not at every reading
        self.seen = None
        self.update()

    def sync_profile(self) -> None:
        """The model panel (or a switch) changed the profile: tick it in the tray too."""
        if self.profile is not None and self.profile != self.shell.prefs.profile:
            self.fill_profiles()
