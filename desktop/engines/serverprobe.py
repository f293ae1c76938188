"""One look at an OpenAI-compatible server: reachable, key accepted, models, context length.

Used by ``dots-desktop doctor`` and the Settings dialog's "Test connection" (in a worker
thread: it blocks for up to ``timeout`` seconds). The answer is facts, worded at the edge.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from desktop.core.messages import Code, Msg
from desktop.engines.modellist import listed_models


@dataclass(frozen=True, slots=True)
class ServerProbe:
    """What ``GET /v1/models`` said: ``problem`` is None when the server can be used."""

    endpoint: str
    problem: Msg | None = None
    fix: Msg | None = None
    models: tuple[str, ...] = ()
    model: str = ""  # the one that would be used
    context: int | None = None  # its max_model_len, when the server reports one
    seconds: float = 0.0  # the round trip

    @property
    def ok(self) -> bool:
        return self.problem is None

    def facts(self, key: str | None) -> Msg:
        """The answer as one fact: the problem, or what the server serves."""
        if self.problem is not None:
            return self.problem
        accepted = Msg(Code.DOC_KEY_ACCEPTED if key else Code.DOC_NO_KEY_NEEDED)
        params = {"endpoint": self.endpoint, "key": accepted, "models": self.models}
        if self.context:
            return Msg(Code.DOC_SERVER_READY_CONTEXT, {**params, "context": self.context})
        return Msg(Code.DOC_SERVER_READY, params)


def transport_reason(exc: BaseException, timeout: float) -> Msg:
    """Why a request got no answer, as a fact: from the exception and the operating
    system's error underneath it (refused, no such host, TLS), never its English text."""
    if isinstance(exc, httpx.TimeoutException):
        return Msg.of(Code.NET_TIMED_OUT, seconds=timeout)
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return Msg(Code.NET_REFUSED)
        if isinstance(cause, socket.gaierror):
            return Msg(Code.NET_NO_SUCH_HOST)
        if isinstance(cause, ssl.SSLError):
            return Msg(Code.NET_TLS_FAILED)
        if isinstance(cause, TimeoutError | socket.timeout):
            return Msg.of(Code.NET_TIMED_OUT, seconds=timeout)
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return Msg(Code.NET_CUT)
    return Msg(Code.NET_FAILED)


def models_url(endpoint: str) -> str:
    base = endpoint.rstrip("/")
    return (base if base.endswith("/v1") else base + "/v1") + "/models"


def probe_server(
    endpoint: str,
    key: str | None,
    model: str | None = None,
    *,
    timeout: float = 5.0,
    get: Callable[..., Any] = httpx.get,
) -> ServerProbe:
    """Ask ``endpoint`` for its models (blocking)."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    began = time.monotonic()
    try:
        resp = get(models_url(endpoint), headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        reason = transport_reason(exc, timeout)
        fact = Msg.of(Code.DOC_SERVER_UNREACHABLE, endpoint=endpoint, detail=reason)
        return ServerProbe(endpoint, fact, Msg(Code.FIX_SERVER_UNREACHABLE))
    seconds = time.monotonic() - began
    if resp.status_code == 401:
        fact = Msg.of(Code.DOC_SERVER_KEY_REFUSED, endpoint=endpoint)
        return ServerProbe(endpoint, fact, Msg(Code.FIX_SERVER_KEY), seconds=seconds)
    if resp.status_code != 200:
        fact = Msg.of(Code.DOC_SERVER_HTTP, endpoint=endpoint, status=resp.status_code)
        return ServerProbe(endpoint, fact, Msg(Code.FIX_SERVER_UNREACHABLE), seconds=seconds)
    try:
        listed = listed_models(resp.json()) or []
    except ValueError:  # not JSON
        listed = []
    names = tuple(m.name for m in listed)
    if not names:
        fact = Msg.of(Code.DOC_SERVER_NO_MODEL, endpoint=endpoint)
        return ServerProbe(endpoint, fact, seconds=seconds)
    if model and model not in names:
        fact = Msg.of(Code.DOC_SERVER_MODEL_MISSING, endpoint=endpoint, model=model, models=names)
        return ServerProbe(endpoint, fact, Msg(Code.FIX_SERVER_MODEL), names, seconds=seconds)
    chosen = model or names[0]
    context = next(m.context for m in listed if m.name == chosen)  # chosen is in names
    return ServerProbe(endpoint, None, None, names, chosen, context, seconds)
