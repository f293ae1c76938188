"""Read vLLM's start-up log: which stage it is in, and why it died (cause + the fix).

vLLM's wording changes between releases, so patterns are loose (VLLM.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class StartupStage(IntEnum):
    """Start-up stages in the order vLLM goes through them."""

    CREATED = 0
    LOADING_WEIGHTS = 1
    PROFILING = 2
    KV_CACHE = 3
    CUDA_GRAPHS = 4
    API_SERVER = 5

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    StartupStage.CREATED: "starting container",
    StartupStage.LOADING_WEIGHTS: "loading weights",
    StartupStage.PROFILING: "profiling memory",
    StartupStage.KV_CACHE: "allocating KV cache",
    StartupStage.CUDA_GRAPHS: "capturing CUDA graphs",
    StartupStage.API_SERVER: "starting API server",
}

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
    PORT_IN_USE = "port_in_use"
    IMAGE_MISSING_OFFLINE = "image_missing_offline"
    MODEL_GATED = "model_gated"
    MODEL_NOT_FOUND = "model_not_found"
    MODEL_DOWNLOAD_OFFLINE = "model_download_offline"
    HOST_OOM = "host_out_of_memory"
    DISK_FULL = "disk_full"
    DOCKER_UNAVAILABLE = "docker_unavailable"
    GPU_BUSY = "gpu_memory_not_released"
    NOT_ENOUGH_VRAM = "not_enough_vram"
    FOREIGN_CONTAINER = "foreign_container_running"
    TIMEOUT = "startup_timeout"
    CRASHED = "crashed"


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Why a start failed, in words: ``message`` says what happened, ``fix`` what to do."""

    cause: FailureCause
    message: str
    fix: str
    estimated_max_len: int | None = None


_KV_NEW = re.compile(r"estimated maximum model length is (\d+)", re.I)
_KV_OLD = re.compile(
    r"larger than the maximum number of tokens that can be stored in KV cache \((\d+)\)"
)
_RULES: list[tuple[FailureCause, re.Pattern[str], str, str]] = [
    (
        FailureCause.NO_KERNEL_IMAGE,
        re.compile(r"no kernel image is available", re.I),
        "The GPU is newer than the CUDA build in this vLLM image.",
        "Use an image built with CUDA 12.8 or newer (and a driver >= 570) for RTX 50xx cards.",
    ),
    (
        FailureCause.FREE_MEMORY_LOW,
        re.compile(
            r"Free memory on device .* less than desired GPU memory utilization", re.I | re.S
        ),
        "Less GPU memory is free than --gpu-memory-utilization asks for.",
        "Close programs using the GPU, or lower --gpu-memory-utilization in the profile.",
    ),
    (
        FailureCause.NO_KV_MEMORY,
        re.compile(r"No available memory for the cache blocks", re.I),
        "Nothing was left for the KV cache after loading the model.",
        "Raise --gpu-memory-utilization, or choose a smaller or FP8 profile.",
    ),
    (
        FailureCause.GPU_OOM,
        re.compile(r"CUDA out of memory|OutOfMemoryError|CUDA error: out of memory", re.I),
        "The GPU ran out of memory while the model started.",
        "Close programs using the GPU, lower --max-model-len / --max-num-seqs, "
        "or add --enforce-eager.",
    ),
    (
        FailureCause.MODEL_GATED,
        re.compile(
            r"GatedRepoError|gated repo|401 Client Error|Access to model .* is restricted", re.I
        ),
        "Hugging Face refused the download: the model is gated or the token is missing.",
        "Accept the model's licence on huggingface.co and save your token in Settings.",
    ),
    (
        FailureCause.MODEL_NOT_FOUND,
        re.compile(
            r"RepositoryNotFoundError|404 Client Error|not a valid model identifier|"
            r"Repository Not Found",
            re.I,
        ),
        "Hugging Face does not know this model id.",
        "Check hf_model_id in the profile.",
    ),
    (
        FailureCause.DISK_FULL,
        re.compile(r"No space left on device", re.I),
        "The disk is full (model weights need several GB).",
        "Free disk space where Docker keeps its volumes, then start again.",
    ),
    (
        FailureCause.PORT_IN_USE,
        re.compile(r"address already in use|port is already allocated", re.I),
        "The port is already in use by another program.",
        "Stop the other server or choose another port in Settings.",
    ),
    (
        FailureCause.NO_NVIDIA_RUNTIME,
        re.compile(
            r"could not select device driver|nvidia-container-cli|unknown or invalid runtime", re.I
        ),
        "Docker cannot give containers the GPU (NVIDIA Container Toolkit missing).",
        "Install the NVIDIA Container Toolkit and restart Docker "
        "(Windows: update Docker Desktop and the NVIDIA driver).",
    ),
    (
        FailureCause.MODEL_DOWNLOAD_OFFLINE,
        re.compile(
            r"Temporary failure in name resolution|Max retries exceeded|LocalEntryNotFoundError|"
            r"offline mode is enabled|Cannot reach https://huggingface",
            re.I,
        ),
        "The model weights are not in the cache and Hugging Face cannot be reached.",
        "Connect to the internet once to download the model.",
    ),
]


def diagnose(exit_code: int | None, logs: str, *, oom_killed: bool = False) -> Diagnosis:
    """Cause and fix from the container's exit code, OOMKilled flag and log text."""
    match = _KV_NEW.search(logs) or _KV_OLD.search(logs)
    if match:
        n = int(match.group(1))
        return Diagnosis(
            FailureCause.KV_TOO_SMALL,
            f"The KV cache cannot hold one full-length request; vLLM estimates {n} tokens fit.",
            f"Start with --max-model-len {n} (or raise --gpu-memory-utilization).",
            n,
        )
    for cause, pattern, message, fix in _RULES:
        if pattern.search(logs):
            return Diagnosis(cause, message, fix)
    if oom_killed:
        return Diagnosis(
            FailureCause.HOST_OOM,
            "The computer ran out of RAM and the system killed the model server.",
            "Close programs, or give Docker more memory (Docker Desktop: Settings > Resources).",
        )
    last = _last_error_line(logs)
    code = "unknown" if exit_code is None else str(exit_code)
    return Diagnosis(
        FailureCause.CRASHED,
        f"The model server stopped (exit code {code})" + (f": {last}" if last else "."),
        "See the model log (dots-desktop models logs) for details.",
    )


def diagnose_docker_error(text: str) -> Diagnosis | None:
    """Errors the Docker API itself returns (create/start/pull), or None when unknown."""
    if re.search(r"no such host|dial tcp|TLS handshake timeout|i/o timeout", text, re.I):
        return Diagnosis(
            FailureCause.IMAGE_MISSING_OFFLINE,
            "The model image is not on this computer and the registry cannot be reached.",
            "Connect to the internet once so the image can be downloaded (docker pull).",
        )
    for cause, pattern, message, fix in _RULES:
        if cause in _DOCKER_SIDE and pattern.search(text):
            return Diagnosis(cause, message, fix)
    return None


_DOCKER_SIDE = (FailureCause.NO_NVIDIA_RUNTIME, FailureCause.PORT_IN_USE, FailureCause.DISK_FULL)


def _last_error_line(logs: str) -> str:
    lines = [line.strip() for line in logs.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if re.search(r"error|exception|failed", line, re.I):
            return line[:200]
    return lines[-1][:200] if lines else ""
