"""What the model panel says about the container: states, start-up stages, the memory
plan, diagnosed failures and the fix it offers, in the UI language.

The runtime (desktop/runtime) reports in English words and numbers; these functions turn
them into the panel's sentences. ModelRuntime (modelruntime.py) is the panel's link to
the runtime itself.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication

GIB = 1024**3


def t(text: str) -> str:
    return QCoreApplication.translate("ModelRuntime", text)


@dataclass(frozen=True, slots=True)
class MemoryVerdict:
    """The planner's answer in numbers the panel words itself (translated)."""

    fits: bool
    needed_bytes: int
    free_bytes: int
    total_bytes: int
    max_model_len: int
    changed_len: bool
    utilization: float
    changed_util: bool


def memory_verdict(profile: Any, free_bytes: int, total_bytes: int) -> MemoryVerdict:
    """What ``profile`` needs on the GPU as it is now (runtime.planner does the arithmetic)."""
    from desktop.runtime.planner import MIN_MODEL_LEN, fixed_bytes, plan_memory

    plan = plan_memory(profile, free_bytes, total_bytes)
    fixed = fixed_bytes(profile)
    per_token = max(1, profile.kv_bytes_per_token)
    if plan.fits:
        room = int(total_bytes * plan.utilization) - fixed
        kv = min(room, per_token * plan.max_model_len * profile.max_num_seqs)
        needed = fixed + kv
    else:
        needed = fixed + per_token * MIN_MODEL_LEN
    return MemoryVerdict(
        plan.fits,
        needed,
        free_bytes,
        total_bytes,
        plan.max_model_len,
        plan.fits and plan.max_model_len != profile.max_model_len,
        plan.utilization,
        "--gpu-memory-utilization" in plan.flags,
    )


def _gib(n: float) -> str:
    return f"{n / GIB:.1f} GiB"


def plan_sentence(verdict: MemoryVerdict) -> str:
    """E.g. "Needs ~11.2 GiB, 13.1 GiB free: fits." in the UI language."""
    need, free = _gib(verdict.needed_bytes), _gib(verdict.free_bytes)
    if not verdict.fits:
        return (
            t(
                "Needs ~%1, %2 free: does not fit. Close programs using the GPU or choose a smaller profile."  # noqa: E501
            )
            .replace("%1", need)
            .replace("%2", free)
        )
    text = t("Needs ~%1, %2 free: fits.").replace("%1", need).replace("%2", free)
    if verdict.changed_len:
        text += " " + t("Max length lowered to %1 tokens.").replace(
            "%1", str(verdict.max_model_len)
        )
    if verdict.changed_util:
        text += " " + t("GPU memory use lowered to %1.").replace("%1", f"{verdict.utilization:.2f}")
    return text


_ESTIMATED = re.compile(r"(\d{3,})\s+tokens")
_FREE = re.compile(r"Free memory on device \S+ \(([\d.]+)/([\d.]+) GiB\)")


@dataclass(frozen=True, slots=True)
class Remedy:
    """A fix the panel can apply: what the button says (kind + number) and the new profile."""

    kind: str  # "max_len" | "eager" | "utilization" | "retry"
    value: float
    profile: Any


def remedy_for(status: Any, profile: Any, logs: list[str]) -> Remedy | None:
    """The fix for a diagnosed start failure as a changed profile, or None when none applies."""
    if profile is None or str(getattr(status, "state", "")) != "failed":
        return None
    cause = str(status.cause)
    if cause == "kv_cache_too_small":
        match = _ESTIMATED.search(status.message)
        if match:
            n = max(256, int(match.group(1)))
            return Remedy("max_len", n, dataclasses.replace(profile, max_model_len=n))
    if cause == "gpu_out_of_memory":
        n = max(2048, profile.max_model_len // 2 // 256 * 256)
        flags = profile.flags if profile.enforce_eager else (*profile.flags, "--enforce-eager")
        return Remedy("eager", n, dataclasses.replace(profile, max_model_len=n, flags=flags))
    if cause == "free_memory_below_utilization":
        for line in reversed(logs):
            match = _FREE.search(line)
            if match:
                free, total = float(match.group(1)), float(match.group(2))
                util = math.floor(max(0.0, free - 0.25) / total * 100) / 100
                if util >= 0.1:
                    changed = dataclasses.replace(profile, gpu_memory_utilization=util)
                    return Remedy("utilization", util, changed)
        util = round(max(0.1, profile.gpu_memory_utilization - 0.1), 2)
        return Remedy(
            "utilization", util, dataclasses.replace(profile, gpu_memory_utilization=util)
        )
    if cause in ("crashed", "startup_timeout", "gpu_memory_not_released", "docker_unavailable"):
        return Remedy("retry", 0, profile)
    return None


def state_word(state: str) -> str:
    """A ContainerState in words."""
    words = {
        "absent": t("no model container"),
        "pulling": t("downloading the image"),
        "starting": t("starting"),
        "ready": t("ready"),
        "stopping": t("stopping"),
        "stopped": t("stopped"),
        "failed": t("failed"),
    }
    return words.get(state, state)


def stage_word(stage: str) -> str:
    """A start-up stage label (runtime.diagnosis) in words."""
    words = {
        "downloading the image": t("downloading the image"),
        "starting container": t("starting the container"),
        "loading weights": t("loading weights"),
        "profiling memory": t("profiling memory"),
        "allocating KV cache": t("allocating the KV cache"),
        "capturing CUDA graphs": t("capturing CUDA graphs"),
        "starting API server": t("starting the API server"),
    }
    return words.get(stage, stage)


def remedy_words(remedy: Remedy) -> str:
    """What the fix button says."""
    if remedy.kind == "max_len":
        return t("Retry with max length %1").replace("%1", str(int(remedy.value)))
    if remedy.kind == "eager":
        return t("Retry with max length %1, without CUDA graphs").replace(
            "%1", str(int(remedy.value))
        )
    if remedy.kind == "utilization":
        return t("Retry with GPU memory use %1").replace("%1", f"{remedy.value:.2f}")
    return t("Try again")


def _known_sentences() -> dict[str, str]:
    """The runtime's fixed diagnosis sentences (desktop/runtime/diagnosis.py) in the UI language."""
    return {
        "The GPU is newer than the CUDA build in this vLLM image.": t(
            "The GPU is newer than the CUDA build in this vLLM image."
        ),
        "Use an image built with CUDA 12.8 or newer (and a driver >= 570) for RTX 50xx cards.": t(
            "Use an image built with CUDA 12.8 or newer (and a driver >= 570) for RTX 50xx cards."
        ),
        "Less GPU memory is free than --gpu-memory-utilization asks for.": t(
            "Less GPU memory is free than --gpu-memory-utilization asks for."
        ),
        "Close programs using the GPU, or choose a smaller profile.": t(
            "Close programs using the GPU, or choose a smaller profile."
        ),
        "Close programs using the GPU, or lower --gpu-memory-utilization in the profile.": t(
            "Close programs using the GPU, or lower --gpu-memory-utilization in the profile."
        ),
        "Nothing was left for the KV cache after loading the model.": t(
            "Nothing was left for the KV cache after loading the model."
        ),
        "Raise --gpu-memory-utilization, or choose a smaller or FP8 profile.": t(
            "Raise --gpu-memory-utilization, or choose a smaller or FP8 profile."
        ),
        "The GPU ran out of memory while the model started.": t(
            "The GPU ran out of memory while the model started."
        ),
        "Close programs using the GPU, lower --max-model-len / --max-num-seqs, "
        "or add --enforce-eager.": t(
            "Close programs using the GPU, lower --max-model-len / --max-num-seqs, "
            "or add --enforce-eager."
        ),
        "Hugging Face refused the download: the model is gated or the token is missing.": t(
            "Hugging Face refused the download: the model is gated or the token is missing."
        ),
        "Accept the model's licence on huggingface.co and save your token in Settings.": t(
            "Accept the model's licence on huggingface.co and save your token in Settings."
        ),
        "Hugging Face does not know this model id.": t("Hugging Face does not know this model id."),
        "Check hf_model_id in the profile.": t("Check hf_model_id in the profile."),
        "The disk is full (model weights need several GB).": t(
            "The disk is full (model weights need several GB)."
        ),
        "Free disk space where Docker keeps its volumes, then start again.": t(
            "Free disk space where Docker keeps its volumes, then start again."
        ),
        "The port is already in use by another program.": t(
            "The port is already in use by another program."
        ),
        "Stop the other server or choose another port in Settings.": t(
            "Stop the other server or choose another port in Settings."
        ),
        "Docker cannot give containers the GPU (NVIDIA Container Toolkit missing).": t(
            "Docker cannot give containers the GPU (NVIDIA Container Toolkit missing)."
        ),
        "Install the NVIDIA Container Toolkit and restart Docker "
        "(Windows: update Docker Desktop and the NVIDIA driver).": t(
            "Install the NVIDIA Container Toolkit and restart Docker "
            "(Windows: update Docker Desktop and the NVIDIA driver)."
        ),
        "The model weights are not in the cache and Hugging Face cannot be reached.": t(
            "The model weights are not in the cache and Hugging Face cannot be reached."
        ),
        "Connect to the internet once to download the model.": t(
            "Connect to the internet once to download the model."
        ),
        "The computer ran out of RAM and the system killed the model server.": t(
            "The computer ran out of RAM and the system killed the model server."
        ),
        "Close programs, or give Docker more memory (Docker Desktop: Settings > Resources).": t(
            "Close programs, or give Docker more memory (Docker Desktop: Settings > Resources)."
        ),
        "The model image is not on this computer and the registry cannot be reached.": t(
            "The model image is not on this computer and the registry cannot be reached."
        ),
        "Connect to the internet once so the image can be downloaded (docker pull).": t(
            "Connect to the internet once so the image can be downloaded (docker pull)."
        ),
        "Docker stopped responding.": t("Docker stopped responding."),
        "Start Docker again; the app reconnects when you start the model.": t(
            "Start Docker again; the app reconnects when you start the model."
        ),
        "Choose a smaller profile, or close programs using the GPU.": t(
            "Choose a smaller profile, or close programs using the GPU."
        ),
        "See the model log (dots-desktop models logs) for details.": t(
            "See the model log below for details."
        ),
    }


_KV_MESSAGE = re.compile(r"vLLM estimates (\d+) tokens fit")
_SHORT_MESSAGE = re.compile(
    r"^(.+) needs about ([\d.]+ GiB) but only ([\d.]+ GiB) is free \(([\d.]+ GiB) short\)\.$"
)
_KV_FIX = re.compile(r"^Start with --max-model-len (\d+) ")


def diagnosis_words(message: str, fix: str) -> tuple[str, str]:
    """The runtime's cause and fix in the UI language (as given when the wording is unknown)."""
    known = _known_sentences()
    match = _KV_MESSAGE.search(message)
    if match:
        message = t(
            "The KV cache cannot hold one full-length request; vLLM estimates %1 tokens fit."
        ).replace("%1", match.group(1))
    match = _SHORT_MESSAGE.match(message)
    if match:
        message = t("%1 needs about %2, but only %3 is free (%4 short).")
        for n, value in enumerate(match.groups(), start=1):
            message = message.replace(f"%{n}", value)
    match = _KV_FIX.search(fix)
    if match:
        fix = t("Start with --max-model-len %1 (or raise --gpu-memory-utilization).").replace(
            "%1", match.group(1)
        )
    return known.get(message, message), known.get(fix, fix)
