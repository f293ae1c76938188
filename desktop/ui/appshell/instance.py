"""Single instance: a second launch hands its files to the running window and exits.

The running window listens on a QLocalServer. A new launch asks it before painting
anything: on Linux/macOS with the standard library's Unix socket (importing QtNetwork and
connecting through it costs ~20 ms of start-up), on Windows through QLocalSocket.
When no socket file is there (the usual first start) nothing more is imported at all.
"""

from __future__ import annotations

import logging
import os
import sys
import zlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.core.paths import config_dir

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalSocket

logger = logging.getLogger(__name__)


def server_name() -> str:
    """Per user and per config folder, so test runs and portable installs never collide."""
    # zlib is loaded with Qt already; hashlib would load OpenSSL before the first paint.
    digest = f"{zlib.crc32(str(config_dir()).encode()):08x}"
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"
    return f"dots-desktop-{user}-{digest}"


def socket_path(name: str) -> str:
    """Where QLocalServer puts ``name``'s socket on Unix (a relative name: the temp folder)."""
    if name.startswith("/"):
        return name
    if sys.platform.startswith("linux"):
        # QDir.tempPath() on Linux is $TMPDIR or /tmp, cleaned (a test holds them equal);
        # QDir's Python type would cost ~1 ms before the first paint.
        return os.path.normpath(os.environ.get("TMPDIR") or "/tmp") + "/" + name
    from PySide6.QtCore import QDir

    return QDir.cleanPath(QDir.tempPath()) + "/" + name


def forward_to_running(
    files: list[str], name: str | None = None, timeout_ms: int = 1500, action: str = ""
) -> bool:
    """True when an instance answered and took ``files`` (empty = just raise its window)
    or ``action`` (``capture``: start a screen-region capture there)."""
    name = name or server_name()
    if sys.platform == "win32":
        return _forward_qt(files, name, timeout_ms, action)
    path = socket_path(name)
    if not os.path.exists(path):
        return False
    import json
    import socket as stdsocket

    message = json.dumps(_message(files, action)).encode() + b"\n"
    with stdsocket.socket(stdsocket.AF_UNIX, stdsocket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_ms / 1000)
        try:
            sock.connect(path)
            sock.sendall(message)
            answer = b""
            while b"\n" not in answer:
                chunk = sock.recv(64)
                if not chunk:
                    break
                answer += chunk
        except OSError:  # nobody listens (a crashed instance's socket file) or no answer
            return False
    return answer.startswith(b"ok")


def _message(files: list[str], action: str) -> dict[str, object]:
    return {"files": files, "action": action} if action else {"files": files}


def _forward_qt(files: list[str], name: str, timeout_ms: int, action: str = "") -> bool:
    import json

    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(json.dumps(_message(files, action)).encode() + b"\n")
    socket.flush()
    socket.waitForBytesWritten(timeout_ms)
    answered = socket.waitForReadyRead(timeout_ms) and bytes(socket.readAll().data()).startswith(
        b"ok"
    )
    socket.disconnectFromServer()
    return answered


class InstanceServer(QObject):
    """Listens for later launches; emits the files they hand over."""

    files_received = Signal(list)
    action_received = Signal(str)  # "capture": `dots-desktop capture` asked for a region

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtNetwork import QLocalServer

        self.name = name or server_name()
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        from PySide6.QtNetwork import QLocalServer

        # A crashed instance leaves its socket file behind: nobody answered, so remove it.
        QLocalServer.removeServer(self.name)
        ok = self._server.listen(self.name)
        if not ok:
            logger.warning("single-instance server failed: %s", self._server.errorString())
        return ok

    def close(self) -> None:
        self._server.close()

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready(s))
            socket.disconnected.connect(lambda s=socket: self._buffers.pop(s, None))

    def _on_ready(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        import json

        try:
            message = json.loads(line)
            files = [str(f) for f in message.get("files", [])]
            action = str(message.get("action", ""))
        except (ValueError, AttributeError, TypeError):
            logger.warning("ignoring a malformed single-instance message")
            files, action = [], ""
        socket.write(b"ok\n")
        socket.flush()
        if action:
            self.action_received.emit(action)  # no window raised: it would be in the shot
        else:
            self.files_received.emit(files)
