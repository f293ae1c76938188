"""Single instance: a later launch hands its files to the running window, however the
socket file or its peers behave (a crashed instance, a silent or flooding client)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.ui.appshell import instance
from desktop.ui.appshell.instance import InstanceServer, forward_to_running
from tests.ui.conftest import run_until

REPO = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets; Windows uses a pipe"),
]


class Got:
    """What the running window was handed."""

    def __init__(self, server: InstanceServer) -> None:
        self.files: list[list[str]] = []
        self.actions: list[str] = []
        server.files_received.connect(self.files.append)
        server.action_received.connect(self.actions.append)


@pytest.fixture
def name(tmp_path: Path) -> str:
    # An absolute name: the socket lives in this test's folder, never the user's /tmp.
    return str(tmp_path / "dots.sock")


@pytest.fixture
def server(qapp: QApplication, name: str) -> Iterator[InstanceServer]:
    srv = InstanceServer(name)
    assert srv.listen()
    yield srv
    srv.close()


def launch(qtbot: Any, *args: Any, **kwargs: Any) -> bool:
    """``forward_to_running`` as a second process does it (it blocks; the window answers)."""
    answer: list[bool] = []
    worker = threading.Thread(
        target=lambda: answer.append(forward_to_running(*args, **kwargs)), daemon=True
    )
    worker.start()
    run_until(qtbot, lambda: bool(answer))
    return answer[0]


def test_a_second_launch_hands_over_its_files(
    server: InstanceServer, name: str, qtbot: Any
) -> None:
    got = Got(server)
    assert launch(qtbot, ["/a/scan 1.png", "/b/Отчёт.pdf"], name)
    assert got.files == [["/a/scan 1.png", "/b/Отчёт.pdf"]]
    assert launch(qtbot, [], name)  # a bare launch: just raise the window
    assert got.files[-1] == []


def test_capture_reaches_the_running_window_as_an_action(
    server: InstanceServer, name: str, qtbot: Any
) -> None:
    got = Got(server)
    assert launch(qtbot, [], name, action="capture")
    assert got.actions == ["capture"] and got.files == []


def test_only_this_user_may_connect(server: InstanceServer, name: str) -> None:
    mode = stat.S_IMODE(Path(name).stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)


def test_a_crashed_instances_socket_file_is_taken_over(
    qapp: QApplication, name: str, qtbot: Any
) -> None:
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(name)
    dead.close()  # the file stays, nobody listens: what a killed instance leaves
    assert Path(name).exists()
    assert not forward_to_running(["x"], name, timeout_ms=300)
    srv = InstanceServer(name)
    try:
        assert srv.listen()
        got = Got(srv)
        assert launch(qtbot, ["/c.png"], name)
        assert got.files == [["/c.png"]]
    finally:
        srv.close()


def test_a_live_instance_is_never_displaced(server: InstanceServer, name: str, qtbot: Any) -> None:
    got = Got(server)
    second = InstanceServer(name)
    assert not second.listen()
    second.close()
    assert launch(qtbot, ["/d.png"], name)
    assert got.files == [["/d.png"]]


def test_silent_and_garbled_peers_do_not_stop_the_next_launch(
    server: InstanceServer, name: str, qtbot: Any
) -> None:
    got = Got(server)
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(name)  # connects and never writes
    flood = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    flood.connect(name)
    flood.settimeout(10)
    dropped = threading.Event()

    def write_forever() -> None:
        try:
            while True:
                flood.sendall(b"x" * 65536)  # never a newline: not one of ours
        except OSError:
            dropped.set()

    threading.Thread(target=write_forever, daemon=True).start()
    run_until(qtbot, dropped.is_set)
    garbled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    garbled.connect(name)
    garbled.sendall(b"{not json\n")
    assert launch(qtbot, ["/e.png"], name)
    run_until(qtbot, lambda: ["/e.png"] in got.files)
    assert got.files == [[], ["/e.png"]]  # the garbled line only raised the window
    for sock in (silent, flood, garbled):
        sock.close()


def test_closing_removes_the_socket_and_later_launches_start_their_own(
    qapp: QApplication, name: str
) -> None:
    srv = InstanceServer(name)
    assert srv.listen()
    srv.close()
    assert not Path(name).exists()
    assert not forward_to_running(["x"], name, timeout_ms=300)


def test_the_app_on_unix_never_loads_qtnetwork(tmp_path: Path) -> None:
    """The Linux/macOS bundles leave QtNetwork out (installer/bundle_rules.py): serving
    and forwarding a launch must work without it."""
    script = (
        "import sys, threading\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from desktop.ui.appshell.instance import InstanceServer, forward_to_running\n"
        "app = QApplication([])\n"
        f"name = {str(tmp_path / 'dots.sock')!r}\n"
        "srv = InstanceServer(name); assert srv.listen()\n"
        "got = []; srv.files_received.connect(lambda f: (got.append(f), app.quit()))\n"
        "threading.Thread(target=lambda: forward_to_running(['/f.png'], name)).start()\n"
        "app.exec(); srv.close()\n"
        "print(got, 'PySide6.QtNetwork' in sys.modules)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["[['/f.png']]", "False"]


def test_the_windows_named_pipe_server_speaks_the_same_protocol(
    qapp: QApplication, name: str, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows' QLocalServer/QLocalSocket path, run here (Qt serves it over a Unix socket
    on Linux). The later launch is its own process, as on Windows: PySide6 keeps the GIL
    in QLocalSocket's waitFor* calls, so an in-process client would starve the server."""
    monkeypatch.setattr(instance, "uses_named_pipe", lambda: True)
    srv = InstanceServer(name)
    try:
        assert srv.listen()
        got = Got(srv)
        assert pipe_launch(qtbot, name, ["/g.png"], "")
        assert pipe_launch(qtbot, name, [], "capture")
        assert got.files == [["/g.png"]] and got.actions == ["capture"]
    finally:
        srv.close()


def pipe_launch(qtbot: Any, name: str, files: list[str], action: str) -> bool:
    script = (
        "from desktop.ui.appshell import instance\n"
        "instance.uses_named_pipe = lambda: True\n"
        f"print(instance.forward_to_running({files!r}, {name!r}, 5000, {action!r}))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    run_until(qtbot, lambda: proc.poll() is not None)
    assert proc.stdout is not None
    return proc.stdout.read().strip() == "True"
