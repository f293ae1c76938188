"""The GPU monitor against a fake NVML: readings, history, baseline, and the no-GPU state."""

from __future__ import annotations

import threading
import time

from desktop.runtime.gpu import (
    NO_GPU,
    GpuMonitor,
    GpuSample,
    NvmlBackend,
    SmiBackend,
    parse_smi_csv,
    read_gpus,
    wait_for_release,
)
from tests.runtime.fake_nvml import GIB, FakeDevice, FakeNvml


def _wait_until(cond, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return False


def test_a_reading_has_memory_utilization_temperature_and_name() -> None:
    nvml = FakeNvml([FakeDevice(used=3 * GIB, processes=[(1234, 2 * GIB)])])
    [sample] = read_gpus([NvmlBackend(nvml)])
    assert sample.name == "NVIDIA GeForce RTX 5070 Ti"
    assert (sample.total_bytes, sample.used_bytes, sample.free_bytes) == (
        16 * GIB,
        3 * GIB,
        13 * GIB,
    )
    assert sample.utilization_pct == 3 and sample.temperature_c == 41
    assert sample.processes[0].pid == 1234
    assert nvml.shutdowns == 1


def test_without_an_nvidia_gpu_the_reading_is_empty_and_the_monitor_says_so() -> None:
    dead = NvmlBackend(FakeNvml(fail_init=True))
    assert read_gpus([dead]) == []
    monitor = GpuMonitor(NvmlBackend(FakeNvml(fail_init=True)))
    monitor.start()
    try:
        assert not monitor.available
        assert monitor.unavailable_reason == NO_GPU
        assert monitor.latest() == [] and monitor.model_bytes() is None
    finally:
        monitor.stop()
    assert not any(t.name == "dots-gpu-monitor" for t in threading.enumerate())


def test_the_monitor_follows_memory_changes_and_keeps_a_history() -> None:
    device = FakeDevice(used=1 * GIB)
    monitor = GpuMonitor(NvmlBackend(FakeNvml([device])), interval=0.01, history=5)
    seen: list[list[GpuSample]] = []
    monitor.subscribe(seen.append)
    monitor.start()
    try:
        assert monitor.available
        device.used = 9 * GIB
        assert _wait_until(lambda: monitor.latest()[0].used_bytes == 9 * GIB)
        assert _wait_until(lambda: len(monitor.history(0)) == 5)
        history = monitor.history(0)
        assert [t for t, _ in history] == sorted(t for t, _ in history)
        assert history[-1][1] == 9 * GIB
        assert seen and seen[-1][0].index == 0
    finally:
        monitor.stop()
    assert not any(t.name == "dots-gpu-monitor" for t in threading.enumerate())


def test_model_memory_is_used_minus_baseline_when_processes_are_hidden() -> None:
    device = FakeDevice(used=2 * GIB, processes=None)  # WDDM / WSL2 / containers
    monitor = GpuMonitor(NvmlBackend(FakeNvml([device])), interval=0.01)
    monitor.start()
    try:
        monitor.set_baseline()
        device.used = 8 * GIB
        assert _wait_until(lambda: monitor.model_bytes(0) == 6 * GIB)
    finally:
        monitor.stop()


def test_model_memory_sums_processes_when_the_driver_lists_them() -> None:
    device = FakeDevice(used=9 * GIB, processes=[(1, 5 * GIB), (2, 1 * GIB), (3, None)])
    monitor = GpuMonitor(NvmlBackend(FakeNvml([device])))
    monitor.start()
    try:
        assert monitor.model_bytes(0) == 6 * GIB
    finally:
        monitor.stop()


def test_two_gpus_are_read_separately() -> None:
    nvml = FakeNvml([FakeDevice(used=GIB), FakeDevice(name="RTX A4000", used=2 * GIB)])
    samples = read_gpus([NvmlBackend(nvml)])
    assert [(s.index, s.used_bytes) for s in samples] == [(0, GIB), (1, 2 * GIB)]


def test_nvidia_smi_csv_with_missing_values_is_read() -> None:
    text = "0, NVIDIA GeForce RTX 4080, 1024, 16376, 7, 45\n1, Tesla T4, 10, 15360, [N/A], [N/A]\n"
    first, second = parse_smi_csv(text, 1.0)
    assert first.used_bytes == 1024 * 1024**2 and first.temperature_c == 45
    assert second.utilization_pct is None and second.free_bytes == (15360 - 10) * 1024**2


def test_nvidia_smi_fallback_missing_is_no_gpu(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert read_gpus([SmiBackend(exe=str(tmp_path / "nvidia-smi"))]) == []


async def test_release_wait_returns_once_memory_is_back_at_baseline() -> None:
    readings = iter([7 * GIB, 5 * GIB, 1 * GIB + 100])

    def read() -> list[GpuSample]:
        used = next(readings)
        return [GpuSample(0, "gpu", 16 * GIB, used, 16 * GIB - used, None, None, 0.0)]

    released, held = await wait_for_release(read, {0: GIB}, timeout=5, interval=0.01)
    assert released and held == 100


async def test_release_wait_gives_up_and_says_how_much_is_still_held() -> None:
    def read() -> list[GpuSample]:
        return [GpuSample(0, "gpu", 16 * GIB, 7 * GIB, 9 * GIB, None, None, 0.0)]

    released, held = await wait_for_release(read, {0: GIB}, timeout=0.05, interval=0.01)
    assert not released and held == 6 * GIB
