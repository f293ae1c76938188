"""Can a managed model run here? Decided before any pull or start, as data.

The verdict comes from what is measured, never from Docker's list of runtimes (Docker
Desktop on WSL 2 runs ``--gpus all`` containers without listing an ``nvidia`` runtime in
some versions and lists one on machines with no NVIDIA hardware in others):

- Docker on this computer: the GPU is what NVML sees here.
- Docker elsewhere (``DOCKER_HOST`` or a context pointing to another host): NVML here says
  nothing about that host, so a tiny probe container is started there with the GPU request.

``judge`` is pure (numbers in, a verdict out); ``assess`` gathers the numbers and blocks
(NVML, the Docker socket): call it in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlparse

import docker.errors

from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg
from desktop.runtime.docker_engine import connect, engine_base_url
from desktop.runtime.gpu import GpuSample, read_gpus
from desktop.runtime.planner import MemoryPlan, plan_memory
from desktop.runtime.profiles import ModelProfile

logger = logging.getLogger(__name__)

_NO_DEVICE = (
    "could not select device driver",
    "nvidia-container-cli",
    "unknown or invalid runtime",
)


class Blocker(StrEnum):
    """Why a managed model cannot run here, most fundamental first."""

    NO_GPU = "no_gpu"
    NO_DOCKER = "no_docker"
    NO_GPU_FOR_CONTAINERS = "no_gpu_for_containers"
    DOES_NOT_FIT = "does_not_fit"


@dataclass(frozen=True, slots=True)
class DockerFacts:
    """What the Docker engine answered: its version, or why it did not answer."""

    version: str = ""
    unavailable: Msg | None = None
    unavailable_fix: Msg | None = None
    host: str | None = None  # None: this computer
    #: The probe container's verdict: True got the GPU, False refused it, None not probed.
    gpu_for_containers: bool | None = None
    probe_detail: str = ""

    @property
    def reachable(self) -> bool:
        return self.unavailable is None


@dataclass(frozen=True, slots=True)
class Capability:
    """The verdict for one profile: ``blocker`` is None when it can run."""

    profile_id: str
    blocker: Blocker | None
    problem: Msg | None = None
    fix: Msg | None = None
    gpus: tuple[GpuSample, ...] = ()
    docker: DockerFacts | None = None
    plan: MemoryPlan | None = None

    @property
    def runnable(self) -> bool:
        return self.blocker is None


def docker_host(base_url: str | None) -> str | None:
    """The host Docker runs on, or None for this computer (a local socket or pipe)."""
    if not base_url:
        return None
    parsed = urlparse(base_url)
    if parsed.scheme in ("unix", "npipe", ""):
        return None
    if parsed.scheme == "ssh" or parsed.hostname not in ("localhost", "127.0.0.1", "::1"):
        return parsed.hostname or base_url
    return None


def judge(profile: ModelProfile, gpus: Sequence[GpuSample], docker: DockerFacts) -> Capability:
    """The verdict from the facts (pure)."""
    name = profile.display_name
    if not profile.gpu:
        if not docker.reachable:
            return _no_docker(profile, docker, gpus)
        return Capability(profile.id, None, gpus=tuple(gpus), docker=docker)
    local = docker.host is None
    if local and not gpus:
        return Capability(
            profile.id,
            Blocker.NO_GPU,
            Msg.of(Code.CAP_NO_GPU, profile=name),
            Msg(Code.FIX_CAP_NO_GPU),
            docker=docker,
        )
    if not docker.reachable:
        return _no_docker(profile, docker, gpus)
    if docker.gpu_for_containers is False:
        return Capability(
            profile.id,
            Blocker.NO_GPU_FOR_CONTAINERS,
            Msg.of(
                Code.CAP_GPU_NOT_IN_CONTAINERS,
                host=docker.host or "localhost",
                detail=docker.probe_detail,
            ),
            Msg(Code.FIX_NO_NVIDIA_RUNTIME),
            tuple(gpus),
            docker,
        )
    plan = None
    if local:
        plan = plan_memory(profile, gpus[0].free_bytes, gpus[0].total_bytes)
        if not plan.fits:
            shortfall = plan.shortfall or Msg(Code.NO_GPU)
            return Capability(
                profile.id,
                Blocker.DOES_NOT_FIT,
                Msg.of(Code.CAP_NO_FIT, profile=name, shortfall=shortfall),
                Msg(Code.FIX_NO_FIT),
                tuple(gpus),
                docker,
                plan,
            )
    return Capability(profile.id, None, gpus=tuple(gpus), docker=docker, plan=plan)


def _no_docker(profile: ModelProfile, docker: DockerFacts, gpus: Sequence[GpuSample]) -> Capability:
    reason = docker.unavailable or Msg(Code.DOCKER_LOST)
    return Capability(
        profile.id,
        Blocker.NO_DOCKER,
        Msg.of(Code.CAP_NO_DOCKER, profile=profile.display_name, reason=reason),
        docker.unavailable_fix,
        tuple(gpus),
        docker,
    )


def probe_gpu(client: Any, images: Sequence[str]) -> tuple[bool | None, str]:
    """Start a container with the GPU request on the engine; (got it?, Docker's words).

    Uses an image the engine already has (never pulls): the first of ``images`` present,
    else any local image. The GPU is granted or refused before the command runs, so a
    command the image lacks still proves the GPU was given. None: nothing to probe with.
    """
    image = _local_image(client, images)
    if image is None:
        return None, ""
    request = docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])
    container = client.containers.create(
        image,
        entrypoint=["true"],
        command=[],
        device_requests=[request],
        labels={"dots-desktop.probe": "1"},
        network_disabled=True,
    )
    try:
        container.start()
        return True, ""
    except docker.errors.APIError as exc:
        text = str(exc)
        if any(marker in text for marker in _NO_DEVICE):
            return False, text[:200]
        return True, ""  # the GPU was granted; the command itself failed
    finally:
        try:
            container.remove(force=True)
        except docker.errors.APIError as exc:
            logger.info("probe container not removed: %s", exc)


def _local_image(client: Any, images: Sequence[str]) -> str | None:
    for image in images:
        try:
            client.images.get(image)
            return image
        except docker.errors.ImageNotFound:
            continue
    present = client.images.list()
    tags = [t for img in present for t in (img.tags or [])]
    return tags[0] if tags else None


def docker_facts(
    *, probe_images: Sequence[str] = (), force_probe: bool = False
) -> tuple[DockerFacts, Any]:
    """Ask the engine (blocking); probe its GPU where it is remote or ``force_probe``.

    Returns the facts and the open client (None when unreachable); the caller closes it.
    """
    host = docker_host(engine_base_url())
    try:
        client = connect(timeout=10)
    except DotsError as exc:
        return DockerFacts(unavailable=exc.msg, unavailable_fix=exc.fix_msg, host=host), None
    version = str(client.version().get("Version", "?"))
    gpu: bool | None = None
    detail = ""
    if host is not None or force_probe:
        try:
            gpu, detail = probe_gpu(client, probe_images)
        except docker.errors.APIError as exc:
            logger.info("GPU probe failed: %s", exc)
    return DockerFacts(version, host=host, gpu_for_containers=gpu, probe_detail=detail), client


def assess(
    profile: ModelProfile,
    *,
    gpu_reader: Callable[[], list[GpuSample]] | None = read_gpus,
    facts: Callable[..., tuple[DockerFacts, Any]] = docker_facts,
) -> Capability:
    """Gather the facts and judge ``profile`` (blocking: NVML and Docker)."""
    gpus = gpu_reader() if gpu_reader is not None else []
    host = docker_host(engine_base_url())
    if profile.gpu and host is None and not gpus:
        # No GPU here and Docker is here: nothing else can change the verdict.
        return judge(profile, gpus, DockerFacts(host=None))
    found, client = facts(probe_images=(profile.image,))
    if client is not None:
        client.close()
    return judge(profile, gpus, found)
