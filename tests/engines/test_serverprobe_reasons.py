"""Why the doctor's and Settings' probe could not reach a server, said in the user's
language: refused, no answer, no such host, TLS, cut; never an exception's class name."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from desktop.core.messages import Code, render
from desktop.engines.serverprobe import probe_server


def _reason(endpoint: str, **kwargs: Any) -> tuple[Code, str, str]:
    probe = probe_server(endpoint, None, **kwargs)
    assert probe.problem is not None and probe.problem.code is Code.DOC_SERVER_UNREACHABLE
    detail = probe.problem.params["detail"]
    words = render(probe.problem, "en"), render(probe.problem, "ru")
    for said in words:
        assert "Error" not in said and "Exception" not in said, said
    return detail.code, *words


@pytest.fixture
def silent_server() -> Iterator[tuple[int, socket.socket]]:
    """Accepts connections and never answers (a hung server)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1], listener
    stop.set()
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def hanging_up_server() -> Iterator[int]:
    """Accepts, reads the request, and closes without a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn = listener.accept()[0]
            except OSError:
                continue
            conn.recv(65536)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_a_refused_port_is_said_to_refuse(refused_port: int) -> None:
    code, en, ru = _reason(f"http://127.0.0.1:{refused_port}/v1", timeout=5.0)
    assert code is Code.NET_REFUSED
    assert "refused" in en and "отклонено" in ru


def test_a_server_that_never_answers_is_said_to_time_out(
    silent_server: tuple[int, socket.socket],
) -> None:
    port, _ = silent_server
    code, en, ru = _reason(f"http://127.0.0.1:{port}/v1", timeout=0.5)
    assert code is Code.NET_TIMED_OUT
    assert ("0.5 s" in en and "0,5 с" in ru) or "0.5 с" in ru


def test_a_server_that_hangs_up_is_said_to_cut_the_connection(hanging_up_server: int) -> None:
    code, en, ru = _reason(f"http://127.0.0.1:{hanging_up_server}/v1", timeout=5.0)
    assert code is Code.NET_CUT
    assert "cut" in en and "оборвалось" in ru


@pytest.mark.parametrize(
    ("underneath", "expected"),
    [
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), Code.NET_NO_SUCH_HOST),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), Code.NET_TLS_FAILED),
        (OSError(113, "No route to host"), Code.NET_FAILED),
    ],
)
def test_the_operating_systems_reason_underneath_is_named(
    underneath: OSError, expected: Code
) -> None:
    """What httpx raises for a name or TLS failure: its ConnectError over the OS error."""

    def get(*_args: Any, **_kwargs: Any) -> httpx.Response:
        try:
            raise underneath
        except OSError as exc:
            raise httpx.ConnectError("connect failed") from exc

    code, _, _ = _reason("https://ocr.example.invalid/v1", get=get)
    assert code is expected
