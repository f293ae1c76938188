"""The local model container as Qt signals: start/stop/switch through the runtime controller."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from desktop.core.errors import DotsError, facts_of
from desktop.ui.words.facts import facts_words

logger = logging.getLogger(__name__)
GIB = 1024**3


def t(text: str) -> str:
    return QCoreApplication.translate("ModelRuntime", text)


class ModelRuntime(QObject):
    """Wraps ``ContainerController``; every call is a task on the qasync loop."""

    status_changed = Signal(object)  # ControllerStatus
    failed = Signal(str)  # a sentence when the runtime itself cannot be used

    def __init__(
        self, parent: QObject | None = None, controller: Any = None, hf_cache: str = ""
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._hf_cache = hf_cache  # Settings' model cache folder ("" = the default)
        self._tasks: set[asyncio.Future[Any]] = set()
        self._deferred: list[Callable[[], None]] = []  # calls made while it is being built
        self._building: asyncio.Future[Any] | None = None
        self.error = ""
        self.last_profile: Any = None  # the profile (with overrides) last started
        if self._controller is not None:
            self._attach(self._controller)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script): build it here
            self._attach(self._build_or_none())
            return
        # Building it reads the profiles and loads the TLS certificates (tens of ms):
        # a worker does it, so opening the model panel does not freeze the window.
        self._building = loop.run_in_executor(None, _build_controller, hf_cache)
        self._building.add_done_callback(self._on_built)

    def set_hf_cache(self, hf_cache: str) -> None:
        """Settings changed the model cache folder: the next start uses it."""
        self._hf_cache = hf_cache
        if self._controller is not None:
            self._controller.hf_cache = hf_cache

    def _build_or_none(self) -> Any:
        try:
            return _build_controller(self._hf_cache)
        except (ImportError, DotsError) as exc:
            self._unavailable(exc)
            return None

    def _unavailable(self, exc: BaseException) -> None:
        self.error = facts_words(facts_of(exc))
        logger.warning("model runtime unavailable: %s", exc)

    def _on_built(self, future: asyncio.Future[Any]) -> None:
        self._building = None
        controller = None
        if future.cancelled():
            self.error = t("The model runtime was not started.")
        elif isinstance(future.exception(), (ImportError, DotsError)):
            self._unavailable(future.exception())  # type: ignore[arg-type]
        elif future.exception() is not None:
            logger.error("model runtime failed", exc_info=future.exception())
            self.error = facts_words(facts_of(future.exception()))  # type: ignore[arg-type]
        else:
            controller = future.result()
            controller.hf_cache = self._hf_cache  # Settings may have changed it meanwhile
        self._attach(controller)
        deferred, self._deferred = self._deferred, []
        for call in deferred:
            call()
        if controller is None and self.error:
            self.failed.emit(self.error)

    def _attach(self, controller: Any) -> None:
        self._controller = controller
        if controller is not None:
            controller.subscribe(self.status_changed.emit)
            self._spawn(controller.adopt())
            self.status_changed.emit(controller.status)

    def _later(self, call: Callable[[], None]) -> bool:
        """While the controller is being built, keep ``call`` for when it is (True)."""
        if self._building is None:
            return False
        self._deferred.append(call)
        return True

    @property
    def available(self) -> bool:
        return self._controller is not None or self._building is not None

    def status(self) -> Any:
        return self._controller.status if self._controller is not None else None

    def weights_root(self) -> Any:
        """The folder the model weights are downloaded to (a Path, None: inside Docker).
        Blocking (it asks which Docker engine is used): call it from a worker thread."""
        root = getattr(self._controller, "weights_root", None)
        if root is not None:
            return root()
        from desktop.runtime.weightsfetch import weights_root

        return weights_root(self._hf_cache)

    def logs(self) -> list[str]:
        return list(self._controller.logs()) if self._controller is not None else []

    def profiles(self) -> Mapping[str, Any]:
        """The controller's profiles (the shipped and user ones in the app)."""
        known = getattr(self._controller, "profiles", None)
        if known:
            return dict(known)
        try:
            from desktop.runtime.profiles import load_profiles

            return load_profiles()
        except (ImportError, DotsError) as exc:
            logger.warning("profiles unavailable: %s", exc)
            return {}

    def profile(self, profile_id: str) -> Any:
        """The profile by id or served name; raises DotsError when unknown."""
        from desktop.runtime.profiles import find_profile

        return find_profile(self.profiles(), profile_id)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(self._guard(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, coro: Any) -> None:
        try:
            await coro
        except DotsError as exc:
            self.failed.emit(facts_words(exc.facts))
        except Exception as exc:  # the panel shows it; the app keeps running
            logger.exception("model runtime call failed")
            self.failed.emit(facts_words(facts_of(exc)))

    def start(self, profile_id: str) -> None:
        if self._later(lambda: self.start(profile_id)):
            return
        if self._controller is None:
            self.failed.emit(self.error)
            return
        try:
            profile = self.profile(profile_id)
        except DotsError as exc:
            self.failed.emit(facts_words(exc.facts))
            return
        self.start_profile(profile)

    def start_profile(self, profile: Any) -> None:
        """Start (or switch to) ``profile`` as given, overrides included."""
        if self._later(lambda: self.start_profile(profile)):
            return
        if self._controller is None:
            self.failed.emit(self.error)
            return
        self.last_profile = profile
        running = self.status()
        if running is not None and str(running.state) in ("ready", "starting", "pulling"):
            self._spawn(self._controller.switch(profile))
        else:
            self._spawn(self._controller.start(profile))

    def stop(self) -> None:
        if self._later(self.stop):
            return
        if self._controller is not None:
            self._spawn(self._controller.stop())

    async def aclose(self, keep_running: bool = True) -> None:
        if self._building is not None:
            self._deferred.clear()
            await asyncio.wait([self._building], timeout=10)
        if self._controller is None:
            return
        self._controller.keep_running_after_quit = keep_running
        for task in list(self._tasks):
            task.cancel()
        await self._controller.aclose()


def _build_controller(hf_cache: str = "") -> Any:
    from desktop.runtime.controller import ContainerController
    from desktop.runtime.profiles import load_profiles

    return ContainerController(profiles=load_profiles(), hf_cache=hf_cache)
