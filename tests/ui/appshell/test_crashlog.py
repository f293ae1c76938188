"""Unhandled errors: into the log file with their traceback, and one sentence for the user."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer, qWarning
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton

from desktop.core.logfile import LOG_NAME, log_path, remove_log_file
from desktop.ui.appshell import crashlog
from desktop.ui.appshell.crashlog import CrashReporter, install_crash_reporting
from desktop.ui.widgets.crashdialog import CrashDialog

# pytest-qt turns errors in slots into test failures; here they are what is tested.
pytestmark = [pytest.mark.gui, pytest.mark.qt_no_exception_capture]


@pytest.fixture
def reporter(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CrashReporter]:
    monkeypatch.setenv("DOTS_DESKTOP_LOG_DIR", str(tmp_path / "logs"))
    made = install_crash_reporting()
    yield made
    made.uninstall()
    remove_log_file()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, CrashDialog):
            widget.close()


def notices() -> list[CrashDialog]:
    shown = QApplication.topLevelWidgets()
    return [w for w in shown if isinstance(w, CrashDialog) and w.isVisible()]


def log_text() -> str:
    return log_path().read_text(encoding="utf-8")


def raise_in_a_slot() -> None:
    raise ValueError("the page index ran past the end")


def test_given_an_error_in_a_slot_then_the_log_has_its_traceback_and_copy_details_gives_it(
    reporter: CrashReporter, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a button whose handler raises
    button = QPushButton("Go")
    qtbot.addWidget(button)
    button.clicked.connect(raise_in_a_slot)
    # WHEN the user clicks it
    button.click()
    qtbot.waitUntil(lambda: len(notices()) == 1)
    # THEN the log file under the log folder holds the traceback
    assert log_path().parent == Path(reporter.log_folder)
    text = log_text()
    assert "Traceback (most recent call last)" in text
    assert "in raise_in_a_slot" in text and "ValueError: the page index ran past the end" in text
    # AND the user sees one sentence and where the log is
    dialog = notices()[0]
    assert dialog.sentence.text().count(".") == 1 and "error" in dialog.sentence.text()
    assert str(reporter.log_folder) in dialog.location.text()
    # AND the folder is a link that opens it
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    href = re.search(r'href="([^"]+)"', dialog.location.text())
    assert href is not None
    dialog.location.linkActivated.emit(href.group(1))
    assert opened == [str(reporter.log_folder)]
    # AND Copy details puts the traceback and the versions on the clipboard
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "ValueError: the page index ran past the end" in copied
    assert "in raise_in_a_slot" in copied
    assert f"Python: {sys.version_info.major}.{sys.version_info.minor}" in copied
    assert "PySide6: " in copied and str(log_path()) in copied


def test_given_fifty_identical_errors_then_one_notice_and_the_log_counts_them(
    reporter: CrashReporter, qtbot: Any
) -> None:
    button = QPushButton("Go")
    qtbot.addWidget(button)
    button.clicked.connect(raise_in_a_slot)
    for _ in range(50):
        button.click()
    qtbot.wait(100)
    assert len(notices()) == 1
    text = log_text()
    assert text.count("ValueError: the page index ran past the end") == crashlog.FULL_TRACEBACKS
    assert "The same error again (10 times)" in text


def test_given_an_error_in_a_worker_thread_then_it_is_logged_and_shown_without_holding_the_thread(
    reporter: CrashReporter, qtbot: Any
) -> None:
    def work() -> None:
        raise RuntimeError("decoder state lost")

    worker = threading.Thread(target=work, name="dots-render")
    worker.start()
    # The worker ends at once: it does not wait for the GUI thread to show anything.
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert notices() == []  # nothing shown from the worker's own thread
    text = log_text()
    assert "Unhandled error in thread dots-render" in text
    assert "RuntimeError: decoder state lost" in text and "in work" in text
    qtbot.waitUntil(lambda: len(notices()) == 1)  # marshalled to the GUI thread
    assert "RuntimeError: decoder state lost" in notices()[0].details()


def test_given_the_notice_itself_fails_then_no_recursion_and_errors_are_still_logged(
    reporter: CrashReporter, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_dialog(details: str) -> Any:
        raise RuntimeError("no screen to show it on")

    monkeypatch.setattr(reporter, "_make_dialog", broken_dialog)
    button = QPushButton("Go")
    qtbot.addWidget(button)
    button.clicked.connect(raise_in_a_slot)
    button.click()
    qtbot.wait(100)

    def other() -> None:
        raise KeyError("another one")

    QTimer.singleShot(0, other)
    qtbot.wait(100)
    assert notices() == []
    text = log_text()
    assert text.count("could not show the error notice") == 1
    assert "ValueError: the page index ran past the end" in text
    assert "KeyError: 'another one'" in text


def test_given_a_qt_warning_then_it_lands_in_the_log(reporter: CrashReporter) -> None:
    qWarning("QPainter::begin: Paint device returned engine == 0")
    assert "QPainter::begin: Paint device returned engine == 0" in log_text()
    assert notices() == []  # a warning is not a crash


def test_given_a_failed_asyncio_callback_then_the_loop_handler_logs_and_shows_it(
    reporter: CrashReporter, qtbot: Any
) -> None:
    loop = asyncio.new_event_loop()
    try:
        loop.set_exception_handler(reporter.loop_exception)

        def callback() -> None:
            raise LookupError("no such block")

        loop.call_soon(callback)
        loop.call_soon(loop.stop)
        loop.run_forever()
    finally:
        loop.close()
    assert "LookupError: no such block" in log_text()
    qtbot.waitUntil(lambda: len(notices()) == 1)


def test_given_a_refused_connection_in_the_loop_then_it_is_logged_without_a_notice(
    reporter: CrashReporter, qtbot: Any
) -> None:
    error = ConnectionResetError("reset by peer")
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(reporter.loop_exception)
    loop.call_exception_handler({"message": "socket.send() raised exception.", "exception": error})
    loop.close()
    qtbot.wait(50)
    assert "ConnectionResetError: reset by peer" in log_text()
    assert notices() == []


def test_given_the_real_app_then_slot_and_loop_errors_reach_its_log_file(tmp_path: Path) -> None:
    """run_gui's own wiring: a failing slot and a failing loop callback, then quit."""
    env = {
        "DOTS_DESKTOP_HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
    }
    script = (
        "import asyncio, sys; from PySide6.QtCore import QTimer; from desktop.ui import app;"
        "from desktop.ui.appshell import shell;"
        "orig = shell.DesktopApp.start\n"
        "def slot_fails():\n"
        "    raise ValueError('slot failed in the real app')\n"
        "def callback_fails():\n"
        "    raise LookupError('loop callback failed in the real app')\n"
        "def start(self, files):\n"
        "    orig(self, files)\n"
        "    QTimer.singleShot(10, slot_fails)\n"
        "    asyncio.get_event_loop().call_soon(callback_fails)\n"
        "    QTimer.singleShot(800, self.request_quit)\n"
        "shell.DesktopApp.start = start\n"
        "sys.exit(app.run_gui([]))\n"
    )
    repo = Path(__file__).resolve().parents[3]
    done = subprocess.run(  # noqa: PLW1510  (the code is asserted below)
        [sys.executable, "-c", script], cwd=repo, env=env, timeout=90, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "log" / LOG_NAME).read_text(encoding="utf-8")
    assert "Dots Desktop" in text and "started" in text
    assert "in slot_fails" in text and "ValueError: slot failed in the real app" in text
    assert "in callback_fails" in text and "LookupError: loop callback failed" in text
    assert "Unhandled error in asyncio: Exception in callback" in text  # our handler, not asyncio's


def test_given_russian_then_the_notice_reads_in_russian(qapp: QApplication, tmp_path: Path) -> None:
    from desktop.ui.words.i18n import install_language

    assert install_language(qapp, "ru")
    try:
        dialog = CrashDialog("Traceback ...", tmp_path)
        assert dialog.sentence.text().startswith("В Dots Desktop произошла непредвиденная ошибка")
        assert dialog.copy_button.text() == "Копировать подробности"
        assert dialog.location.text().startswith("Папка журнала: ")
        dialog.close()
    finally:
        install_language(qapp, "en")
