"""The running application: window, tray, GPU feed, model runtime and their wiring."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.core.errors import DotsError, facts_of
from desktop.core.messages import Msg
from desktop.engines.base import Capability
from desktop.ui.appshell.globalcapture import GlobalCapture
from desktop.ui.appshell.quickactions import QuickActions
from desktop.ui.appshell.tray import GpuFeed, Tray, tray_available
from desktop.ui.control.bridge import EngineBridge
from desktop.ui.control.capabilities import Capabilities
from desktop.ui.control.controller import WindowController
from desktop.ui.control.enginechoice import build_engine, engine_kind
from desktop.ui.look.theme import applied_dark, apply_theme, chosen_dark, system_is_dark
from desktop.ui.state.prefs import Prefs, load_prefs, save_prefs
from desktop.ui.widgets.window import MainWindow
from desktop.ui.words.enginewords import state_words
from desktop.ui.words.facts import facts_words
from desktop.ui.words.i18n import install_language
from desktop.ui.words.modelwords import download_words, verdict_words

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
        self._engine_seen: tuple[str, str, str, int, str] | None = None
        self._tray_seen: tuple[Any, ...] | None = None
        self.model: Any = None  # ModelRuntime, created on first use (needs Docker)
        self._quit = asyncio.Event()
        self._tasks: set[asyncio.Future[None]] = set()
        self._gpu_start: asyncio.Future[str] | None = None
        self.started = False  # the engine, history, profiles and GPU feed are set up
        self._told_about_tray = False
        self._tray_profile: str | None = None  # the profile ticked in the tray's menu
        self._tray_blocked: dict[str, str] = {}  # the tray's greyed models and why
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
        self.bridge.engine_changed.connect(self._on_engine)
        self.gpu.reading.connect(self._on_gpu)
        self.capabilities.changed.connect(self._on_capabilities)
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
        self._on_engine("", "starting", "")
        self._on_gpu([])
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
        self._fill_profiles()
        self._gpu_start = asyncio.get_running_loop().run_in_executor(None, self.gpu.start)
        reason = await self._gpu_start
        if reason:
            self._on_gpu([])
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
        self._sync_tray_profile()
        self.bridge.expect_engine()
        self._keep(asyncio.ensure_future(self.apply_engine_async()))

    async def apply_engine_async(self) -> None:
        """Build the engine the settings ask for; a failure is shown, never raised.

        Building may import the built-in engine's ONNX runtime (seconds): a worker thread
        does it so the window keeps painting.
        """
        if self.prefs.engine_mode == "managed":
            status = self.model.status() if self.model is not None else None
            if status is None or not status.endpoint or str(status.state) != "ready":
                self.bridge.set_engine(None)
                self._on_engine(
                    t("Managed model"), "stopped", t("Start the model from the model panel.")
                )
                return
            endpoint, key = status.server_url, status.api_key
        else:
            endpoint = key = None
        try:
            engine = await asyncio.to_thread(build_engine, self.prefs, endpoint, key)
        except (DotsError, ImportError) as exc:
            logger.warning("engine unavailable: %s", exc)
            self.bridge.set_engine(None)
            self._on_engine(t("No engine"), "failed", facts_of(exc))
            return
        self.bridge.set_engine(engine)

    def _on_engine(self, name: str, state: str, why: tuple[Msg, ...] | str) -> None:
        # ``why``: the bridge's facts, or the shell's own (already translated) words.
        detail = why if isinstance(why, str) else facts_words(why)
        # The bridge repeats "busy" for every page it starts: nothing to redraw then.
        seen = (name, state, detail, id(self.bridge.engine), self.prefs.engine_mode)
        if seen == self._engine_seen:
            return
        self._engine_seen = seen
        self.engine_state = (name, state, detail)
        if engine_kind(self.prefs) == "builtin" and self.prefs.engine_mode != "managed":
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
        self.window.set_engine(name, state, words, line)
        if detail and state == "failed":
            self.window.show_message(detail, 15000)
        caps = self.bridge.capabilities()
        if self.bridge.engine is not None and not caps & Capability.CHAT:
            self.window.chat.set_available(
                False,
                t(
                    "The current engine cannot chat about pages. Use a vision-language model (for example Qwen3-VL) on a server."  # noqa: E501
                ),
            )
        else:
            self.window.chat.set_available(self.bridge.engine is not None, t("No engine is ready."))
        self.window.region_action.setEnabled(
            bool(caps & Capability.GROUNDING) or self.bridge.engine is None
        )
        self._update_tray()

    def _on_gpu(self, samples: list[Any]) -> None:
        self.capabilities.set_gpus(samples)
        if samples:
            used = sum(s.used_bytes for s in samples)
            total = sum(s.total_bytes for s in samples)
            self.gpu_sample = (used, total)
            self.window.gpu_gauge.set_reading(used, total)
        else:
            self.gpu_sample = None
            self.window.gpu_gauge.set_reading(0, 0)
        self._update_tray()

    def _update_tray(self) -> None:
        used, total = self.gpu_sample or (0, 0)
        name, state, _detail = self.engine_state
        fraction = used / total if total else None
        dot = "ready" if state == "busy" else state
        download = download_words(self.model.status() if self.model is not None else None)
        # Redraw only what a user could see change: the icon's fill (1 %), the tooltip's
        # "GPU 11.2 / 16.0 GiB" (0.1 GiB) or the model state; a 10 Hz poll rarely does.
        seen = (
            None if fraction is None else round(fraction * 100),
            round(used / 1024**3, 1),
            total,
            name,
            dot,
            state,
            self.prefs.engine_mode,
            self.model_running(),
            download[0] if download else None,  # the weights' percent
        )
        if seen == self._tray_seen:
            return
        self._tray_seen = seen
        words = download[1] if download else state_words(state)
        self.tray.update_state(fraction, used, total, name, dot, words)
        blocked = self.capabilities.verdict(self.prefs.profile)
        blocked = blocked if blocked is not None and not blocked.runnable else None
        self.tray.start_action.setEnabled(self.prefs.engine_mode == "managed" and not blocked)
        self.tray.start_action.setToolTip(verdict_words(blocked) if blocked else "")
        self.tray.stop_action.setEnabled(self.model_running())

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

        dialog = SettingsDialog(self.prefs, self._profile_names(), self.window)
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
        self._engine_seen = self._tray_seen = None
        self._on_engine(*self.engine_state)
        self._update_tray()

    def _profile_names(self) -> list[tuple[str, str]]:
        try:
            from desktop.runtime.profiles import load_profiles

            return [(p.id, p.display_name) for p in load_profiles().values()]
        except Exception:  # a broken user profile must not break the dialog
            logger.warning("profiles unavailable", exc_info=True)
            return []

    def _blocked_words(self) -> dict[str, str]:
        return {pid: verdict_words(v) for pid, v in self.capabilities.blocked().items()}

    def _fill_profiles(self) -> None:
        self._tray_profile = self.prefs.profile
        self._tray_blocked = self._blocked_words()
        self.tray.set_profiles(self._profile_names(), self.prefs.profile, self._tray_blocked)

    def _on_capabilities(self) -> None:
        """What can run here changed: grey the tray's models (an open model panel re-reads
        the verdicts on its own timer)."""
        if self._tray_profile is not None and self._blocked_words() != self._tray_blocked:
            self._fill_profiles()  # rebuilt only when a verdict changed, not at every reading
        self._tray_seen = None
        self._update_tray()

    def _sync_tray_profile(self) -> None:
        """The model panel (or a switch) changed the profile: tick it in the tray too."""
        if self._tray_profile is not None and self._tray_profile != self.prefs.profile:
            self._fill_profiles()

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
            profile_names=self._profile_names,
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
        self._sync_tray_profile()
        self._update_tray()
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
