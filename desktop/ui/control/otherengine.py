"""The engine a document can be read again with besides the window's own: the built-in one.

A user reading with a server (or the managed model) may want a second opinion from the CPU
engine on one document without changing the settings, and the document list then says which
engine read each entry. The built-in engine is made on first use, in a worker thread (its
models load there), kept for later reads, and closed with the window.
"""

from __future__ import annotations

import asyncio
import logging

from desktop.engines.base import Engine

logger = logging.getLogger(__name__)

BUILTIN_NAME = "Built-in (CPU)"  # BuiltinEngine.name (checked by a test)


def is_builtin(engine: Engine | None) -> bool:
    return engine is not None and engine.name == BUILTIN_NAME


class OtherEngine:
    """The built-in engine, made and made ready on first use; one at a time."""

    def __init__(self, languages: str = "auto") -> None:
        self.languages = languages
        self._engine: Engine | None = None
        self._lock = asyncio.Lock()

    def offered_beside(self, current: Engine | None) -> bool:
        """Whether "Read again with the built-in engine" is worth a menu entry."""
        return current is not None and not is_builtin(current)

    async def builtin(self) -> Engine:
        """The built-in engine, ready; raises ``DotsError`` (with its fix) when it cannot run."""
        async with self._lock:
            if self._engine is None or getattr(self._engine, "languages", "") != self.languages:
                from desktop.engines.factory import create_engine

                old, self._engine = self._engine, None
                if old is not None:
                    await self._close(old)
                self._engine = await asyncio.to_thread(
                    create_engine, "builtin", languages=self.languages
                )
            engine = self._engine
        await engine.ensure_ready()
        return engine

    async def aclose(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            await self._close(engine)

    @staticmethod
    async def _close(engine: Engine) -> None:
        try:
            await asyncio.wait_for(engine.aclose(), timeout=5)
        except Exception:  # closing is best effort; log the cause
            logger.warning("closing engine %s failed", engine.name, exc_info=True)
