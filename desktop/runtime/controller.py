"""The single-model container controller: start, watch, switch and stop one vLLM container.

asyncio API, no Qt. Every Docker call runs in a dedicated thread pool (never on the loop);
log lines and Docker events come from ContainerWatch threads and are handed to the loop.
Switches are serialized under a lock; a newer request supersedes an older one at the next
safe point (last wins).

Typical use (the GUI through qasync, the CLI through asyncio.run)::

    controller = ContainerController(profiles=load_profiles(), gpu_reader=monitor.latest)
    controller.subscribe(on_status)   # called on the loop at every change
    await controller.adopt()          # use a server that already runs, if any
    await controller.start(profile)   # READY: status.endpoint + status.api_key
    await controller.aclose()         # on quit; honours keep_running_after_quit
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

import httpx

from desktop.runtime import containers as ct
from desktop.runtime.diagnosis import Diagnosis, FailureCause, stage_of_line
from desktop.runtime.docker_engine import (
    DockerUnavailable,
    connect,
    is_connection_error,
)
from desktop.runtime.gpu import GpuSample, read_gpus
from desktop.runtime.lifecycle import LifecycleMixin
from desktop.runtime.profiles import ModelProfile
from desktop.runtime.status import (
    ContainerState,
    ControllerStatus,
    StartFailed,
    Superseded,
    engine_lost,
    new_api_key,
    stage_from_label,
)
from desktop.runtime.watch import STREAM_LOST, ContainerWatch

logger = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["ContainerController", "ContainerState", "ControllerStatus", "new_api_key"]


class ContainerController(LifecycleMixin):
    """Manages one vLLM container at a time (see the module docstring)."""

    def __init__(
        self,
        *,
        port: int = 8000,
        profiles: Mapping[str, ModelProfile] | None = None,
        labels: Mapping[str, str] | None = None,
        name_prefix: str = "dots-desktop-",
        hf_cache: str = "",
        gpu_reader: Callable[[], list[GpuSample]] | None = read_gpus,
        client_factory: Callable[[], Any] = connect,
        keep_running_after_quit: bool = False,
        stop_timeout: int = 30,
        ready_timeout: float = 1800.0,
        release_timeout: float = 120.0,
        poll_interval: float = 0.1,
        token_getter: Callable[[], str | None] = ct.hf_token,
        restart_policy: str | None = None,
        weights_here: bool = True,
    ) -> None:
        self.port = port
        self.profiles = dict(profiles or {})
        self.labels = dict(labels or {})
        self.name_prefix = name_prefix
        # "": this computer's weights folder (docs/adr/009), or the Docker volume when Docker
        # runs elsewhere; a folder path; or the name of a Docker volume.
        self.hf_cache = hf_cache
        # Download the weights on this computer before the container starts (with progress).
        self.weights_here = weights_here
        self.gpu_reader = gpu_reader
        self.keep_running_after_quit = keep_running_after_quit
        self.stop_timeout = stop_timeout
        self.ready_timeout = ready_timeout
        self.release_timeout = release_timeout
        self.poll_interval = poll_interval
        self.restart_policy = restart_policy
        self._client_factory = client_factory
        self._token_getter = token_getter
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dots-docker")
        self._client: Any = None
        self._status = ControllerStatus()
        self._subscribers: list[Callable[[ControllerStatus], None]] = []
        self._log: deque[str] = deque(maxlen=2000)
        self._watch: ContainerWatch | None = None
        self._lock = asyncio.Lock()
        self._generation = 0
        self._died = asyncio.Event()
        self._baseline: dict[int, int] | None = None
        # trust_env=False: a desktop HTTP proxy must not see requests to 127.0.0.1.
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(3.0, connect=1.0), trust_env=False)
        self._adopt_checked = False
        self._closed = False
        self._crash_task: asyncio.Task[None] | None = None

    # ---- public API -------------------------------------------------------------------

    @property
    def status(self) -> ControllerStatus:
        return self._status

    def subscribe(self, callback: Callable[[ControllerStatus], None]) -> Callable[[], None]:
        """``callback(status)`` runs on the event loop at every change; returns an unsubscribe."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def logs(self) -> list[str]:
        """The live log tail (ring buffer) of the current container."""
        return list(self._log)

    async def start(self, profile: ModelProfile) -> ControllerStatus:
        """Run ``profile`` (adopting a running server first; stops another model of ours)."""
        return await self.switch(profile)

    async def switch(
        self, profile: ModelProfile, *, stop_foreign: bool = False
    ) -> ControllerStatus:
        """Stop what runs, wait for the GPU memory to come back, start ``profile``.

        Concurrent calls are serialized and the last one wins: earlier ones return the
        status at the moment they were superseded.
        """
        self._generation += 1
        gen = self._generation
        async with self._lock:
            if gen != self._generation:
                return self._status
            try:
                await self._switch_locked(profile, gen, stop_foreign)
            except Superseded:
                logger.info("start of %s superseded by a newer request", profile.id)
            except StartFailed as exc:
                await self._fail(exc.diagnosis)
            except DockerUnavailable as exc:
                self._reset_client()
                await self._fail(Diagnosis(FailureCause.DOCKER_UNAVAILABLE, exc.msg, exc.fix_msg))
            except Exception as exc:
                if not is_connection_error(exc):
                    raise
                self._reset_client()
                await self._fail(engine_lost())
        return self._status

    async def stop(self, *, stop_foreign: bool = False) -> ControllerStatus:
        """Stop the model. A container we did not start is only let go, unless ``stop_foreign``."""
        self._generation += 1
        async with self._lock:
            try:
                await self._stop_locked(stop_foreign=stop_foreign)
            except DockerUnavailable as exc:
                self._reset_client()
                await self._fail(Diagnosis(FailureCause.DOCKER_UNAVAILABLE, exc.msg, exc.fix_msg))
        return self._status

    async def adopt(self, *, wait: bool = True) -> ControllerStatus:
        """Find a running server (ours by label, or a vLLM container on our port) and use it.

        ``wait``: wait until it is ready; otherwise look once (READY, or still STARTING).
        """
        self._generation += 1
        gen = self._generation
        async with self._lock:
            try:
                await self._adopt_locked(gen, wait=wait)
            except Superseded:
                pass
            except StartFailed as exc:
                await self._fail(exc.diagnosis, remove=False)
            except DockerUnavailable as exc:
                self._reset_client()
                await self._fail(Diagnosis(FailureCause.DOCKER_UNAVAILABLE, exc.msg, exc.fix_msg))
        return self._status

    async def fetch_logs(self, tail: int = 200) -> str:
        """The last ``tail`` lines straight from Docker (also for a container we adopted)."""
        cid = self._status.container_id
        if not cid:
            return "\n".join(self.logs()[-tail:])
        client = await self._docker()
        raw = await self._call(client.api.logs, cid, tail=tail)
        return raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)

    async def aclose(self) -> None:
        """Quit: stop our container unless keep-running is set; never hang on Docker."""
        if self._closed:
            return
        self._generation += 1
        try:
            async with asyncio.timeout(self.stop_timeout + 10):
                async with self._lock:
                    if not self.keep_running_after_quit and self._status.managed:
                        await self._stop_locked(stop_foreign=False)
        except (TimeoutError, DockerUnavailable) as exc:
            logger.warning("quit without stopping the model cleanly: %s", exc)
        except Exception as exc:
            if not is_connection_error(exc):
                raise
        self._closed = True
        if self._crash_task is not None:
            self._crash_task.cancel()
        await self._close_watch()
        await self._http.aclose()
        client, self._client = self._client, None
        if client is not None:
            self._pool.submit(client.close)
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ---- plumbing -----------------------------------------------------------------------

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def _docker(self) -> Any:
        if self._client is None:
            self._client = await self._call(self._client_factory)
        return self._client

    def _reset_client(self) -> None:
        client, self._client = self._client, None
        if client is not None and not self._closed:
            self._pool.submit(client.close)

    def _set(self, **changes: Any) -> None:
        self._status = replace(self._status, **changes)
        for callback in list(self._subscribers):
            try:
                callback(self._status)
            except Exception:
                logger.exception("status subscriber failed")

    def _check(self, gen: int) -> None:
        if gen != self._generation or self._closed:
            raise Superseded

    def _on_line(self, line: str) -> None:
        """Loop side of a log line: keep it, advance the start-up stage."""
        self._log.append(line)
        if self._status.state is not ContainerState.STARTING:
            return
        stage = stage_of_line(line)
        current = stage_from_label(self._status.stage)
        if stage is not None and stage > current:
            self._set(stage=stage.label, stages_seen=(*self._status.stages_seen, stage.label))

    def _on_event(self, action: str, event: dict[str, Any]) -> None:
        """Loop side of a Docker event for the watched container."""
        if action in ("die", "oom") or action == STREAM_LOST:
            self._died.set()
            if self._status.state is ContainerState.READY and self._crash_task is None:
                self._crash_task = asyncio.ensure_future(self._handle_crash(action))

    def _watch_container(self, client: Any, container_id: str, *, events: bool = True) -> None:
        loop = asyncio.get_running_loop()

        def line(text: str) -> None:
            loop.call_soon_threadsafe(self._on_line, text)

        def event(action: str, data: dict[str, Any]) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(self._on_event, action, data)

        self._watch = ContainerWatch(client, container_id, line, event)
        if events:
            self._watch.start_events()

    async def _close_watch(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            # Its own short-lived thread: closing must work even while the pool is busy.
            await _in_thread(watch.close)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _in_thread(fn: Callable[[], None]) -> None:
    """Run ``fn`` in a fresh thread that ends with it (no lingering executor threads)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def body() -> None:
        try:
            fn()
        finally:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, done)

    thread = threading.Thread(target=body, name="dots-close", daemon=True)
    thread.start()
    await done
    thread.join(1.0)
