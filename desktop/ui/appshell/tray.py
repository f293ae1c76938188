"""The tray icon (live GPU memory, model state, "OCR this" menu) and the GPU reading feed."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QAction, QActionGroup, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.ui.look.icons import draw_tray_pixmap
from desktop.ui.widgets.statusbar import gpu_text

logger = logging.getLogger(__name__)


def tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


class Tray(QObject):
    """Owns the tray icon and its menu; emits what the user picked."""

    ocr_clipboard = Signal()
    ocr_file = Signal()
    ocr_region = Signal()
    switch_model = Signal(str)
    start_model = Signal()
    stop_model = Signal()
    show_window = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(self)
        self.icon.setObjectName("tray_icon")
        self.menu = QMenu()
        self.menu.setObjectName("tray_menu")
        self.menu.setToolTipsVisible(True)
        self._add("ocr_clipboard", self.tr("OCR the clipboard image"), self.ocr_clipboard)
        self._add("ocr_file", self.tr("OCR a file…"), self.ocr_file)
        self._add("ocr_region", self.tr("OCR a screen region…"), self.ocr_region)
        self.menu.addSeparator()
        self.switch_menu = QMenu(self.tr("Switch model"), self.menu)
        self.switch_menu.setObjectName("switch_model_menu")
        self.switch_menu.setToolTipsVisible(True)
        self.switch_menu.menuAction().setObjectName("switch_model")
        self.menu.addMenu(self.switch_menu)
        self._profiles = QActionGroup(self)
        self.start_action = self._add("start_model", self.tr("Start model"), self.start_model)
        self.stop_action = self._add("stop_model", self.tr("Stop model"), self.stop_model)
        self.menu.addSeparator()
        self._add("show_window", self.tr("Show window"), self.show_window)
        self._add("quit", self.tr("Quit"), self.quit_requested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.fraction: float | None = None
        self.state = "stopped"
        self.redraws = 0
        self.update_state(None, 0, 0, "", "stopped", "")

    def _add(self, name: str, text: str, signal: SignalInstance) -> QAction:
        action = QAction(text, self.menu)
        action.setObjectName(name)
        action.triggered.connect(signal.emit)
        self.menu.addAction(action)
        return action

    def action(self, name: str) -> QAction | None:
        for action in self.menu.actions():
            if action.objectName() == name:
                return action
        return None

    def set_profiles(
        self,
        profiles: list[tuple[str, str]],
        current: str,
        blocked: Mapping[str, str] | None = None,
    ) -> None:
        """(id, display name) pairs for the switch submenu; ``blocked``: id -> why it cannot
        run here (greyed out, the reason and its fix as the tooltip)."""
        self.switch_menu.clear()
        for pid, label in profiles:
            action = QAction(label, self.switch_menu)
            action.setObjectName(f"profile_{pid}")
            action.setCheckable(True)
            action.setChecked(pid == current)
            why = (blocked or {}).get(pid, "")
            action.setEnabled(not why)
            action.setToolTip(why or label)
            action.setActionGroup(self._profiles)
            action.triggered.connect(lambda _c=False, p=pid: self.switch_model.emit(p))
            self.switch_menu.addAction(action)
        self.switch_menu.setEnabled(bool(profiles))

    def update_state(  # noqa: PLR0917
        self,
        fraction: float | None,
        used: int,
        total: int,
        model: str,
        state: str,
        state_text: str,
    ) -> None:
        """Redraw the icon and tooltip, e.g. "GPU 11.2 / 16.0 GiB · dots.ocr ready"."""
        self.fraction, self.state = fraction, state
        self.icon.setIcon(QIcon(draw_tray_pixmap(fraction, state)))
        self.redraws += 1
        gpu = gpu_text(used, total) if total else self.tr("No NVIDIA GPU")
        model_part = f" · {model} {state_text}".rstrip() if model else ""
        self.icon.setToolTip(f"{gpu}{model_part}")

    def tooltip(self) -> str:
        return self.icon.toolTip()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def notify(self, title: str, text: str) -> bool:
        """Show a notification bubble; False when the tray cannot (off, or no host)."""
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 4000)
            return True
        return False

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_window.emit()


class GpuFeed(QObject):
    """GpuMonitor readings (monitor thread) delivered as a Qt signal (GUI thread)."""

    reading = Signal(list)

    def __init__(
        self, backend: Any = None, interval: float = 1.0, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        from desktop.runtime.gpu import GpuMonitor

        self.monitor = GpuMonitor(backend, interval=interval)
        self.monitor.subscribe(self.reading.emit)

    def start(self) -> str:
        """Start sampling; returns why not ('' when running)."""
        self.monitor.start()
        return "" if self.monitor.available else self.monitor.unavailable_reason

    def stop(self) -> None:
        self.monitor.stop()
