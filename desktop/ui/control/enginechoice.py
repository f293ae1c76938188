"""Which engine the window uses, from the preferences; engines/factory.py builds it."""

from __future__ import annotations

from desktop.engines.base import Engine
from desktop.ui.state.prefs import Prefs, effective_endpoint, get_secret


def engine_kind(prefs: Prefs) -> str:
    """``server`` or ``builtin``: auto picks the server only when an endpoint is configured."""
    if prefs.engine_mode in ("server", "managed"):
        return "server"
    if prefs.engine_mode == "builtin":
        return "builtin"
    return "server" if effective_endpoint(prefs) else "builtin"


def build_engine(prefs: Prefs, endpoint: str | None = None, api_key: str | None = None) -> Engine:
    """Build the engine the preferences ask for; raises DotsError/ImportError with the cause.

    Called in a worker thread: the factory's imports (HTTP client, ONNX runtime) happen there.
    """
    from desktop.engines.factory import create_engine

    kind = engine_kind(prefs)
    url = endpoint or effective_endpoint(prefs) or None
    if api_key is None:
        api_key = get_secret("api_key")[0] or None
    if kind == "server" and not url:
        from desktop.core.errors import DotsError
        from desktop.core.messages import Code, Msg

        raise DotsError(Msg(Code.NO_SERVER_ADDRESS), fix=Msg(Code.FIX_ENTER_ENDPOINT))
    if kind == "builtin":
        return create_engine(kind, languages=prefs.builtin_language)
    return create_engine(kind, endpoint=url, api_key=api_key)
