"""Read vLLM's start-up log: which stage it is in, and why it died (cause + the fix).

vLLM's wording changes between releases, so patterns are loose (VLLM.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from desktop.core.messages import Code, Msg, render


class Stage(StrEnum):
    """Where the model's container is (``ControllerStatus.stage``); the values are English
    labels for logs, the CLI and the UI word them through the catalogue (``stage_fact``)."""

    PULLING = "downloading the image"
    WEIGHTS = "downloading the weights"
    CREATED = "starting container"
    LOADING_WEIGHTS = "loading weights"
    PROFILING = "profiling memory"
    KV_CACHE = "allocating KV cache"
    CUDA_GRAPHS = "capturing CUDA graphs"
    API_SERVER = "starting API server"
    READY = "ready"
    STOPPING = "stopping"


class StartupStage(IntEnum):
    """Start-up stages in the order vLLM goes through them."""

    CREATED = 0
    LOADING_WEIGHTS = 1
    PROFILING = 2
    KV_CACHE = 3
    CUDA_GRAPHS = 4
    API_SERVER = 5

    @property
    def label(self) -> Stage:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    StartupStage.CREATED: Stage.CREATED,
    StartupStage.LOADING_WEIGHTS: Stage.LOADING_WEIGHTS,
    StartupStage.PROFILING: Stage.PROFILING,
    StartupStage.KV_CACHE: Stage.KV_CACHE,
    StartupStage.CUDA_GRAPHS: Stage.CUDA_GRAPHS,
    StartupStage.API_SERVER: Stage.API_SERVER,
}

_STAGE_CODES: dict[Stage, Code] = {
    Stage.PULLING: Code.STAGE_PULLING,
    Stage.WEIGHTS: Code.STAGE_WEIGHTS,
    Stage.CREATED: Code.STAGE_CREATED,
    Stage.LOADING_WEIGHTS: Code.STAGE_LOADING_WEIGHTS,
    Stage.PROFILING: Code.STAGE_PROFILING,
    Stage.KV_CACHE: Code.STAGE_KV_CACHE,
    Stage.CUDA_GRAPHS: Code.STAGE_CUDA_GRAPHS,
    Stage.API_SERVER: Code.STAGE_API_SERVER,
    Stage.READY: Code.STAGE_READY,
    Stage.STOPPING: Code.STAGE_STOPPING,
}


def stage_fact(stage: Stage | str | None) -> Msg | None:
    """A stage as the fact the UI words (None for none, or one this version does not know)."""
    try:
        return Msg(_STAGE_CODES[Stage(stage)]) if stage else None
    except ValueError:
        return None


_STAGE_PATTERNS: list[tuple[StartupStage, re.Pattern[str]]] = [
    (
        StartupStage.API_SERVER,
        re.compile(r"Starting vLLM API server|Application startup complete|Uvicorn running", re.I),
    ),
    (StartupStage.CUDA_GRAPHS, re.compile(r"Captur\w* CUDA graph|CUDA graph", re.I)),
    (
        StartupStage.KV_CACHE,
        re.compile(r"KV cache memory|KV cache size|Maximum concurrency|GPU blocks", re.I),
    ),
    (
        StartupStage.PROFILING,
        re.compile(r"Model loading took|torch\.compile|profil|dummy|encoder cache", re.I),
    ),
    (
        StartupStage.LOADING_WEIGHTS,
        re.compile(
            r"Starting to load model|Loading weights|load(ing)? safetensors|Loading model", re.I
        ),
    ),
]


def stage_of_line(line: str) -> StartupStage | None:
    """The stage a log line announces, or None."""
    for stage, pattern in _STAGE_PATTERNS:
        if pattern.search(line):
            return stage
    return None


class FailureCause(StrEnum):
    GPU_OOM = "gpu_out_of_memory"
    KV_TOO_SMALL = "kv_cache_too_small"
    NO_KV_MEMORY = "no_kv_cache_memory"
    FREE_MEMORY_LOW = "free_memory_below_utilization"
    NO_KERNEL_IMAGE = "no_kernel_image"
    NO_NVIDIA_RUNTIME = "no_nvidia_runtime"
    NO_GPU_IN_CONTAINER = "no_gpu_in_container"
    PORT_IN_USE = "port_in_use"
    IMAGE_MISSING_OFFLINE = "image_missing_offline"
    MODEL_GATED = "model_gated"
    MODEL_NOT_FOUND = "model_not_found"
    MODEL_DOWNLOAD_OFFLINE = "model_download_offline"
    WEIGHTS_CUT = "weights_cut"
    FOLDER_NOT_SHARED = "folder_not_shared"
    HOST_OOM = "host_out_of_memory"
    DISK_FULL = "disk_full"
    DOCKER_UNAVAILABLE = "docker_unavailable"
    GPU_BUSY = "gpu_memory_not_released"
    NOT_ENOUGH_VRAM = "not_enough_vram"
    NO_GPU = "no_gpu"
    FOREIGN_CONTAINER = "foreign_container_running"
    TIMEOUT = "startup_timeout"
    CRASHED = "crashed"


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Why a start failed, as facts: ``problem`` says what happened, ``remedy`` what to do.

    The numbers vLLM reported travel with it (the panel offers fixes from them)."""

    cause: FailureCause
    problem: Msg
    remedy: Msg | None = None
    estimated_max_len: int | None = None
    free_gib: float | None = None
    total_gib: float | None = None

    @property
    def message(self) -> str:
        """What happened, in English (logs, the CLI's JSON)."""
        return render(self.problem)

    @property
    def fix(self) -> str:
        """What to do, in English ('' when nothing helps)."""
        return render(self.remedy) if self.remedy is not None else ""


_KV_NEW = re.compile(r"estimated maximum model length is (\d+)", re.I)
_KV_OLD = re.compile(
    r"larger than the maximum number of tokens that can be stored in KV cache \((\d+)\)"
)
# vLLM 0.11.0: "Free memory on device (12.1/15.92 GiB) on startup is less than desired GPU
# memory utilization (0.85, 13.53 GiB)"; older releases named the device ("cuda:0").
_FREE = re.compile(r"Free memory on device(?: \S+)? \(([\d.]+)/([\d.]+) GiB\)")
_WANTED = re.compile(r"less than desired GPU memory utilization \(([\d.]+), ([\d.]+) GiB\)")
_RULES: list[tuple[FailureCause, re.Pattern[str], Code, Code]] = [
    (
        FailureCause.NO_KERNEL_IMAGE,
        re.compile(r"no kernel image is available", re.I),
        Code.NO_KERNEL_IMAGE,
        Code.FIX_NO_KERNEL_IMAGE,
    ),
    (
        FailureCause.FREE_MEMORY_LOW,
        re.compile(
            r"Free memory on device .* less than desired GPU memory utilization", re.I | re.S
        ),
        Code.FREE_MEMORY_LOW,
        Code.FIX_FREE_MEMORY_LOW,
    ),
    (
        FailureCause.NO_KV_MEMORY,
        re.compile(r"No available memory for the cache blocks", re.I),
        Code.NO_KV_MEMORY,
        Code.FIX_NO_KV_MEMORY,
    ),
    (
        FailureCause.GPU_OOM,
        re.compile(r"CUDA out of memory|OutOfMemoryError|CUDA error: out of memory", re.I),
        Code.GPU_OOM,
        Code.FIX_GPU_OOM,
    ),
    # Not found first: the Hub's not-found text also says "private or gated repo" and
    # "401 Client Error" (VLLM.md).
    (
        FailureCause.MODEL_NOT_FOUND,
        re.compile(
            r"RepositoryNotFoundError|404 Client Error|not a valid model identifier|"
            r"Repository Not Found",
            re.I,
        ),
        Code.MODEL_NOT_FOUND,
        Code.FIX_MODEL_NOT_FOUND,
    ),
    (
        FailureCause.MODEL_GATED,
        re.compile(
            r"GatedRepoError|gated repo|401 Client Error|Access to model .* is restricted", re.I
        ),
        Code.MODEL_GATED,
        Code.FIX_MODEL_GATED,
    ),
    (
        FailureCause.NO_GPU_IN_CONTAINER,
        re.compile(r"Failed to infer device type", re.I),
        Code.GPU_NOT_IN_CONTAINER,
        Code.FIX_GPU_NOT_IN_CONTAINER,
    ),
    (
        FailureCause.DISK_FULL,
        re.compile(r"No space left on device", re.I),
        Code.DISK_FULL,
        Code.FIX_DISK_FULL,
    ),
    (
        FailureCause.PORT_IN_USE,
        re.compile(r"address already in use|port is already allocated", re.I),
        Code.PORT_IN_USE,
        Code.FIX_PORT_IN_USE,
    ),
    (
        FailureCause.NO_NVIDIA_RUNTIME,
        re.compile(
            r"could not select device driver|nvidia-container-cli|unknown or invalid runtime", re.I
        ),
        Code.NO_NVIDIA_RUNTIME,
        Code.FIX_NO_NVIDIA_RUNTIME,
    ),
    (
        FailureCause.MODEL_DOWNLOAD_OFFLINE,
        re.compile(
            r"Temporary failure in name resolution|Max retries exceeded|LocalEntryNotFoundError|"
            r"offline mode is enabled|Cannot reach https://huggingface|"
            # vLLM 0.11.0 under HF_HUB_OFFLINE=1 without the model in the cache
            r"Invalid repository ID or local directory specified",
            re.I,
        ),
        Code.MODEL_DOWNLOAD_OFFLINE,
        Code.FIX_MODEL_DOWNLOAD_OFFLINE,
    ),
]


def diagnose(exit_code: int | None, logs: str, *, oom_killed: bool = False) -> Diagnosis:
    """Cause and fix from the container's exit code, OOMKilled flag and log text."""
    match = _KV_NEW.search(logs) or _KV_OLD.search(logs)
    if match:
        n = int(match.group(1))
        return Diagnosis(
            FailureCause.KV_TOO_SMALL,
            Msg.of(Code.KV_TOO_SMALL, tokens=n),
            Msg.of(Code.FIX_KV_TOO_SMALL, tokens=n),
            n,
        )
    for cause, pattern, said, remedy in _RULES:
        if pattern.search(logs):
            if cause is FailureCause.FREE_MEMORY_LOW:
                return _free_memory_low(logs)
            return Diagnosis(cause, Msg(said), Msg(remedy))
    if oom_killed:
        return Diagnosis(FailureCause.HOST_OOM, Msg(Code.HOST_OOM), Msg(Code.FIX_HOST_OOM))
    last = _last_error_line(logs)
    code = "unknown" if exit_code is None else str(exit_code)
    problem = (
        Msg.of(Code.SERVER_CRASHED_SAYING, exit_code=code, line=last)
        if last
        else Msg.of(Code.SERVER_CRASHED, exit_code=code)
    )
    return Diagnosis(FailureCause.CRASHED, problem, Msg(Code.FIX_SEE_MODEL_LOG))


def _free_memory_low(logs: str) -> Diagnosis:
    """The start gate refused: the numbers vLLM printed travel with the fact."""
    found = _FREE.findall(logs)
    wanted = _WANTED.findall(logs)
    if not found:
        return Diagnosis(
            FailureCause.FREE_MEMORY_LOW, Msg(Code.FREE_MEMORY_LOW), Msg(Code.FIX_FREE_MEMORY_LOW)
        )
    free, total = float(found[-1][0]), float(found[-1][1])
    problem = (
        Msg.of(
            Code.FREE_MEMORY_LOW_OF,
            free_gib=free,
            total_gib=total,
            utilization=float(wanted[-1][0]),
            wanted_gib=float(wanted[-1][1]),
        )
        if wanted
        else Msg(Code.FREE_MEMORY_LOW)
    )
    return Diagnosis(
        FailureCause.FREE_MEMORY_LOW,
        problem,
        Msg(Code.FIX_FREE_MEMORY_LOW),
        free_gib=free,
        total_gib=total,
    )


def diagnose_docker_error(text: str) -> Diagnosis | None:
    """Errors the Docker API itself returns (create/start/pull), or None when unknown."""
    if re.search(r"no such host|dial tcp|TLS handshake timeout|i/o timeout", text, re.I):
        return Diagnosis(
            FailureCause.IMAGE_MISSING_OFFLINE,
            Msg(Code.IMAGE_MISSING_OFFLINE),
            Msg(Code.FIX_IMAGE_MISSING_OFFLINE),
        )
    # Docker Desktop (macOS, Windows) mounts only the folders it shares (ADR 012).
    if shared := re.search(r"Mounts denied:\s*(?:The path (\S+) is not shared)?", text):
        return Diagnosis(
            FailureCause.FOLDER_NOT_SHARED,
            Msg.of(Code.WEIGHTS_FOLDER_NOT_SHARED, folder=shared.group(1) or "?"),
            Msg(Code.FIX_WEIGHTS_FOLDER_NOT_SHARED),
        )
    for cause, pattern, problem, remedy in _RULES:
        if cause in _DOCKER_SIDE and pattern.search(text):
            return Diagnosis(cause, Msg(problem), Msg(remedy))
    return None


_DOCKER_SIDE = (FailureCause.NO_NVIDIA_RUNTIME, FailureCause.PORT_IN_USE, FailureCause.DISK_FULL)


def _last_error_line(logs: str) -> str:
    lines = [line.strip() for line in logs.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if re.search(r"error|exception|failed", line, re.I):
            return line[:200]
    return lines[-1][:200] if lines else ""
