"""Which managed models can run here, for the model panel and the tray.

Docker is asked in a worker thread (connect, version; a probe container where Docker runs on
another host); the GPU readings come from the GPU feed (NVML in its own thread). The verdict
itself is arithmetic on those facts (``runtime.capability.judge``), cheap enough to redo
whenever a reading changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

logger = logging.getLogger(__name__)


def gather_facts() -> tuple[Any, Mapping[str, Any]]:
    """(DockerFacts, profiles), blocking: run it in a worker thread."""
    from desktop.runtime.capability import docker_facts
    from desktop.runtime.profiles import default_profile, load_profiles

    profiles = load_profiles(errors=[])
    images = (default_profile(profiles).image,) if profiles else ()
    facts, client = docker_facts(probe_images=images)
    if client is not None:
        client.close()
    return facts, profiles


class Capabilities(QObject):
    """The latest facts; ``verdict(profile_id)`` judges one profile on them."""

    changed = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        gather: Callable[[], tuple[Any, Mapping[str, Any]]] = gather_facts,
    ) -> None:
        super().__init__(parent)
        self._gather = gather
        self._facts: Any = None
        self._profiles: Mapping[str, Any] = {}
        self._gpus: list[Any] = []
        self._gpu_seen: tuple[int, ...] | None = None
        self._task: asyncio.Future[None] | None = None

    @property
    def known(self) -> bool:
        return self._facts is not None

    def refresh(self) -> asyncio.Future[None] | None:
        """Ask Docker again (in a worker); ``changed`` fires when the answer is in."""
        if self._task is not None and not self._task.done():
            return self._task
        self._task = asyncio.ensure_future(self._refresh())
        return self._task

    async def _refresh(self) -> None:
        try:
            self._facts, self._profiles = await asyncio.to_thread(self._gather)
        except Exception:  # an unexpected Docker SDK error must not break the window
            logger.warning("checking what can run here failed", exc_info=True)
            return
        self.changed.emit()

    def set_gpus(self, samples: list[Any]) -> None:
        """A GPU reading; ``changed`` fires when a verdict could differ (GiB free moved)."""
        self._gpus = list(samples)
        seen = tuple(int(s.free_bytes // (256 * 1024**2)) for s in samples)
        if seen != self._gpu_seen:
            self._gpu_seen = seen
            if self.known:
                self.changed.emit()

    def verdict(self, profile_id: str, profile: Any = None) -> Any:
        """The Capability of ``profile_id`` (or of ``profile`` as given), None while unknown."""
        from desktop.runtime.capability import judge

        profile = profile or self._profiles.get(profile_id)
        if self._facts is None or profile is None:
            return None
        return judge(profile, self._gpus, self._facts)

    def blocked(self) -> dict[str, Any]:
        """The profiles that cannot run here, by id, with their verdicts."""
        out = {}
        for pid in self._profiles:
            verdict = self.verdict(pid)
            if verdict is not None and not verdict.runnable:
                out[pid] = verdict
        return out

    async def aclose(self) -> None:
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task], timeout=15)
