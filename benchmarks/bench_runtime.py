"""Runtime benchmarks; prints tables.

1. Ready latency: from the simulator becoming healthy (its "Application startup complete."
   log line, Docker timestamp) to the controller reporting READY, against a reference: a
   bare httpx loop polling /health every 5 ms in the same process. Target < 0.5 s.
   Needs Docker and the simulator image (scripts/build_sim_image.sh).
2. GPU monitor cost at 1 Hz as % of one core, with a fake NVML backend and, where an
   NVIDIA GPU exists, real NVML. Target < 1 %.

Run: uv run python benchmarks/bench_runtime.py [--runs 3] [--window 5] [--skip-docker]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.runtime.gpu import GpuMonitor, NvmlBackend, open_backend

SIM_IMAGE = "dots-desktop/vllm-sim:test"
READY_LINE = "Application startup complete."


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


# ---- 1. ready latency --------------------------------------------------------------------


def _log_time(client: Any, container_id: str) -> float | None:
    raw = client.api.logs(container_id, timestamps=True).decode("utf-8", "replace")
    for line in raw.splitlines():
        if READY_LINE in line:
            stamp = line.split(" ", 1)[0]
            # RFC 3339 with nanoseconds: trim to microseconds for fromisoformat.
            head, _, frac = stamp.rstrip("Z").partition(".")
            return datetime.fromisoformat(f"{head}.{frac[:6]:0<6}+00:00").timestamp()
    return None


async def _one_start(run: int) -> tuple[float, float]:
    import httpx

    import docker
    from desktop.runtime.controller import ContainerController, ContainerState
    from desktop.runtime.profiles import load_profiles

    base = load_profiles()["dots.ocr"]
    profile = dataclasses.replace(
        base,
        id=f"bench-{run}",
        image=SIM_IMAGE,
        gpu=False,
        flags=(*base.flags, "--sim-startup-seconds", "1.0"),
    )
    label = {"dots-desktop.bench": str(time.time_ns())}
    hf_dir = tempfile.mkdtemp(prefix="dd-bench-hf-")  # no named volume left behind
    controller = ContainerController(
        port=18900,
        labels=label,
        name_prefix="dd-bench-",
        gpu_reader=None,
        token_getter=lambda: None,
        hf_cache=hf_dir,
    )
    seen: dict[str, float] = {}
    ref_task: list[asyncio.Task[None]] = []

    async def reference(url: str) -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=1) as http:
            while True:
                try:
                    if (await http.get(url)).status_code == 200:
                        seen["ref"] = time.time()
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.005)

    def on_status(status: Any) -> None:
        if status.state is ContainerState.STARTING and status.server_url and not ref_task:
            ref_task.append(asyncio.ensure_future(reference(status.server_url + "/health")))
        if status.state is ContainerState.READY and "ready" not in seen:
            seen["ready"] = time.time()

    controller.subscribe(on_status)
    try:
        status = await controller.start(profile)
        if status.state is not ContainerState.READY:
            raise RuntimeError(f"start failed: {status.message}")
        await asyncio.wait_for(ref_task[0], 10)
        client = docker.from_env()
        try:
            healthy = _log_time(client, str(status.container_id))
        finally:
            client.close()
        assert healthy is not None
        return seen["ready"] - healthy, seen["ref"] - healthy
    finally:
        await controller.stop()
        await controller.aclose()
        shutil.rmtree(hf_dir, ignore_errors=True)


def bench_ready(runs: int) -> None:
    ctl, ref = [], []
    for run in range(runs):
        c, r = asyncio.run(_one_start(run))
        ctl.append(c)
        ref.append(r)
    rows = [
        [str(i + 1), f"{r * 1000:.0f}", f"{c * 1000:.0f}", f"{(c - r) * 1000:+.0f}"]
        for i, (c, r) in enumerate(zip(ctl, ref, strict=True))
    ]
    rows.append(
        [
            "median",
            f"{statistics.median(ref) * 1000:.0f}",
            f"{statistics.median(ctl) * 1000:.0f}",
            f"{(statistics.median(ctl) - statistics.median(ref)) * 1000:+.0f}",
        ]
    )
    table(
        "Healthy -> READY (ms after the simulator's 'Application startup complete.'; target < 500)",
        ["run", "reference 5 ms poll", "controller READY", "controller - reference"],
        rows,
    )


# ---- 2. monitor cost -----------------------------------------------------------------------


class _FakeNvml:
    """Just enough of pynvml for the monitor (one 16 GiB card)."""

    def nvmlInit(self) -> None: ...
    def nvmlShutdown(self) -> None: ...
    def nvmlDeviceGetCount(self) -> int:
        return 1

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetMemoryInfo(self, handle: int) -> Any:
        return SimpleNamespace(total=16 << 30, used=1 << 30, free=15 << 30)

    def nvmlDeviceGetName(self, handle: int) -> str:
        return "fake"

    def nvmlDeviceGetUtilizationRates(self, handle: int) -> Any:
        return SimpleNamespace(gpu=1)

    def nvmlDeviceGetTemperature(self, handle: int, sensor: int) -> int:
        return 40

    def nvmlDeviceGetComputeRunningProcesses(self, handle: int) -> list[Any]:
        return []


def _cpu_share(monitor: GpuMonitor | None, window: float) -> float:
    """Process CPU seconds per wall second over ``window`` while the main thread sleeps."""
    if monitor is not None:
        monitor.start()
    cpu0, wall0 = time.process_time(), time.monotonic()
    time.sleep(window)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    if monitor is not None:
        monitor.stop()
    return cpu / wall


def _per_sample(backend: Any, n: int = 2000) -> float:
    backend.open()
    try:
        t0 = time.perf_counter()
        for _ in range(n):
            backend.read()
        return (time.perf_counter() - t0) / n
    finally:
        backend.close()


def bench_monitor(window: float) -> None:
    idle = _cpu_share(None, window)
    backends: list[tuple[str, Any]] = [("fake NVML", lambda: NvmlBackend(_FakeNvml()))]
    real, _ = open_backend([NvmlBackend()])
    if real is not None:
        real.close()
        backends.append(("real NVML", NvmlBackend))
    rows = []
    for name, make in backends:
        share = _cpu_share(GpuMonitor(make(), interval=1.0), window)
        sample = _per_sample(make())
        rows.append(
            [
                name,
                f"{sample * 1e6:.1f}",
                f"{sample * 100:.4f}",
                f"{max(0.0, share - idle) * 100:.3f}",
                f"{idle * 100:.3f}",
            ]
        )
    if real is None:
        rows.append(["real NVML", "no NVIDIA GPU here", "-", "-", "-"])
    table(
        f"GPU monitor at 1 Hz (% of one core; {window:.0f} s windows; target < 1 %)",
        ["backend", "us per reading", "% core (per-reading x 1 Hz)", "% core measured", "idle"],
        rows,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window", type=float, default=5.0)
    parser.add_argument("--skip-docker", action="store_true")
    args = parser.parse_args()
    if not args.skip_docker:
        bench_ready(args.runs)
    bench_monitor(args.window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
