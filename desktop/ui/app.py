"""``run_gui``: the Qt application on a qasync event loop, one instance per user."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    import asyncio

    from desktop.ui.appshell.asyncgens import AsyncGenFinalizer

logger = logging.getLogger(__name__)

APP_NAME = "Dots Desktop"
_fusion_at_start: list[bool] = []  # run_gui made the QApplication with ``-style Fusion``
ORG_NAME = "dots-desktop"


def _make_app() -> object:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORG_NAME)
    QGuiApplication.setApplicationDisplayName(APP_NAME)
    QGuiApplication.setDesktopFileName("dots-desktop")
    # Qt 6's default rounding policy is already PassThrough: nothing to set here.
    existing = QApplication.instance()
    if existing is not None:
        _fusion_at_start.clear()
        return existing
    _fusion_at_start.append(True)

    class DotsApplication(QApplication):
        """Takes macOS Finder's "Open With" (QFileOpenEvent, sent to the application)."""

        def event(self, e: Any) -> bool:
            path = file_open_path(e)
            if path is not None:
                FILE_OPENS.opened(path)
                return True
            return super().event(e)

    # Fusion chosen at construction: setStyle() later would build Python's view of QStyle
    # (a few hundred enum members) before the first paint.
    argv = [sys.argv[0] if sys.argv else "dots-desktop", "-style", "Fusion"]
    # Only macOS sends FileOpen; elsewhere every event to the application would pass
    # through Python for nothing.
    return DotsApplication(argv) if sys.platform == "darwin" else QApplication(argv)


def file_open_path(event: Any) -> str | None:
    """The local file of a QEvent.FileOpen, else None."""
    from PySide6.QtCore import QEvent

    if event.type() != QEvent.Type.FileOpen:
        return None
    path = event.file() or event.url().toLocalFile()
    return str(path) if path else None


class FileOpenRouter:
    """Files the system asked us to open: kept until the shell exists, then handed to it."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self._handler: Any = None

    def opened(self, path: str) -> None:
        if self._handler is None:
            self.pending.append(path)
        else:
            self._handler([path])

    def connect(self, handler: Any) -> list[str]:
        """Later files go to ``handler``; returns those that came before."""
        self._handler = handler
        pending, self.pending = self.pending, []
        return pending

    def disconnect(self) -> None:
        self._handler = None


FILE_OPENS = FileOpenRouter()


def run_gui(files: list[str], *, capture: bool = False) -> int:
    """Open the window (or hand ``files`` to the one already open); returns the exit code.

    ``capture``: start a screen-region capture, in the running window if there is one.
    """
    paths = [str(Path(f).expanduser().resolve()) for f in files]
    app = _make_app()
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    from desktop.ui.appshell.instance import InstanceServer, forward_to_running

    if forward_to_running(paths, action="capture" if capture else ""):
        logger.info("handed %d file(s) or a capture to the running window", len(paths))
        return 0
    window = _show_window_early(app)
    if os.environ.get("DOTS_DESKTOP_EXIT_AFTER_SHOWN") == "1":  # start-up benchmarks
        _wait_exposed(app, window)
        app.processEvents()  # the expose's paint
        logger.info("window shown; exiting as DOTS_DESKTOP_EXIT_AFTER_SHOWN asks")
        return 0
    from desktop.ui.appshell.crashlog import install_crash_reporting

    reporter = install_crash_reporting(window)  # type: ignore[arg-type]  # after the paint
    window.complete()  # type: ignore[attr-defined]  # the parts the first paint did not show
    from desktop.ui.state.prefs import load_prefs

    prefs = load_prefs()
    from concurrent.futures import ThreadPoolExecutor

    import qasync

    from desktop.ui.appshell.shell import DesktopApp

    app.setQuitOnLastWindowClosed(False)  # the tray or our close handler decides when to quit
    # Worker threads (page rendering, image encoding) hand the GIL back to the GUI thread
    # within 1 ms instead of Python's default 5 ms: shorter hitches while reading.
    sys.setswitchinterval(0.001)
    loop = qasync.QEventLoop(app)
    # Plain worker threads for asyncio.to_thread/run_in_executor(None): qasync's default
    # QThread pool is small and its threads outlive a quick quit.
    import asyncio

    from desktop.ui.control.bridge import background_thread

    executor = ThreadPoolExecutor(
        max_workers=8, thread_name_prefix="dots-worker", initializer=background_thread
    )
    prestart_threads(executor, 8)
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(reporter.loop_exception)
    asyncgens = install_asyncgen_hooks(loop)
    server = InstanceServer()
    server.listen()
    shell = DesktopApp(app, window=window, prefs=prefs)
    server.files_received.connect(shell.receive_files)
    server.action_received.connect(shell.captures.on_action)
    paths += [p for p in FILE_OPENS.connect(shell.receive_files) if p not in paths]
    _route_sigint(shell)
    try:
        with loop:
            shell.start(paths)
            if capture:
                shell.captures.after_start(lambda: shell.started)
            code = loop.run_until_complete(shell.run())
            loop.run_until_complete(asyncgens.shutdown())
    finally:
        FILE_OPENS.disconnect()
        server.close()
        executor.shutdown(wait=False, cancel_futures=True)
    return code


def prestart_threads(executor: Any, count: int) -> None:
    """Start ``count`` worker threads now, from a helper thread.

    A pool starts its threads on demand, and ``submit`` then waits until the new thread
    runs: on a busy machine that is tens of milliseconds of a frozen GUI, mid-batch.
    """
    import threading

    barrier = threading.Barrier(count + 1)

    def hold() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=10)

    def spawn() -> None:
        for _ in range(count):
            executor.submit(hold)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=10)

    threading.Thread(target=spawn, name="dots-prestart", daemon=True).start()


def _show_window_early(app: object) -> object:
    """Paint the window before the asyncio machinery, engines and runtime are even imported."""
    from desktop.ui.look.icons import app_icon
    from desktop.ui.look.theme import (
        apply_theme,
        chosen_dark,
        platform_palette_is_dark,
        style_sheet,
    )
    from desktop.ui.state.settingsfile import first_paint_choices, first_paint_theme
    from desktop.ui.widgets.window import MainWindow
    from desktop.ui.words.i18n import install_language

    language, ocr_mode = first_paint_choices()  # the rest of the preferences after the paint
    install_language(app, language)  # type: ignore[arg-type]
    # The platform's palette (before ours replaces it), unless light or dark was chosen.
    dark = chosen_dark(first_paint_theme(), platform_palette_is_dark())
    apply_theme(app, dark, set_style=not _fusion_at_start, sheet=False)  # type: ignore[arg-type]
    app.setWindowIcon(app_icon())  # type: ignore[attr-defined]
    window = MainWindow(defer=True)
    app.setStyleSheet(style_sheet(dark))  # type: ignore[attr-defined]  # once built: see apply_theme
    window.set_mode(ocr_mode)
    preparing = QCoreApplication.translate("DesktopApp", "Preparing the engine…")
    window.set_engine(preparing, "starting", "", preparing)  # as DesktopApp will say it
    window.show()
    app.processEvents()  # type: ignore[attr-defined]
    return window


def _wait_exposed(app: Any, window: Any, timeout_s: float = 2.0) -> None:
    """Process events until the window system shows the window (one pass when it already is)."""
    import time

    handle = window.windowHandle()
    deadline = time.monotonic() + timeout_s
    while handle is not None and not handle.isExposed() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)


def install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> AsyncGenFinalizer:
    """Let the loop finalize abandoned async generators, as asyncio's own run_forever does
    (qasync's does not: see ``appshell/asyncgens.py``)."""
    from desktop.ui.appshell.asyncgens import AsyncGenFinalizer

    finalizer = AsyncGenFinalizer(loop)
    finalizer.install()
    return finalizer


def _route_sigint(shell: object) -> None:
    """Ctrl+C in the terminal quits cleanly instead of leaving Qt running."""
    if os.name == "nt":
        return
    import signal

    try:
        signal.signal(signal.SIGINT, lambda *_a: shell.request_quit())  # type: ignore[attr-defined]
    except ValueError:  # not the main thread (embedded use): keep the default
        logger.debug("SIGINT handler not installed")
