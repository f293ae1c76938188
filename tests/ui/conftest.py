"""UI fixtures: a qasync loop on the test QApplication, the window wired to an engine."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import qasync
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from desktop.engines.base import Engine
from desktop.ui.app import install_asyncgen_hooks
from desktop.ui.control.bridge import EngineBridge
from desktop.ui.control.controller import WindowController
from desktop.ui.widgets.window import MainWindow

_LOOP: list[qasync.QEventLoop] = []
# Plain threads, as the app uses (app.py): no QThreads left behind at exit.
_EXECUTOR = ThreadPoolExecutor(max_workers=8, thread_name_prefix="test-loop")


@pytest.fixture
def qloop(qapp: QApplication, qtbot: Any) -> Iterator[qasync.QEventLoop]:
    """One qasync loop for the session that counts as running while Qt processes events.

    pytest-qt's waits process Qt events, and with them every asyncio callback and task
    step, as in the app. Tasks a test leaves behind are cancelled after it.
    """
    if not _LOOP:
        loop = qasync.QEventLoop(qapp, already_running=True)
        loop.set_default_executor(_EXECUTOR)
        install_asyncgen_hooks(loop)
        _LOOP.append(loop)
    loop = _LOOP[0]
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    try:
        if pending:
            qtbot.waitUntil(lambda: all(t.done() for t in pending), timeout=20_000)
    finally:
        # Tests after this one (tests/engines' asyncio.run(), pytest-asyncio) need no loop
        # to be running or set; the next UI test sets this one again.
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the loop's worker threads and close the loop so the process exits cleanly."""
    _EXECUTOR.shutdown(wait=True, cancel_futures=True)
    asyncio.events._set_running_loop(None)
    for loop in _LOOP:
        if not loop.is_closed():
            with contextlib.suppress(Exception):  # qasync's close may refuse a foreign state
                loop.close()
    _LOOP.clear()


def run_until(qtbot: Any, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Process Qt events (and so asyncio work) until ``predicate()`` holds."""
    qtbot.waitUntil(predicate, timeout=int(timeout * 1000))


def run_coroutine(qtbot: Any, coro: Any, timeout: float = 30.0) -> Any:
    """Run ``coro`` to completion on the qasync loop and return its result."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
    return task.result()


def dispose_window(window: QWidget) -> None:
    """Hide ``window`` and delete it now, while this test's asyncio loop is still set.

    A window only handed to deleteLater() stays alive, and shown, until some later test
    happens to process deferred deletes; meanwhile its timers (the page list's lazy
    thumbnail request, 60 ms) fire inside that test, which has no loop, and fail it with
    "no current event loop". Whether the timer beats the teardown is a matter of load.
    """
    window.hide()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(window), "the window outlived its test"


@dataclass
class Ui:
    window: MainWindow
    bridge: EngineBridge
    controller: WindowController
    qtbot: Any

    def wait(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        run_until(self.qtbot, predicate, timeout)


@pytest.fixture
def make_ui(qloop: qasync.QEventLoop, qtbot: Any) -> Iterator[Callable[[Engine | None], Ui]]:
    """Factory: the main window with its controller and bridge driving ``engine``."""
    made: list[Ui] = []

    def factory(engine: Engine | None) -> Ui:
        window = MainWindow()
        bridge = EngineBridge(window)
        controller = WindowController(window, bridge)
        bridge.set_engine(engine)
        window.show()
        ui = Ui(window, bridge, controller, qtbot)
        made.append(ui)
        return ui

    yield factory
    for ui in made:
        run_coroutine(qtbot, ui.bridge.aclose())
        ui.window.hide()
        ui.window.deleteLater()
        del ui
    made.clear()
    qtbot.wait(20)
    gc.collect()


@pytest.fixture
def real_tray(qapp: QApplication) -> None:
    """Skips unless a system tray host (X server + trayer/panel) is there."""
    if not os.environ.get("DISPLAY"):
        pytest.skip("no X display: the tray needs Xvfb and a tray host such as trayer")
    if not QSystemTrayIcon.isSystemTrayAvailable():
        hint = " (trayer is installed but not running)" if shutil.which("trayer") else ""
        pytest.skip(f"no system tray host on DISPLAY={os.environ['DISPLAY']}{hint}")
