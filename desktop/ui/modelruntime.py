"""The local model container as Qt signals: start/stop/switch through the runtime controller."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import DotsError

logger = logging.getLogger(__name__)


class ModelRuntime(QObject):
    """Wraps ``ContainerController``; every call is a task on the qasync loop."""

    status_changed = Signal(object)  # ControllerStatus
    failed = Signal(str)  # a sentence when the runtime itself cannot be used

    def __init__(self, parent: QObject | None = None, controller: Any = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._tasks: set[asyncio.Future[Any]] = set()
        self.error = ""
        if self._controller is None:
            try:
                from desktop.runtime.controller import ContainerController
                from desktop.runtime.profiles import load_profiles

                self._controller = ContainerController(profiles=load_profiles())
            except (ImportError, DotsError) as exc:
                self.error = str(exc)
                logger.warning("model runtime unavailable: %s", exc)
        if self._controller is not None:
            self._controller.subscribe(self.status_changed.emit)
            self._spawn(self._controller.adopt())

    @property
    def available(self) -> bool:
        return self._controller is not None

    def status(self) -> Any:
        return self._controller.status if self._controller is not None else None

    def logs(self) -> list[str]:
        return list(self._controller.logs()) if self._controller is not None else []

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(self._guard(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, coro: Any) -> None:
        try:
            await coro
        except DotsError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # the panel shows it; the app keeps running
            logger.exception("model runtime call failed")
            self.failed.emit(f"{type(exc).__name__}: {exc}")

    def _profile(self, profile_id: str) -> Any:
        from desktop.runtime.profiles import find_profile, load_profiles

        return find_profile(load_profiles(), profile_id)

    def start(self, profile_id: str) -> None:
        if self._controller is None:
            self.failed.emit(self.error)
            return
        try:
            profile = self._profile(profile_id)
        except DotsError as exc:
            self.failed.emit(str(exc))
            return
        running = self.status()
        if running is not None and str(running.state) in ("ready", "starting", "pulling"):
            self._spawn(self._controller.switch(profile))
        else:
            self._spawn(self._controller.start(profile))

    def stop(self) -> None:
        if self._controller is not None:
            self._spawn(self._controller.stop())

    async def aclose(self, keep_running: bool = True) -> None:
        if self._controller is None:
            return
        self._controller.keep_running_after_quit = keep_running
        for task in list(self._tasks):
            task.cancel()
        await self._controller.aclose()


def memory_sentence(profile_id: str, free_bytes: int, total_bytes: int) -> str:
    """The planner's verdict for ``profile_id`` on the GPU as it is now."""
    try:
        from desktop.runtime.planner import plan_memory
        from desktop.runtime.profiles import find_profile, load_profiles

        profile = find_profile(load_profiles(), profile_id)
    except (ImportError, DotsError) as exc:
        return str(exc)
    return str(plan_memory(profile, free_bytes, total_bytes).advice)
