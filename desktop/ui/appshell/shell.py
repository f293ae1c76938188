"""The running application: window, tray, GPU feed, model runtime and their wiring."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.ui.appshell.engineview import EngineView
from desktop.ui.appshell.globalcapture import GlobalCapture
from desktop.ui.appshell.quickactions import QuickActions
from desktop.ui.appshell.tray import GpuFeed, Tray, tray_available
from desktop.ui.appshell.trayview import TrayView, profile_names
from desktop.ui.control.bridge import EngineBridge
from desktop.ui.control.capabilities import Capabilities
from desktop.ui.control.controller import WindowController
from desktop.ui.look.theme import applied_dark, apply_theme, chosen_dark, system_is_dark
from desktop.ui.state.prefs import Prefs, load_prefs, save_prefs
from desktop.ui.widgets.window import MainWindow
from desktop.ui.words.i18n import install_language
from desktop.ui.words.modelwords import verdict_words

if TYPE_CHECKING:
    from desktop.ui.widgets.modelpanel import ModelPanel

logger = logging.getLogger(__name__)


def t(text: str) -> str:
    return QCoreApplication.translate("DesktopApp", text)


def _preload_modules() -> None:
    import importlib

    for name in (
        "desktop.core.images",
        "desktop.core.exports",
        "desktop.core.tables",
        "desktop.engines.remote.server",
        "desktop.engines.factory",
        "desktop.engines.batch.history",
        "desktop.runtime.gpu",
        "desktop.runtime.profiles",
        # The model runtime (Docker SDK and all): imported when the model is first
        # started, which must not be a half-second freeze on the GUI thread.
        "desktop.runtime.controller",
        "anyio._backends._asyncio",
        "anyio.lowlevel",
        "httpcore",
        "h11",
    ):
        try:
            importlib.import_module(name)
        except ImportError as exc:  # the feature that needs it reports this when used
            logger.info("preloading %s failed: %s", name, exc)


class DesktopApp(QObject):
    """Composes the window with the engine bridge, the tray, the GPU feed and the model runtime."""

    def __init__(
        self,
        app: QApplication,
        *,
        gpu_backend: Any = None,
        gpu_interval: float = 1.0,
        window: Any = None,
        prefs: Any = None,
    ) -> None:
        """``window``/``prefs``: already shown and applied by run_gui (the window comes first)."""
        super().__init__()
        self.app = app
        if prefs is None:
            prefs = load_prefs()
            install_language(app, prefs.language)
            apply_theme(app, chosen_dark(prefs.theme, system_is_dark()))
        self.prefs: Prefs = prefs
        self.dark = chosen_dark(prefs.theme, system_is_dark())
        self.bridge = EngineBridge(self)
        self.bridge.set_concurrency(self.prefs.concurrency)
        if window is None:
            window = MainWindow()
            window.set_mode(self.prefs.ocr_mode)
        self.window: MainWindow = window
        self.controller = WindowController(self.window, self.bridge, self.prefs.pdf_dpi)
        if applied_dark() not in (None, self.dark):
            # The first paint guessed from the platform palette; the colour scheme decides.
            self._retheme(self.dark)
        self.tray = Tray(self)
        self.tray_shown = False
        self.gpu = GpuFeed(gpu_backend, gpu_interval, self)
        self.capabilities = Capabilities(self)  # which managed models can run here
        self.gpu_sample: tuple[int, int] | None = None
        self.engine_state = ("", "stopped", "")
        self.model: Any = None  # ModelRuntime, created on first use (needs Docker)
        self.tray_view = TrayView(self)  # the tray's state and the GPU gauge
        self.engine_view = EngineView(self, update_tray=self.tray_view.update)
        self._quit = asyncio.Event()
        self._tasks: set[asyncio.Future[None]] = set()
        self._gpu_start: asyncio.Future[str] | None = None
        self.started = False  # the engine, history, profiles and GPU feed are set up
        self._told_about_tray = False
        self._signal_pump = QTimer(self, interval=300)  # lets Python see Ctrl+C under Qt
        self._signal_pump.timeout.connect(lambda: None)
        self.quick = QuickActions(
            self.window, self.controller, notify=self.tray.notify, show_window=self.show_window
        )
        # The global key and `dots-desktop capture` (ADR 011).
        self.captures = GlobalCapture(self.quick.ocr_region, self.window.show_message, self)
        self._wire()

    def _wire(self) -> None:
        w = self.window
        w.close_requested.connect(self._on_close)
        w.settings_action.triggered.connect(self.open_settings)
        w.engine_chip.clicked.connect(self.open_model_panel)
        w.export_action.triggered.connect(self.quick.export)
        w.mode_changed.connect(self._on_mode)
        self.bridge.engine_changed.connect(self.engine_view.on_engine)
        self.gpu.reading.connect(self.tray_view.on_gpu)
        self.capabilities.changed.connect(self.tray_view.on_capabilities)
        self.controller.document_finished.connect(self.quick.document_finished)
        tr = self.tray
        tr.show_window.connect(self.show_window)
        tr.quit_requested.connect(self.request_quit)
        tr.ocr_clipboard.connect(self.quick.ocr_clipboard)
        tr.ocr_file.connect(self.quick.ocr_file)
        tr.ocr_region.connect(self.quick.ocr_region)
        tr.start_model.connect(lambda: self._model_call("start"))
        tr.stop_model.connect(lambda: self._model_call("stop"))
        tr.switch_model.connect(lambda pid: self._model_call("switch", pid))
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(lambda _s: self._retheme())
        self.app.aboutToQuit.connect(self.request_quit)

    # -- lifecycle ---------------------------------------------------------------
    def start(self, files: list[str]) -> None:
        """Show the window now; build the engine and the rest right after, off the GUI path."""
        self._signal_pump.start()
        self.engine_view.on_engine("", "starting", "")
        self.tray_view.on_gpu([])
        self.window.show()
        self._set_tray(self.prefs.tray_enabled)
        self.bridge.expect_engine()
        self._keep(asyncio.ensure_future(self._start_rest(files)))

    async def _start_rest(self, files: list[str]) -> None:
        await asyncio.sleep(0.05)  # let the window paint first
        # Modules first needed while reading (PDF renderer, exporters, HTTP client) are
        # imported now in a worker, not later on the GUI thread in the middle of a batch.
        await asyncio.to_thread(_preload_modules)
        self._load_history()
        await self.apply_engine_async()
        self.controller.resume_interrupted()
        self.tray_view.fill_profiles()
        self._gpu_start = asyncio.get_running_loop().run_in_executor(None, self.gpu.start)
        reason = await self._gpu_start
        if reason:
            self.tray_view.on_gpu([])
        self.capabilities.refresh()
        if files:
            self.controller.open_files(files)
        if self.prefs.capture_hotkey:
            self.captures.set_key(self.prefs.capture_hotkey)
        self.started = True

    def _keep(self, task: asyncio.Future[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _set_tray(self, enabled: bool) -> None:
        if enabled and tray_available():
            self.tray.show()
            self.tray_shown = True
        else:
            self.tray.hide()
            self.tray_shown = False

    def request_quit(self) -> None:
        self._quit.set()

    async def run(self) -> int:
        """Until quit: then cancel jobs and close engines, each step bounded in time."""
        await self._quit.wait()
        await self.shutdown()
        return 0

    async def shutdown(self) -> None:
        self._signal_pump.stop()
        self.captures.close()
        self.window.hide()
        self.tray.hide()
        for task in list(self._tasks):
            task.cancel()
        await self.bridge.aclose()
        await self.capabilities.aclose()
        if self._gpu_start is not None:
            await asyncio.wait([self._gpu_start], timeout=5)  # a start in progress ends first
        await asyncio.to_thread(self.gpu.stop)
        if self.model is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.model.aclose(self.prefs.keep_model_running), timeout=45)
        store = self.controller.history
        if store is not None:
            with contextlib.suppress(Exception):
                store.close()  # type: ignore[attr-defined]

    def _on_close(self) -> None:
        if self.tray_shown:
            self.window.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.tray.notify(
                    "Dots Desktop", t("Still running in the tray. Quit from its menu.")
                )
            return
        self.request_quit()

    def show_window(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def receive_files(self, files: list[str]) -> None:
        """Files handed over by a second launch."""
        self.show_window()
        if files:
            self.controller.open_files(files)

    def _load_history(self) -> None:
        try:
            from desktop.engines.batch.history import HistoryStore

            self.controller.load_history(HistoryStore())
        except Exception:  # no history is not a reason to fail start-up
            logger.warning("history unavailable", exc_info=True)

    def _retheme(self, dark: bool | None = None) -> None:
        if dark is None:  # the system's scheme changed, or the theme setting did
            dark = chosen_dark(self.prefs.theme, system_is_dark())
        self.dark = apply_theme(self.app, dark)
        self.window.setPalette(self.app.palette())
        self.window.refresh_colours()

    # -- engine ----------------------------------------------------------------------
    def apply_engine(self) -> None:
        """Rebuild the engine from the settings (in the background)."""
        self.window.statusBar().clearMessage()  # an error about the engine before is stale
        self.tray_view.sync_profile()
        self.bridge.expect_engine()
        self._keep(asyncio.ensure_future(self.apply_engine_async()))

    async def apply_engine_async(self) -> None:
        """Build the engine the settings ask for; a failure is shown, never raised."""
        await self.engine_view.apply()

    def model_running(self) -> bool:
        """A model container is being pulled, started or is serving."""
        status = self.model.status() if self.model is not None else None
        return status is not None and str(status.state) in ("pulling", "starting", "ready")

    def _on_mode(self, mode: str) -> None:
        from dataclasses import replace

        self.prefs = replace(self.prefs, ocr_mode=mode)
        save_prefs(self.prefs)

    # -- dialogs -----------------------------------------------------------------------
    def open_settings(self) -> None:
        from desktop.ui.widgets.settings import SettingsDialog

        dialog = SettingsDialog(self.prefs, profile_names(), self.window)
        if dialog.exec():
            self.apply_settings(dialog.prefs(), dialog.secret_error)

    def apply_settings(self, prefs: Prefs, secret_error: str = "") -> None:
        """Save ``prefs`` and apply them now (language and theme included)."""
        old, self.prefs = self.prefs, prefs
        save_prefs(self.prefs)
        if secret_error:
            self.window.show_message(secret_error, 15000)
        if old.language != self.prefs.language:
            self.switch_language(self.prefs.language)
        if old.theme != self.prefs.theme:
            self._retheme()
        self.bridge.set_concurrency(self.prefs.concurrency)
        self.controller.dpi = self.prefs.pdf_dpi
        if self.model is not None:
            self.model.set_hf_cache(self.prefs.hf_cache)
        self._set_tray(self.prefs.tray_enabled)
        if old.capture_hotkey != self.prefs.capture_hotkey:
            self.captures.set_key(self.prefs.capture_hotkey)
        self.apply_engine()

    def switch_language(self, language: str) -> None:
        """Every shown string in ``language`` now: no restart (words/retranslate.py)."""
        from desktop.ui.words.retranslate import current_texts, retranslate_tree

        before = current_texts()  # what each string reads as in the old language
        install_language(self.app, language)
        others = [w for w in QApplication.topLevelWidgets() if w is not self.window]
        retranslate_tree([self.window, self.tray.menu, *others], before)
        self.window.reword()
        self.controller.reword()
        self.engine_view.seen = self.tray_view.seen = None
        self.engine_view.on_engine(*self.engine_state)
        self.tray_view.update()

    def open_model_panel(self) -> ModelPanel:
        from desktop.ui.widgets.modelpanel import ModelPanel, PanelLinks

        links = PanelLinks(
            prefs=lambda: self.prefs,
            save_engine=self._save_engine,
            apply_engine=self.apply_engine,
            engine_state=lambda: self.engine_state,
            gpu_sample=lambda: self.gpu_sample,
            model=lambda: self.model,
            runtime=self.runtime,
            profile_names=profile_names,
            capability=self.capabilities.verdict,
        )
        return ModelPanel.show_for(links, self.window)

    def _save_engine(self, engine_mode: str, profile: str) -> None:
        from dataclasses import replace

        self.prefs = replace(self.prefs, engine_mode=engine_mode, profile=profile)
        save_prefs(self.prefs)

    def runtime(self) -> Any:
        """The model runtime (container controller), created on first use."""
        if self.model is None:
            from desktop.ui.control.modelruntime import ModelRuntime

            self.model = ModelRuntime(self, hf_cache=self.prefs.hf_cache)
            self.model.status_changed.connect(lambda _s: self._on_model_status())
        return self.model

    def _on_model_status(self) -> None:
        self.tray_view.sync_profile()
        self.tray_view.update()
        if self.prefs.engine_mode == "managed":
            status = self.model.status()
            ready = status is not None and str(status.state) == "ready"
            current = self.bridge.engine
            if (ready and current is None) or (not ready and current is not None):
                self.apply_engine()

    def _model_call(self, action: str, profile: str = "") -> None:
        verdict = self.capabilities.verdict(profile or self.prefs.profile)
        if action != "stop" and verdict is not None and not verdict.runnable:
            # Nothing is saved or started: the reason is shown instead.
            self.window.show_message(verdict_words(verdict), 15000)
            return
        runtime = self.runtime()
        if action == "start":
            runtime.start(profile or self.prefs.profile)
        elif action == "stop":
            runtime.stop()
        else:
            from dataclasses import replace

            self.prefs = replace(self.prefs, profile=profile)
            save_prefs(self.prefs)
            runtime.start(profile)
