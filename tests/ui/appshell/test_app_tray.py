"""The running app: tray menu, live GPU gauge (NVML faked at its boundary), single instance."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from desktop.runtime.gpu import NvmlBackend
from desktop.ui.appshell.instance import forward_to_running
from desktop.ui.appshell.shell import DesktopApp
from desktop.ui.widgets.statusbar import STEPS
from tests.ui.conftest import dispose_window, run_coroutine, run_until

pytestmark = pytest.mark.gui
GIB = 1024**3
TRAY_ACTIONS = (
    "ocr_clipboard",
    "ocr_file",
    "ocr_region",
    "switch_model",
    "start_model",
    "stop_model",
    "show_window",
    "quit",
)


class FakeNvml:
    """The nvidia-ml-py calls NvmlBackend makes, answering for one 16 GiB card."""

    def __init__(self) -> None:
        self.used = int(11.2 * GIB)
        self.total = 16 * GIB
        self.lock = threading.Lock()

    def nvmlInit(self) -> None: ...
    def nvmlShutdown(self) -> None: ...
    def nvmlDeviceGetCount(self) -> int:
        return 1

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetName(self, handle: int) -> str:
        return "NVIDIA GeForce RTX 5070 Ti"

    def nvmlDeviceGetMemoryInfo(self, handle: int) -> SimpleNamespace:
        with self.lock:
            return SimpleNamespace(used=self.used, total=self.total, free=self.total - self.used)

    def nvmlDeviceGetUtilizationRates(self, handle: int) -> SimpleNamespace:
        return SimpleNamespace(gpu=40)

    def nvmlDeviceGetTemperature(self, handle: int, sensor: int) -> int:
        return 55

    def nvmlDeviceGetComputeRunningProcesses(self, handle: int) -> list[Any]:
        return []


@pytest.fixture
def shell(qloop: Any, qtbot: Any, qapp: QApplication) -> Iterator[tuple[DesktopApp, FakeNvml]]:
    nvml = FakeNvml()
    app = DesktopApp(qapp, gpu_backend=NvmlBackend(nvml), gpu_interval=0.05)
    app.start([])
    run_until(qtbot, lambda: app.started)
    yield app, nvml
    run_coroutine(qtbot, app.shutdown())
    dispose_window(app.window)


def test_given_the_app_then_the_tray_menu_has_every_action(shell: Any) -> None:
    app, _ = shell
    names = {a.objectName() for a in app.tray.menu.actions()}
    assert set(TRAY_ACTIONS) <= names
    assert app.tray.switch_menu.actions(), "the shipped profiles are offered"


def test_given_a_gpu_when_its_memory_fills_then_tray_and_gauge_redraw(
    shell: Any, qtbot: Any
) -> None:
    app, nvml = shell
    run_until(qtbot, lambda: app.window.gpu_gauge.text() == "GPU 11.2 / 16.0 GiB")
    assert app.tray.tooltip().startswith("GPU 11.2 / 16.0 GiB")
    before = app.tray.redraws
    with nvml.lock:
        nvml.used = int(15.5 * GIB)
    run_until(qtbot, lambda: app.window.gpu_gauge.text() == "GPU 15.5 / 16.0 GiB")
    gauge = app.window.gpu_gauge
    assert gauge.level() == "full" and gauge.bar.value() == round(STEPS * 15.5 / 16)
    chunk = gauge.bar.grab().toImage().pixelColor(30, 4)  # the bar's middle: its fill
    assert chunk.red() > 180 and chunk.green() < 120, "the status bar's gauge reads red too"
    assert app.tray.redraws > before
    assert app.tray.fraction is not None and app.tray.fraction > 0.95
    icon = app.tray.icon.icon().pixmap(64, 64).toImage()
    red = icon.pixelColor(28, 52)  # inside the page, near the bottom: the fill
    assert red.red() > 180 and red.green() < 120, "a nearly full GPU reads red"


def test_given_the_tray_when_show_window_and_quit_are_picked_then_they_act(
    shell: Any, qtbot: Any
) -> None:
    app, _ = shell
    app.window.hide()
    app.tray.action("show_window").trigger()
    assert app.window.isVisible()
    app.tray.action("quit").trigger()
    assert app._quit.is_set()


def test_given_an_image_on_the_clipboard_when_tray_ocr_then_a_document_opens(
    shell: Any, fixtures_dir: Path
) -> None:
    app, _ = shell
    QGuiApplication.clipboard().setImage(QImage(str(fixtures_dir / "russian_page.png")))
    app.tray.action("ocr_clipboard").trigger()
    assert len(app.controller.entries) == 1
    assert app.quick.to_clipboard  # the text will go back to the clipboard when read


def test_given_no_instance_when_launching_then_nothing_answers() -> None:
    assert not forward_to_running(["x"], "dots-test-nobody-listens", timeout_ms=200)


def test_given_a_running_window_when_launched_again_with_a_file_then_it_exits_0(
    tmp_path: Path, fixtures_dir: Path
) -> None:
    """The real command line: the second launch hands over its file and exits 0."""
    env = {
        "DOTS_DESKTOP_HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
    }
    script = (
        "import sys; from PySide6.QtCore import QTimer; from desktop.ui import app;"
        "from desktop.ui.appshell import shell;"
        "orig = shell.DesktopApp.start\n"
        "def start(self, files):\n"
        "    orig(self, files)\n"
        "    def check():\n"
        "        if self.controller.entries:\n"
        "            print('GOT', [e.path for e in self.controller.entries.values()], flush=True)\n"
        "            self.request_quit()\n"
        "        else:\n"
        "            QTimer.singleShot(100, check)\n"
        "    print('READY', flush=True); QTimer.singleShot(100, check)\n"
        "shell.DesktopApp.start = start\n"
        "sys.exit(app.run_gui([]))\n"
    )
    repo = Path(__file__).resolve().parents[3]
    first = subprocess.Popen(
        [sys.executable, "-c", script], cwd=repo, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "READY"
        second = subprocess.run(  # noqa: PLW1510  (the code is asserted below)
            [sys.executable, "-m", "desktop", str(fixtures_dir / "journal_page_tables.jpg")],
            cwd=repo,
            env=env,
            timeout=60,
            capture_output=True,
            text=True,
        )
        assert second.returncode == 0, second.stderr
        line = first.stdout.readline()
        assert "journal_page_tables.jpg" in line
        assert first.wait(timeout=30) == 0
    finally:
        if first.poll() is None:
            first.kill()


def test_given_a_tray_host_then_the_icon_sits_in_the_tray(real_tray: None, shell: Any) -> None:
    app, _ = shell
    assert app.tray_shown and app.tray.icon.isVisible()
    assert not app.tray.icon.geometry().isEmpty()


def test_given_finder_open_with_then_files_reach_the_window_once_it_is_ready() -> None:
    from PySide6.QtGui import QFileOpenEvent

    from desktop.ui.app import FileOpenRouter, file_open_path

    assert file_open_path(QFileOpenEvent("/tmp/scan.png")) == "/tmp/scan.png"
    router = FileOpenRouter()
    router.opened("/tmp/early.pdf")  # macOS sends it before the shell exists
    got: list[list[str]] = []
    assert router.connect(got.append) == ["/tmp/early.pdf"]
    router.opened("/tmp/later.png")
    assert got == [["/tmp/later.png"]]


def test_given_exit_after_shown_then_the_app_quits_0_once_the_window_painted(
    tmp_path: Path,
) -> None:
    env = {
        "DOTS_DESKTOP_HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
        "DOTS_DESKTOP_EXIT_AFTER_SHOWN": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from desktop.ui import app; sys.exit(app.run_gui([]))"],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-400:]
