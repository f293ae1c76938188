"""Readiness and failure handling for the controller: wait for /health and /v1/models,
diagnose an exit, remove what we created, report a crash noticed from Docker events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import docker.errors
import httpx

from desktop.core.messages import Code, Msg, render
from desktop.runtime.diagnosis import Diagnosis, FailureCause, Stage, diagnose
from desktop.runtime.gpu import GpuSample
from desktop.runtime.profiles import ModelProfile
from desktop.runtime.status import ContainerState, ControllerStatus, StartFailed, engine_lost
from desktop.runtime.watch import ContainerWatch

logger = logging.getLogger(__name__)
T = TypeVar("T")
DONE_STATES = ("exited", "dead")


class ReadinessMixin:
    """Waiting for readiness and handling failure; mixed into ContainerController."""

    # Provided by ContainerController.
    port: int
    profiles: dict[str, ModelProfile]
    labels: dict[str, str]
    name_prefix: str
    hf_cache: str
    gpu_reader: Callable[[], list[GpuSample]] | None
    restart_policy: str | None
    stop_timeout: int
    ready_timeout: float
    release_timeout: float
    poll_interval: float
    _token_getter: Callable[[], str | None]
    _status: ControllerStatus
    _log: deque[str]
    _watch: ContainerWatch | None
    _generation: int
    _died: asyncio.Event
    _baseline: dict[int, int] | None
    _http: httpx.AsyncClient
    _adopt_checked: bool
    _crash_task: asyncio.Task[None] | None

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        raise NotImplementedError

    async def _docker(self) -> Any:
        raise NotImplementedError

    def _set(self, **changes: Any) -> None:
        raise NotImplementedError

    def _check(self, gen: int) -> None:
        raise NotImplementedError

    def _watch_container(self, client: Any, container_id: str, *, events: bool = True) -> None:
        raise NotImplementedError

    async def _close_watch(self) -> None:
        raise NotImplementedError

    # ---- readiness and failure ----------------------------------------------------------

    async def _wait_ready(self, gen: int, container_id: str, *, once: bool = False) -> None:
        """Poll /health then /v1/models (with the key) until both answer, or diagnose the exit.

        ``once``: look a single time and leave the state STARTING if it is not ready yet.
        """
        base = self._status.server_url
        key = self._status.api_key
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ready_timeout
        next_inspect = loop.time() + 2.0
        while True:
            self._check(gen)
            if self._died.is_set() or loop.time() >= next_inspect:
                next_inspect = loop.time() + 2.0
                attrs = await self._inspect(container_id)
                state = (attrs or {}).get("State") or {}
                if attrs is None or state.get("Status") in DONE_STATES:
                    raise StartFailed(await self._diagnose_exit(container_id, state))
                self._died.clear()
            try:
                health = await self._http.get(f"{base}/health")
                # 404: a gateway that hides /health; /v1/models alone decides then.
                if health.status_code in (200, 404):
                    models = await self._http.get(f"{base}/v1/models", headers=headers)
                    if models.status_code == 200 or (models.status_code == 401 and not key):
                        self._ready(models)
                        return
            except httpx.HTTPError:
                pass  # the port refuses or resets while the engine starts: still starting
            if once:
                return
            if loop.time() >= deadline:
                raise StartFailed(
                    Diagnosis(
                        FailureCause.TIMEOUT,
                        Msg.of(Code.READY_TIMEOUT, seconds=self.ready_timeout),
                        Msg(Code.FIX_SEE_MODEL_LOG_SHORT),
                    )
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._died.wait(), self.poll_interval)

    def _ready(self, models: httpx.Response) -> None:
        served, max_len = self._status.served_name, None
        note, notice = self._status.note, self._status.notice
        if models.status_code == 401:
            notice = Msg(Code.NOTE_UNKNOWN_API_KEY)
            note = render(notice)
        else:
            try:
                first = (models.json().get("data") or [{}])[0]
                served = first.get("id") or served
                max_len = first.get("max_model_len")
            except (ValueError, AttributeError, IndexError):
                logger.debug("unexpected /v1/models body: %s", models.text[:200])
        stages = self._status.stages_seen
        self._set(
            state=ContainerState.READY,
            stage=Stage.READY,
            stages_seen=stages,
            served_name=served,
            max_model_len=max_len,
            note=note,
            notice=notice,
        )

    async def _inspect(self, container_id: str) -> dict[str, Any] | None:
        client = await self._docker()
        try:
            result: dict[str, Any] = await self._call(client.api.inspect_container, container_id)
            return result
        except docker.errors.NotFound:
            return None

    async def _diagnose_exit(self, container_id: str, state: Mapping[str, Any]) -> Diagnosis:
        client = await self._docker()
        try:
            raw = await self._call(client.api.logs, container_id, tail=400)
            text = raw.decode("utf-8", errors="replace")
        except docker.errors.NotFound:
            text = "\n".join(self._log)
        exit_code = state.get("ExitCode")
        return diagnose(exit_code, text, oom_killed=bool(state.get("OOMKilled")))

    async def _remove(self, container_id: str) -> None:
        client = await self._docker()
        try:
            await self._call(client.api.remove_container, container_id, force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:  # "removal already in progress"
            logger.debug("remove %s: %s", container_id[:12], exc)

    async def _fail(self, diag: Diagnosis, *, remove: bool = True) -> None:
        st = self._status
        if diag.cause is FailureCause.FOREIGN_CONTAINER and st.state is ContainerState.READY:
            self._set(cause=diag.cause, **_failure_fields(diag))
            return
        await self._close_watch()
        if remove and st.managed and st.container_id and diag.cause != "docker_unavailable":
            await self._remove(st.container_id)
        # INFO: the failure is the caller's to tell (status.problem, in the user's language).
        logger.info("model failed: %s %s", diag.message, diag.fix)
        self._set(
            state=ContainerState.FAILED,
            cause=diag.cause,
            **_failure_fields(diag),
            endpoint=None,
            container_id=None,
        )

    async def _handle_crash(self, action: str) -> None:
        """The READY container died (or the engine went away): say why at once."""
        gen = self._generation
        cid = self._status.container_id
        try:
            attrs = await self._inspect(cid) if cid else None
            state = (attrs or {}).get("State") or {}
            if attrs is not None and state.get("Status") not in DONE_STATES:
                return
            diag = await self._diagnose_exit(cid, state) if cid else None
        except Exception as exc:
            logger.info("engine lost while watching the model: %s", exc)
            diag = engine_lost()
        finally:
            self._crash_task = None
        if diag is not None and gen == self._generation:
            await self._fail(diag, remove=False)


def _failure_fields(diag: Diagnosis) -> dict[str, Any]:
    """The status fields a failure sets: its facts, their English, and vLLM's numbers."""
    return {
        "message": diag.message,
        "fix": diag.fix,
        "problem": diag.problem,
        "remedy": diag.remedy,
        "estimated_max_len": diag.estimated_max_len,
        "free_gib": diag.free_gib,
        "total_gib": diag.total_gib,
    }
