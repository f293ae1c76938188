"""GPU memory readings: NVML (nvidia-ml-py) in a ~1 Hz thread, nvidia-smi as a fallback.

Per-process memory is often unavailable (Windows/WDDM, WSL2, containers, some VMs): the
model's share is then "used now minus the baseline before start".
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

logger = logging.getLogger(__name__)
MIB = 1024**2
NO_GPU = "No NVIDIA GPU found."


@dataclass(frozen=True, slots=True)
class GpuProcess:
    pid: int
    used_bytes: int | None


@dataclass(frozen=True, slots=True)
class GpuSample:
    index: int
    name: str
    total_bytes: int
    used_bytes: int
    free_bytes: int
    utilization_pct: float | None
    temperature_c: float | None
    timestamp: float
    processes: tuple[GpuProcess, ...] = ()


class GpuBackend(Protocol):
    """A way to read the GPUs: ``open`` raises when it cannot work here."""

    name: str

    def open(self) -> None: ...
    def read(self) -> list[GpuSample]: ...
    def close(self) -> None: ...


class NvmlBackend:
    """NVML through nvidia-ml-py; ``nvml`` is the module (tests pass a fake one)."""

    name = "NVML"

    def __init__(self, nvml: ModuleType | Any | None = None) -> None:
        self._nvml: Any = nvml
        self._handles: list[Any] = []

    def open(self) -> None:
        if self._nvml is None:
            import pynvml

            self._nvml = pynvml
        self._nvml.nvmlInit()
        count = self._nvml.nvmlDeviceGetCount()
        self._handles = [self._nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]

    def read(self) -> list[GpuSample]:
        nv = self._nvml
        now = time.time()
        out = []
        for index, handle in enumerate(self._handles):
            mem = nv.nvmlDeviceGetMemoryInfo(handle)
            name = nv.nvmlDeviceGetName(handle)
            if isinstance(name, bytes):
                name = name.decode(errors="replace")
            util = temp = None
            try:
                util = float(nv.nvmlDeviceGetUtilizationRates(handle).gpu)
            except Exception:  # not supported on every device/driver
                logger.debug("no utilization reading for GPU %d", index)
            try:
                temp = float(nv.nvmlDeviceGetTemperature(handle, 0))  # 0 = NVML_TEMPERATURE_GPU
            except Exception:
                logger.debug("no temperature reading for GPU %d", index)
            procs: tuple[GpuProcess, ...] = ()
            try:
                raw = nv.nvmlDeviceGetComputeRunningProcesses(handle) or []
                procs = tuple(GpuProcess(int(p.pid), _opt_int(p.usedGpuMemory)) for p in raw)
            except Exception:  # WDDM / WSL2: per-process data not available
                logger.debug("no process list for GPU %d", index)
            used, total = int(mem.used), int(mem.total)
            out.append(
                GpuSample(index, str(name), total, used, int(mem.free), util, temp, now, procs)
            )
        return out

    def close(self) -> None:
        if self._nvml is not None and self._handles is not None:
            try:
                self._nvml.nvmlShutdown()
            except Exception:
                logger.debug("nvmlShutdown failed", exc_info=True)
        self._handles = []


def _opt_int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


class SmiBackend:
    """``nvidia-smi --query-gpu`` (one subprocess per reading) when NVML cannot load."""

    name = "nvidia-smi"
    QUERY = "index,name,memory.used,memory.total,utilization.gpu,temperature.gpu"

    def __init__(self, exe: str | None = None) -> None:
        self._exe = exe

    def open(self) -> None:
        self._exe = self._exe or shutil.which("nvidia-smi")
        if not self._exe:
            raise RuntimeError("nvidia-smi not found")
        if not self.read():
            raise RuntimeError("nvidia-smi lists no GPU")

    def read(self) -> list[GpuSample]:
        assert self._exe
        text = subprocess.run(
            [self._exe, f"--query-gpu={self.QUERY}", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
        return parse_smi_csv(text, time.time())

    def close(self) -> None:
        return None


def parse_smi_csv(text: str, timestamp: float) -> list[GpuSample]:
    """Rows of ``index, name, used MiB, total MiB, util %, temp C`` ('[N/A]' allowed)."""
    samples = []
    for row in text.strip().splitlines():
        parts = [p.strip() for p in row.split(",")]
        if len(parts) < 4:
            continue
        used, total = int(float(parts[2]) * MIB), int(float(parts[3]) * MIB)
        extra = [_num(p) for p in parts[4:6]] + [None, None]
        samples.append(
            GpuSample(
                int(parts[0]), parts[1], total, used, total - used, extra[0], extra[1], timestamp
            )
        )
    return samples


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def open_backend(candidates: list[GpuBackend] | None = None) -> tuple[GpuBackend | None, str]:
    """The first backend that works here, or (None, why not)."""
    reasons = []
    options: list[GpuBackend] = [NvmlBackend(), SmiBackend()] if candidates is None else candidates
    for backend in options:
        try:
            backend.open()
            return backend, ""
        except Exception as exc:  # driver missing, library missing, no device
            reasons.append(f"{backend.name}: {exc}")
    logger.info("no GPU backend: %s", "; ".join(reasons))
    return None, NO_GPU


def read_gpus(candidates: list[GpuBackend] | None = None) -> list[GpuSample]:
    """One reading of every NVIDIA GPU; [] when there is none."""
    backend, _ = open_backend(candidates)
    if backend is None:
        return []
    try:
        return backend.read()
    except Exception:
        logger.warning("GPU reading failed", exc_info=True)
        return []
    finally:
        backend.close()


class GpuMonitor:
    """Samples every ``interval`` seconds in a daemon thread; callbacks get each reading."""

    def __init__(
        self,
        backend: GpuBackend | None = None,
        *,
        interval: float = 1.0,
        history: int = 120,
    ) -> None:
        self._requested = backend
        self._backend: GpuBackend | None = None
        self.interval = interval
        self._history: dict[int, deque[tuple[float, int]]] = {}
        self._history_len = history
        self._latest: list[GpuSample] = []
        self._callbacks: list[Callable[[list[GpuSample]], None]] = []
        self._baseline: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.unavailable_reason = ""

    @property
    def available(self) -> bool:
        return self._backend is not None

    def start(self) -> None:
        if self._thread is not None:
            return
        candidates = [self._requested] if self._requested is not None else None
        self._backend, self.unavailable_reason = open_backend(candidates)
        if self._backend is None:
            return  # the "no NVIDIA GPU" state: nothing to sample
        self._stop.clear()
        self._sample_once()
        self._thread = threading.Thread(target=self._run, name="dots-gpu-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    def subscribe(self, callback: Callable[[list[GpuSample]], None]) -> None:
        """``callback`` runs in the monitor thread; see ``subscribe_async`` for asyncio."""
        self._callbacks.append(callback)

    def subscribe_async(
        self, loop: asyncio.AbstractEventLoop, callback: Callable[[list[GpuSample]], None]
    ) -> None:
        def forward(samples: list[GpuSample]) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(callback, samples)

        self.subscribe(forward)

    def latest(self) -> list[GpuSample]:
        with self._lock:
            return list(self._latest)

    def history(self, index: int = 0) -> list[tuple[float, int]]:
        """(timestamp, used bytes) pairs, oldest first, for a sparkline."""
        with self._lock:
            return list(self._history.get(index, ()))

    def set_baseline(self) -> dict[int, int]:
        """Remember used memory now (before a model starts)."""
        with self._lock:
            self._baseline = {s.index: s.used_bytes for s in self._latest}
            return dict(self._baseline)

    def model_bytes(self, index: int = 0) -> int | None:
        """Memory the model holds: per-process sum when known, else used minus baseline."""
        with self._lock:
            sample = next((s for s in self._latest if s.index == index), None)
            if sample is None:
                return None
            known = [p.used_bytes for p in sample.processes if p.used_bytes is not None]
            if known:
                return sum(known)
            return max(0, sample.used_bytes - self._baseline.get(index, sample.used_bytes))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample_once()

    def _sample_once(self) -> None:
        assert self._backend is not None
        try:
            samples = self._backend.read()
        except Exception:
            logger.warning("GPU reading failed", exc_info=True)
            return
        with self._lock:
            self._latest = samples
            for s in samples:
                ring = self._history.setdefault(s.index, deque(maxlen=self._history_len))
                ring.append((s.timestamp, s.used_bytes))
        for callback in list(self._callbacks):
            try:
                callback(samples)
            except Exception:
                logger.exception("GPU monitor callback failed")


async def wait_for_release(
    read: Callable[[], list[GpuSample]],
    baseline_used: dict[int, int],
    *,
    tolerance_bytes: int = 512 * MIB,
    timeout: float = 60.0,
    interval: float = 0.5,
    run: Callable[[Callable[[], list[GpuSample]]], Awaitable[list[GpuSample]]] | None = None,
) -> tuple[bool, int]:
    """Wait until every GPU is back near its baseline; (released, bytes still held above it).

    ``run`` executes the blocking ``read`` off the loop (default: asyncio.to_thread).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    held = 0
    runner = run or asyncio.to_thread
    while True:
        samples = await runner(read)
        held = max(
            (s.used_bytes - baseline_used.get(s.index, s.used_bytes) for s in samples), default=0
        )
        if held <= tolerance_bytes:
            return True, max(0, held)
        if loop.time() >= deadline:
            return False, held
        await asyncio.sleep(interval)
