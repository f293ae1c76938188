"""Pick and build the engine: the OpenAI-compatible server or the built-in CPU engine."""

from __future__ import annotations

from typing import Any, Literal

import httpx

from desktop.core.messages import Code, Msg
from desktop.engines.base import Engine, EngineError
from desktop.engines.remote.server import ServerEngine, normalize_base_url

EngineKind = Literal["server", "builtin"]


def create_engine(
    kind: str,
    endpoint: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    *,
    languages: str = "auto",
    **server_options: Any,
) -> Engine:
    """An engine of ``kind``; raises ``EngineError`` with the reason when it cannot exist here.

    ``languages`` (``auto``, ``rus``, ``rus+eng``...) is for the built-in engine only.
    """
    if kind == "server":
        if not endpoint:
            raise EngineError(Msg(Code.ENGINE_NEEDS_ADDRESS), fix=Msg(Code.FIX_PASS_ENDPOINT))
        return ServerEngine(endpoint, api_key, model, **server_options)
    if kind == "builtin":
        try:
            from desktop.engines.builtin import BuiltinEngine, builtin_available
        except ImportError as exc:
            raise EngineError(
                Msg.of(Code.BUILTIN_NOT_IN_BUILD, detail=str(exc)),
                fix=Msg(Code.FIX_USE_SERVER_ENGINE),
            ) from exc
        reason = builtin_available()
        if reason:
            raise EngineError(
                Msg.of(Code.BUILTIN_CANNOT_RUN, detail=reason), fix=Msg(Code.FIX_USE_SERVER_ENGINE)
            )
        engine: Engine = BuiltinEngine(languages=languages)
        return engine
    raise EngineError(Msg.of(Code.UNKNOWN_ENGINE, kind=kind), fix=Msg(Code.FIX_ENGINE_KINDS))


def default_engine_kind(endpoint: str | None) -> EngineKind:
    """``server`` when an endpoint is configured, else ``builtin``."""
    return "server" if endpoint else "builtin"


async def endpoint_reachable(
    endpoint: str, api_key: str | None = None, timeout: float = 2.0
) -> bool:
    """True when ``/health`` or ``/v1/models`` answers 200 at ``endpoint``."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    base = normalize_base_url(endpoint)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout) as client:
        for path in ("/health", "/v1/models"):
            try:
                resp = await client.get(path)
            except httpx.HTTPError:
                return False
            if resp.status_code == 200:
                return True
    return False


async def choose_engine_kind(endpoint: str | None, api_key: str | None = None) -> EngineKind:
    """``server`` when an endpoint is configured AND answers, else ``builtin``."""
    if endpoint and await endpoint_reachable(endpoint, api_key):
        return "server"
    return "builtin"
