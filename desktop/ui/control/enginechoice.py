"""Which engine the window uses, from the preferences (the factory does the building)."""

from __future__ import annotations

import logging

from desktop.engines.base import Engine
from desktop.ui.state.prefs import Prefs, effective_endpoint, get_secret

logger = logging.getLogger(__name__)


def engine_kind(prefs: Prefs) -> str:
    """``server`` or ``builtin``: auto picks the server only when an endpoint is configured."""
    if prefs.engine_mode in ("server", "managed"):
        return "server"
    if prefs.engine_mode == "builtin":
        return "builtin"
    return "server" if effective_endpoint(prefs) else "builtin"


def build_engine(prefs: Prefs, endpoint: str | None = None, api_key: str | None = None) -> Engine:
    """Build the engine the preferences ask for; raises DotsError/ImportError with the cause."""
    kind = engine_kind(prefs)
    url = endpoint or effective_endpoint(prefs) or None
    if api_key is None:
        api_key = get_secret("api_key")[0] or None
    if kind == "server" and not url:
        from desktop.core.errors import DotsError
        from desktop.core.messages import Code, Msg

        raise DotsError(Msg(Code.NO_SERVER_ADDRESS), fix=Msg(Code.FIX_ENTER_ENDPOINT))
    try:
        from desktop.engines.factory import create_engine
    except ImportError:
        logger.info("engine factory missing; building %s engine directly", kind)
        if kind == "server":
            from desktop.engines.remote.server import ServerEngine

            return ServerEngine(url or "", api_key=api_key)
        from desktop.engines.builtin import BuiltinEngine

        return BuiltinEngine(languages=prefs.builtin_language)
    if kind == "builtin":
        return create_engine(kind, languages=prefs.builtin_language)
    return create_engine(kind, endpoint=url, api_key=api_key)
