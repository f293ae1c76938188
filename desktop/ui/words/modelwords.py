"""What the model panel says about the container: states, start-up stages, the memory
plan, diagnosed failures and the fix it offers, in the UI language.

The runtime (desktop/runtime) reports facts (codes with their numbers) and enums; these
functions turn them into the panel's sentences through the catalogue (desktop.core.messages).
ModelRuntime (modelruntime.py) is the panel's link to the runtime itself.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication

from desktop.ui.words.facts import fact_words, facts_words

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


@dataclass(frozen=True, slots=True)
class Remedy:
    """A fix the panel can apply: what the button says (kind + number) and the new profile."""

    kind: str  # "max_len" | "eager" | "utilization" | "retry" | "token"
    value: float
    profile: Any


def remedy_for(status: Any, profile: Any) -> Remedy | None:
    """The fix for a diagnosed start failure as a changed profile, or None when none applies."""
    if profile is None or str(getattr(status, "state", "")) != "failed":
        return None
    cause = str(status.cause)
    if cause == "kv_cache_too_small" and status.estimated_max_len:
        n = max(256, int(status.estimated_max_len))
        return Remedy("max_len", n, dataclasses.replace(profile, max_model_len=n))
    if cause == "gpu_out_of_memory":
        n = max(2048, profile.max_model_len // 2 // 256 * 256)
        flags = profile.flags if profile.enforce_eager else (*profile.flags, "--enforce-eager")
        return Remedy("eager", n, dataclasses.replace(profile, max_model_len=n, flags=flags))
    if cause == "free_memory_below_utilization":
        free, total = status.free_gib, status.total_gib
        if free is not None and total:
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
    if cause in ("weights_cut", "model_download_offline"):
        return Remedy("retry", 0, profile)  # the download continues where it stopped
    if cause == "model_gated":
        return Remedy("token", 0, profile)
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


def weights_progress_words(status: Any) -> str:
    """A weights download (a ControllerStatus): '1.20 of 5.70 GiB (21%), 12.0 MiB/s, 6:15 left'."""
    from desktop.runtime.weights import WeightsProgress

    progress = WeightsProgress(status.pulled_bytes, status.total_bytes, status.speed, status.eta)
    return fact_words(progress.fact())


def download_words(status: Any) -> tuple[int, str] | None:
    """(percent, words) while a model's weights download (the tray's tooltip), else None."""
    from desktop.runtime.diagnosis import Stage

    if status is None or status.stage != Stage.WEIGHTS or not status.total_bytes:
        return None
    if str(status.state) != "pulling":
        return None
    percent = int(100 * status.pulled_bytes / status.total_bytes)
    return percent, f"{stage_word(status.stage)}: {weights_progress_words(status)}"


def stage_word(stage: str) -> str:
    """A start-up stage label (runtime.diagnosis) in words."""
    from desktop.runtime.diagnosis import stage_fact

    fact = stage_fact(stage)
    return fact_words(fact) if fact is not None else stage


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
    if remedy.kind == "token":
        from desktop.core.messages import Code, Msg

        return fact_words(Msg(Code.WEIGHTS_TOKEN_BUTTON))
    return t("Try again")


def notice_words(status: Any) -> str:
    """What the runtime changed or left alone, in the UI language ("" when nothing)."""
    notice = getattr(status, "notice", None)
    return fact_words(notice) if notice is not None else str(getattr(status, "note", ""))


def diagnosis_words(status: Any) -> tuple[str, str]:
    """Why the model failed and what to do, in the UI language (facts from the runtime)."""
    problem, remedy = getattr(status, "problem", None), getattr(status, "remedy", None)
    if problem is None:  # a status from before facts (or none): its English as it is
        return str(getattr(status, "message", "")), str(getattr(status, "fix", ""))
    return fact_words(problem), fact_words(remedy) if remedy is not None else ""


def verdict_words(verdict: Any) -> str:
    """Why a managed model cannot run here and what to do (a ``Capability``), in one text."""
    return facts_words((verdict.problem, verdict.fix))
