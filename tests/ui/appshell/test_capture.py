"""Global capture: `dots-desktop capture` and the optional hotkey start the region tool."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from desktop.runtime.gpu import NvmlBackend
from desktop.ui.appshell.hotkey import pynput_combo
from desktop.ui.appshell.instance import InstanceServer
from desktop.ui.appshell.shell import DesktopApp
from desktop.ui.state.prefs import Prefs
from desktop.ui.widgets.settings import SettingsDialog
from tests.ui.appshell.test_app_tray import FakeNvml
from tests.ui.conftest import dispose_window, run_coroutine, run_until

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[3]


def overlays() -> list[QWidget]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "region_overlay" and w.isVisible()
    ]


@pytest.fixture
def x11(qapp: QApplication) -> None:
    if QApplication.platformName() != "xcb" or not os.environ.get("DISPLAY"):
        pytest.skip("needs an X display (Xvfb): DISPLAY=:97")


@pytest.fixture
def shell(x11: None, qloop: Any, qtbot: Any, qapp: QApplication) -> Iterator[DesktopApp]:
    app = DesktopApp(qapp, gpu_backend=NvmlBackend(FakeNvml()), gpu_interval=0.5)
    server = InstanceServer()
    assert server.listen()
    server.action_received.connect(app.captures.on_action)
    server.files_received.connect(app.receive_files)
    app.start([])
    run_until(qtbot, lambda: app.started)
    yield app
    for overlay in overlays():
        overlay.close()
    server.close()
    run_coroutine(qtbot, app.shutdown())
    dispose_window(app.window)


def test_given_a_running_window_when_dots_desktop_capture_then_the_region_tool_opens(
    shell: DesktopApp, qtbot: Any
) -> None:
    assert overlays() == []
    launch = subprocess.Popen(
        [sys.executable, "-m", "desktop", "capture"],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        run_until(qtbot, lambda: launch.poll() is not None, timeout=30)
    finally:
        if launch.poll() is None:
            launch.kill()
    assert launch.returncode == 0, launch.stderr.read() if launch.stderr else ""
    run_until(qtbot, lambda: bool(overlays()), timeout=10)
    assert not shell.window.isActiveWindow() or overlays()[0].isVisible()


def test_given_a_capture_key_on_x11_when_it_is_pressed_then_the_region_tool_opens(
    shell: DesktopApp, qtbot: Any
) -> None:
    if not shutil.which("xdotool"):
        pytest.skip("xdotool is needed to press a key on the X server")
    shell.apply_settings(replace(shell.prefs, capture_hotkey="Ctrl+Shift+F9"))
    hotkey = shell.captures.hotkey
    assert hotkey is not None and hotkey.active()
    assert hotkey.wait_ready()
    # pynput (1.8, X11) marks its listener ready just before it enables the X RECORD
    # context, so a key pressed right then is not seen; a fixed 200 ms pause hid that on a
    # quiet machine only. Press until the region tool opens (bounded): a key that never
    # opens it still fails. Only while no press got through, so no second tool opens late.
    pressed: list[bool] = []
    hotkey.pressed.connect(lambda: pressed.append(True))
    deadline = time.monotonic() + 20
    presses = 0
    while not pressed and time.monotonic() < deadline:
        subprocess.run(["xdotool", "key", "ctrl+shift+F9"], check=True, timeout=10)
        presses += 1
        with contextlib.suppress(qtbot.TimeoutError):
            qtbot.waitUntil(lambda: bool(pressed), timeout=2000)
    assert pressed, f"{presses} presses of Ctrl+Shift+F9 in 20 s, none seen"
    run_until(qtbot, lambda: bool(overlays()), timeout=10)
    for overlay in overlays():
        overlay.close()
    shell.apply_settings(replace(shell.prefs, capture_hotkey=""))  # off again
    assert not hotkey.active()
    subprocess.run(["xdotool", "key", "ctrl+shift+F9"], check=True, timeout=10)
    qtbot.wait(500)
    assert overlays() == []


@pytest.mark.parametrize(
    ("qt", "pynput"),
    [
        ("Ctrl+Shift+O", "<ctrl>+<shift>+o"),
        ("Meta+Print", "<cmd>+<print_screen>"),
        ("Alt+F9", "<alt>+<f9>"),
        ("Ctrl++", "<ctrl>++"),
        ("Ctrl+K, Ctrl+C", ""),  # a sequence of two: no global key can be that
        ("", ""),
    ],
)
def test_qt_key_names_become_pynput_combinations(qt: str, pynput: str) -> None:
    assert pynput_combo(qt) == pynput


def test_given_wayland_then_settings_say_how_to_bind_the_command(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("desktop.ui.state.desktopsession.on_wayland", lambda: True)
    dialog = SettingsDialog(Prefs(), [])
    qtbot.addWidget(dialog)
    assert not dialog.hotkey.isEnabled()
    assert "dots-desktop capture" in dialog.hotkey_note.text()


def test_given_a_key_typed_in_settings_then_it_is_saved_as_portable_text(qtbot: Any) -> None:
    from PySide6.QtGui import QKeySequence

    dialog = SettingsDialog(Prefs(capture_hotkey="Ctrl+Alt+O"), [])
    qtbot.addWidget(dialog)
    assert dialog.prefs().capture_hotkey == "Ctrl+Alt+O"
    dialog.hotkey.setKeySequence(QKeySequence("Meta+Shift+T"))
    assert dialog.prefs().capture_hotkey == "Meta+Shift+T"


def test_given_no_running_window_when_dots_desktop_capture_then_the_app_starts_and_captures(
    tmp_path: Path,
) -> None:
    """The real command line with nobody listening: the app starts, then the capture."""
    env = {
        "DOTS_DESKTOP_HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
    }
    # The region tool itself is tested above; here it reports and quits the app.
    script = (
        "import sys; from desktop import cli; from desktop.ui.appshell import quickactions\n"
        "def ocr_region(self):\n"
        "    print('CAPTURE', self.window.isVisible(), flush=True)\n"
        "    from PySide6.QtWidgets import QApplication; QApplication.instance().quit()\n"
        "quickactions.QuickActions.ocr_region = ocr_region\n"
        "sys.exit(cli.run(['capture']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        timeout=120,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "CAPTURE True" in done.stdout, done.stderr[-2000:]
