"""Single instance: a second launch hands its files to the running window and exits."""

from __future__ import annotations

import hashlib
import json
import logging
import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop.core.paths import config_dir

logger = logging.getLogger(__name__)


def server_name() -> str:
    """Per user and per config folder, so test runs and portable installs never collide."""
    digest = hashlib.sha1(str(config_dir()).encode()).hexdigest()[:12]
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"
    return f"dots-desktop-{user}-{digest}"


def forward_to_running(files: list[str], name: str | None = None, timeout_ms: int = 1500) -> bool:
    """True when an instance answered and took ``files`` (empty = just raise its window)."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(json.dumps({"files": files}).encode() + b"\n")
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

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
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
        try:
            files = [str(f) for f in json.loads(line).get("files", [])]
        except (ValueError, AttributeError):
            logger.warning("ignoring a malformed single-instance message")
            files = []
        socket.write(b"ok\n")
        socket.flush()
        self.files_received.emit(files)
