"""The local model container as Qt signals: start/stop/switch through the runtime controller."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from desktop.core.errors import DotsError

logger = logging.getLogger(__name__)
GIB = 1024**3


def t(text: str) -> str:
    return QCoreApplication.translate("ModelRuntime", text)


class ModelRuntime(QObject):
    """Wraps ``ContainerController``; every call is a task on the qasync loop."""

    status_changed = Signal(object)  # ControllerStatus
    failed = Signal(str)  # a sentence when the runtime itself cannot be used

    def __init__(self, parent: QObject | None = None, controller: Any = None) -> None:
        super().__init__(parent)
        self._controller = controller
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
        self._building = loop.run_in_executor(None, _build_controller)
        self._building.add_done_callback(self._on_built)

    def _build_or_none(self) -> Any:
        try:
            return _build_controller()
        except (ImportError, DotsError) as exc:
            self._unavailable(exc)
            return None

    def _unavailable(self, exc: BaseException) -> None:
        self.error = str(exc)
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
            self.error = f"{type(future.exception()).__name__}: {future.exception()}"
        else:
            controller = future.result()
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
            self.failed.emit(str(exc))
        except Exception as exc:  # the panel shows it; the app keeps running
            logger.exception("model runtime call failed")
            self.failed.emit(f"{type(exc).__name__}: {exc}")

    def start(self, profile_id: str) -> None:
        if self._later(lambda: self.start(profile_id)):
            return
        if self._controller is None:
            self.failed.emit(self.error)
            return
        try:
            profile = self.profile(profile_id)
        except DotsError as exc:
            self.failed.emit(str(exc))
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


def _build_controller() -> Any:
    from desktop.runtime.controller import ContainerController
    from desktop.runtime.profiles import load_profiles

    return ContainerController(profiles=load_profiles())


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
