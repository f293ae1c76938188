"""The controller's work under its lock: adopt, launch (pull, create, start, wait), stop.

Kept apart from controller.py (public API and plumbing) so each reads in one sitting.
Every method here runs with the controller's lock held.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping
from typing import Any

import docker.errors

from desktop.core.messages import Code, Msg, render
from desktop.runtime import containers as ct
from desktop.runtime.capability import docker_host
from desktop.runtime.diagnosis import (
    Diagnosis,
    FailureCause,
    Stage,
    StartupStage,
    diagnose_docker_error,
)
from desktop.runtime.docker_engine import PullProgress, engine_base_url
from desktop.runtime.gpu import wait_for_release
from desktop.runtime.planner import plan_memory, retry_flags_for_kv
from desktop.runtime.profiles import GIB, ModelProfile
from desktop.runtime.status import (
    ContainerState,
    ControllerStatus,
    StartFailed,
    new_api_key,
)
from desktop.runtime.weightsfetch import WeightsMixin

logger = logging.getLogger(__name__)


class LifecycleMixin(WeightsMixin):
    """Adopt, switch, launch and stop; mixed into ContainerController."""

    # ---- adopt ------------------------------------------------------------------------

    def _our_filters(self) -> dict[str, Any]:
        return ct.managed_filters(self.labels)

    async def _adopt_locked(self, gen: int, *, wait: bool = True) -> None:
        self._adopt_checked = True
        client = await self._docker()
        found = await self._call(ct.find_server_container, client, self.port, self.labels)
        if found is None:
            logger.info("nothing to adopt")
            return
        container, managed = found
        attrs = container.attrs
        labels = (attrs.get("Config") or {}).get("Labels") or {}
        cmd = ct.command_of(attrs)
        model = ct.arg_value(cmd, "--model") or _positional_model(cmd)
        served = ct.arg_value(cmd, "--served-model-name") or model
        port = ct.published_port(attrs) or self.port
        profile_id = labels.get(ct.PROFILE_LABEL) or self._profile_for(model, served)
        logger.info("adopting %s (%s)", attrs.get("Name"), "ours" if managed else "started by hand")
        await self._close_watch()  # adopting again must not leave the old watch behind
        self._log.clear()
        self._died.clear()
        self._adopted_model = (model, served)
        self._status = ControllerStatus()
        self._set(
            state=ContainerState.STARTING,
            profile_id=profile_id,
            stage=StartupStage.CREATED.label,
            endpoint=f"http://127.0.0.1:{port}/v1",
            api_key=ct.api_key_of(attrs),
            served_name=served,
            container_name=str(attrs.get("Name", "")).lstrip("/"),
            container_id=container.id,
            managed=managed or labels.get(ct.MANAGED_LABEL) == "1",
            adopted=True,
        )
        self._watch_container(client, container.id)
        assert self._watch is not None
        self._watch.start_logs(tail=200)
        await self._wait_ready(gen, container.id, once=not wait)

    def _profile_for(self, model: str | None, served: str | None) -> str | None:
        for profile in self.profiles.values():
            if model in (profile.hf_model_id, profile.served_name) or served == profile.served_name:
                return profile.id
        return None

    def _serves(self, profile: ModelProfile) -> bool:
        st = self._status
        if st.profile_id == profile.id:
            return True
        model, served = getattr(self, "_adopted_model", (None, None))
        return st.adopted and (model == profile.hf_model_id or served == profile.served_name)

    # ---- switch / launch --------------------------------------------------------------

    async def _switch_locked(self, profile: ModelProfile, gen: int, stop_foreign: bool) -> None:
        if not self._adopt_checked:
            await self._adopt_locked(gen, wait=False)
            self._check(gen)
        st = self._status
        if st.container_id and self._serves(profile):
            if st.state is ContainerState.STARTING:
                await self._wait_ready(gen, st.container_id)
            if self._status.state is ContainerState.READY:
                logger.info("%s is already running", profile.id)
                return
        if st.container_id and not st.managed and not stop_foreign:
            raise StartFailed(
                Diagnosis(
                    FailureCause.FOREIGN_CONTAINER,
                    Msg.of(
                        Code.FOREIGN_SERVES,
                        container=st.container_name,
                        served=st.served_name,
                        port=self.port,
                    ),
                    Msg.of(Code.FIX_FOREIGN_SERVES, container=st.container_name),
                )
            )
        await self._require_gpu(profile)
        await self._stop_locked(stop_foreign=stop_foreign)
        self._check(gen)
        await self._wait_release()
        self._check(gen)
        await self._launch(profile, gen, {}, None, retried=False)

    async def _require_gpu(self, profile: ModelProfile) -> None:
        """Docker on this computer and NVML sees no GPU: refuse before stopping or pulling."""
        if self.gpu_reader is None or not profile.gpu:
            return
        if await self._call(self.gpu_reader):
            return
        if docker_host(engine_base_url()) is not None:
            return  # a remote engine's GPU is not visible here (capability.assess probes it)
        raise StartFailed(
            Diagnosis(
                FailureCause.NO_GPU,
                Msg.of(Code.CAP_NO_GPU, profile=profile.display_name),
                Msg(Code.FIX_CAP_NO_GPU),
            )
        )

    async def _wait_release(self) -> None:
        if self._baseline is None or self.gpu_reader is None:
            return
        reader = self.gpu_reader
        released, held = await wait_for_release(
            reader,
            self._baseline,
            timeout=self.release_timeout,
            run=self._call,
        )
        if not released:
            raise StartFailed(
                Diagnosis(
                    FailureCause.GPU_BUSY,
                    Msg.of(
                        Code.GPU_NOT_RELEASED, seconds=self.release_timeout, held_gib=held / GIB
                    ),
                    Msg(Code.FIX_GPU_NOT_RELEASED),
                )
            )

    async def _plan(self, profile: ModelProfile) -> tuple[dict[str, str], Msg | None]:
        """Record the GPU baseline; check the profile fits the memory free now."""
        if self.gpu_reader is None:
            return {}, None
        samples = await self._call(self.gpu_reader)
        if not samples:
            return {}, None
        self._baseline = {s.index: s.used_bytes for s in samples}
        if not profile.gpu:
            return {}, None
        plan = plan_memory(profile, samples[0].free_bytes, samples[0].total_bytes)
        if not plan.fits:
            raise StartFailed(
                Diagnosis(
                    FailureCause.NOT_ENOUGH_VRAM,
                    plan.shortfall or Msg(Code.NO_GPU),
                    Msg(Code.FIX_NO_FIT),
                )
            )
        return plan.flags, plan.verdict if plan.flags else None

    async def _launch(
        self,
        profile: ModelProfile,
        gen: int,
        overrides: Mapping[str, str],
        note: Msg | None,
        *,
        retried: bool,
    ) -> None:
        client = await self._docker()
        flags, advice = await self._plan(profile)
        flags.update(overrides)
        note = note or advice
        self._status = ControllerStatus(profile_id=profile.id, served_name=profile.served_name)
        await self._ensure_image(client, profile, gen)
        self._check(gen)
        weights_root = await self._ensure_weights(profile, gen)
        self._check(gen)
        name = ct.container_name(profile.id, self.name_prefix)
        await self._remove_stale(client, name)
        token = await self._call(self._token_getter)
        port = ct.choose_port(self.port)
        for attempt in range(2):
            key = new_api_key()
            kwargs = ct.create_kwargs(
                profile, name=name, port=port, api_key=key, labels=self.labels,
                hf_cache=str(weights_root) if weights_root else self._volume(),
                token=token, overrides=flags, restart_policy=self.restart_policy,
                offline=weights_root is not None,
            )  # fmt: skip
            container = await self._create(client, kwargs)
            self._log.clear()
            self._died.clear()
            self._set(
                state=ContainerState.STARTING,
                stage=StartupStage.CREATED.label,
                stages_seen=(),
                progress=None,
                endpoint=f"http://127.0.0.1:{port}/v1",
                api_key=key,
                container_name=name,
                container_id=container.id,
                managed=True,
                adopted=False,
                note=render(note) if note else "",
                notice=note,
            )
            self._watch_container(client, container.id)
            try:
                await self._call(container.start)
                break
            except docker.errors.APIError as exc:
                await self._close_watch()
                await self._remove(container.id)
                diag = diagnose_docker_error(str(exc)) or Diagnosis(
                    FailureCause.CRASHED, Msg.of(Code.DOCKER_START_FAILED, detail=str(exc))
                )
                if diag.cause is FailureCause.PORT_IN_USE and attempt == 0:
                    port = ct.choose_port(0)  # taken between our check and Docker's bind
                    continue
                raise StartFailed(diag) from exc
        assert self._watch is not None
        self._watch.start_logs()
        try:
            await self._wait_ready(gen, container.id)
        except StartFailed as exc:
            n = exc.diagnosis.estimated_max_len
            if exc.diagnosis.cause is not FailureCause.KV_TOO_SMALL or not n or retried:
                raise
            await self._close_watch()
            await self._remove(container.id)
            await self._wait_release()
            note = Msg.of(Code.NOTE_KV_RESTARTED, tokens=n)
            logger.info("%s", note)
            await self._launch(
                profile, gen, {**overrides, **retry_flags_for_kv(n)}, note, retried=True
            )

    async def _create(self, client: Any, kwargs: dict[str, Any]) -> Any:
        try:
            return await self._call(client.containers.create, **kwargs)
        except docker.errors.ImageNotFound as exc:
            raise StartFailed(diagnose_docker_error("no such host") or _generic(exc)) from exc
        except docker.errors.APIError as exc:
            raise StartFailed(diagnose_docker_error(str(exc)) or _generic(exc)) from exc

    async def _ensure_image(self, client: Any, profile: ModelProfile, gen: int) -> None:
        try:
            await self._call(client.images.get, profile.image)
            return
        except docker.errors.ImageNotFound:
            logger.info("pulling %s", profile.image)
        self._set(state=ContainerState.PULLING, progress=0.0, stage=Stage.PULLING)
        repo, _, tag = profile.image.rpartition(":")
        if not repo or "/" in tag:
            repo, tag = profile.image, "latest"
        loop = asyncio.get_running_loop()
        progress = PullProgress()

        def pull() -> None:
            last = 0.0
            for event in client.api.pull(repo, tag=tag, stream=True, decode=True):
                progress.feed(event)
                if progress.error or gen != self._generation:
                    return
                now = loop.time()
                if now - last > 0.2:  # at most 5 UI updates a second
                    last = now
                    loop.call_soon_threadsafe(
                        functools.partial(
                            self._set,
                            progress=progress.fraction,
                            pulled_bytes=progress.bytes_done,
                            total_bytes=progress.bytes_total,
                        )
                    )

        try:
            await self._call(pull)
        except docker.errors.APIError as exc:
            progress.error = str(exc)
        if progress.error:
            raise StartFailed(
                diagnose_docker_error(progress.error)
                or Diagnosis(
                    FailureCause.IMAGE_MISSING_OFFLINE,
                    Msg.of(Code.PULL_FAILED, image=profile.image, detail=progress.error[:200]),
                    Msg(Code.FIX_PULL_FAILED),
                )
            )
        self._set(progress=1.0)

    async def _remove_stale(self, client: Any, name: str) -> None:
        try:
            old = await self._call(client.containers.get, name)
        except docker.errors.NotFound:
            return
        labels = (old.attrs.get("Config") or {}).get("Labels") or {}
        if labels.get(ct.MANAGED_LABEL) != "1":
            raise StartFailed(
                Diagnosis(
                    FailureCause.FOREIGN_CONTAINER,
                    Msg.of(Code.FOREIGN_NAME, container=name),
                    Msg.of(Code.FIX_FOREIGN_NAME, container=name),
                )
            )
        await self._remove(old.id)

    # ---- stop ---------------------------------------------------------------------------

    async def _stop_locked(self, *, stop_foreign: bool) -> None:
        st = self._status
        client = await self._docker()
        ours = await self._call(client.containers.list, all=True, filters=self._our_filters())
        foreign = st.container_id if (st.container_id and not st.managed) else None
        if not ours and not foreign:
            await self._close_watch()
            if st.state is not ContainerState.FAILED:
                self._set(state=ContainerState.ABSENT, endpoint=None, container_id=None)
            return
        self._set(state=ContainerState.STOPPING, stage=Stage.STOPPING)
        for container in ours:
            try:
                await self._call(container.stop, timeout=self.stop_timeout)
            except docker.errors.NotFound:
                continue
            except docker.errors.APIError as exc:
                logger.info("stop %s: %s", container.name, exc)
            await self._remove(container.id)
        note: Msg | None = None
        if foreign and stop_foreign:
            await self._call(client.api.stop, foreign, timeout=self.stop_timeout)
        elif foreign:
            note = Msg.of(Code.NOTE_LEFT_RUNNING, container=st.container_name)
        await self._close_watch()
        self._adopted_model = (None, None)
        self._set(
            state=ContainerState.STOPPED,
            stage=None,
            endpoint=None,
            api_key=None,
            container_id=None,
            adopted=False,
            managed=True,
            note=render(note) if note else "",
            notice=note,
        )

    _adopted_model: tuple[str | None, str | None] = (None, None)


def _positional_model(cmd: list[str]) -> str | None:
    """``vllm serve MODEL`` / ``python -m ... MODEL``: the first argument that is not a flag."""
    if "serve" in cmd:
        after = cmd[cmd.index("serve") + 1 :]
        if after and not after[0].startswith("-"):
            return after[0]
    return None


def _generic(exc: Exception) -> Diagnosis:
    return Diagnosis(
        FailureCause.CRASHED,
        Msg.of(Code.DOCKER_REFUSED, detail=str(exc)),
        Msg(Code.FIX_SEE_DOCKER_ERROR),
    )
