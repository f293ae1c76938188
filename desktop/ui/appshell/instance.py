"""Single instance: a second launch hands its files to the running window and exits.

The running window listens on a Unix socket (Linux/macOS, the standard library's) or a
QLocalServer (Windows). A new launch asks it before painting anything, the same way
(importing QtNetwork and connecting through it would cost ~20 ms of start-up).
When no socket file is there (the usual first start) nothing more is imported at all.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket as stdsocket
import sys
import zlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, Signal

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


def uses_named_pipe() -> bool:
    """Windows: QLocalServer/QLocalSocket over a named pipe; elsewhere a Unix socket."""
    return sys.platform == "win32"


def forward_to_running(
    files: list[str], name: str | None = None, timeout_ms: int = 1500, action: str = ""
) -> bool:
    """True when an instance answered and took ``files`` (empty = just raise its window)
    or ``action`` (``capture``: start a screen-region capture there)."""
    name = name or server_name()
    if uses_named_pipe():
        return _forward_qt(files, name, timeout_ms, action)
    path = socket_path(name)
    if not os.path.exists(path):
        return False
    import json

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
    # The answer may already have arrived while the write was awaited: waitForReadyRead
    # waits for *more* bytes, so read what is there before waiting.
    answer = b""
    while b"\n" not in answer:
        if not socket.bytesAvailable() and not socket.waitForReadyRead(timeout_ms):
            break
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answer.startswith(b"ok")


#: A launch's message is a short JSON line; anything longer is not one of ours.
MAX_MESSAGE_BYTES = 1 << 20


def parse_message(line: bytes) -> tuple[list[str], str]:
    """The files and action a launch sent; ``([], "")`` for a malformed line."""
    import json

    try:
        message = json.loads(line)
        files = [str(f) for f in message.get("files", [])]
        action = str(message.get("action", ""))
    except (ValueError, AttributeError, TypeError):
        logger.warning("ignoring a malformed single-instance message")
        return [], ""
    return files, action


class InstanceServer(QObject):
    """Listens for later launches; emits the files they hand over.

    On Linux/macOS a Unix socket from the standard library, watched by QSocketNotifier
    (QtCore), at the path QLocalServer would use: the bundle then needs no QtNetwork, its
    Kerberos/GSSAPI libraries or TLS plugins (5 MB). On Windows a QLocalServer (named pipe).
    """

    files_received = Signal(list)
    action_received = Signal(str)  # "capture": `dots-desktop capture` asked for a region

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._backend: _UnixListener | _QtListener = (
            _QtListener(self) if uses_named_pipe() else _UnixListener(self)
        )

    def listen(self) -> bool:
        return self._backend.listen(self.name)

    def close(self) -> None:
        self._backend.close()

    def _take(self, line: bytes) -> None:
        files, action = parse_message(line)
        if action:
            self.action_received.emit(action)  # no window raised: it would be in the shot
        else:
            self.files_received.emit(files)


class _UnixListener:
    """A listening Unix socket and its connections, each watched by a QSocketNotifier."""

    def __init__(self, owner: InstanceServer) -> None:
        self._owner = owner
        self._sock: stdsocket.socket | None = None
        self._path = ""
        self._notifier: QSocketNotifier | None = None
        self._peers: dict[int, tuple[stdsocket.socket, QSocketNotifier, bytearray]] = {}

    def listen(self, name: str) -> bool:
        path = socket_path(name)
        sock = stdsocket.socket(stdsocket.AF_UNIX, stdsocket.SOCK_STREAM)
        try:
            try:
                sock.bind(path)
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or _answers(path):
                    raise
                # A crashed instance left its socket file behind: nobody answers, remove it.
                os.unlink(path)
                sock.bind(path)
            # Only this user may connect (QLocalServer's UserAccessOption); nobody can
            # connect before listen(), so there is no window with wider rights.
            os.chmod(path, 0o600)
            sock.listen(8)
            sock.setblocking(False)
        except OSError as exc:
            logger.warning("single-instance server failed: %s", exc)
            sock.close()
            return False
        self._sock, self._path = sock, path
        self._notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._on_connection)
        return True

    def close(self) -> None:
        for fd in list(self._peers):
            self._drop(fd)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            with contextlib.suppress(OSError):
                os.unlink(self._path)

    def _on_connection(self) -> None:
        if self._sock is None:
            return
        while True:
            try:
                peer, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                logger.warning("single-instance accept failed: %s", exc)
                return
            self._watch(peer)

    def _watch(self, peer: stdsocket.socket) -> None:
        peer.setblocking(False)
        fd = peer.fileno()
        notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read)
        self._peers[fd] = (peer, notifier, bytearray())

        def ready(*_signal_args: object) -> None:  # (descriptor, type): fd is known here
            self._on_ready(fd)

        notifier.activated.connect(ready)

    def _on_ready(self, fd: int) -> None:
        if fd not in self._peers:
            return  # dropped already
        peer, _, buffer = self._peers[fd]
        try:
            chunk = peer.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        buffer += chunk
        if b"\n" not in buffer:
            if not chunk or len(buffer) > MAX_MESSAGE_BYTES:
                self._drop(fd)  # gone before a whole line, or not one of ours
            return
        line = bytes(buffer.split(b"\n", 1)[0])
        with contextlib.suppress(OSError):
            peer.send(b"ok\n")
        self._drop(fd)
        self._owner._take(line)

    def _drop(self, fd: int) -> None:
        peer, notifier, _ = self._peers.pop(fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        peer.close()


def _answers(path: str) -> bool:
    """Whether something listens on the Unix socket at ``path``."""
    with stdsocket.socket(stdsocket.AF_UNIX, stdsocket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(path)
        except OSError:
            return False
    return True


class _QtListener:
    """QLocalServer (Windows: a named pipe, which the standard library does not serve)."""

    def __init__(self, owner: InstanceServer) -> None:
        from PySide6.QtNetwork import QLocalServer

        self._owner = owner
        self._server = QLocalServer(owner)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self, name: str) -> bool:
        if self._server.listen(name):
            return True
        from PySide6.QtNetwork import QLocalServer

        # A crashed instance leaves its socket file behind: nobody answered, so remove it.
        QLocalServer.removeServer(name)
        ok = self._server.listen(name)
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
            if len(data) > MAX_MESSAGE_BYTES:
                self._buffers.pop(socket, None)
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        socket.write(b"ok\n")
        socket.flush()
        self._owner._take(data.split(b"\n", 1)[0])
