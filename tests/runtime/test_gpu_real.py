"""On a machine with an NVIDIA GPU: NVML readings track a real 8 GiB allocation."""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
import time

import pytest

from desktop.runtime.gpu import GpuMonitor, NvmlBackend, read_gpus, wait_for_release

pytestmark = pytest.mark.gpu
GIB = 1024**3
CHILD = """
import sys, torch
block = torch.empty(8 * 1024**3, dtype=torch.uint8, device="cuda")
torch.cuda.synchronize()
print("allocated", flush=True)
sys.stdin.readline()
"""


def test_the_monitor_sees_an_8_gib_allocation_and_the_release_wait_returns() -> None:
    if importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed here")
    gpus = read_gpus()
    if gpus[0].free_bytes < 9 * GIB:
        pytest.skip("less than 9 GiB free on GPU 0")
    monitor = GpuMonitor(NvmlBackend(), interval=1.0)
    monitor.start()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        baseline = monitor.set_baseline()
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "allocated"
        allocated_at = time.monotonic()
        while time.monotonic() - allocated_at < 2.0:
            if (monitor.model_bytes(0) or 0) >= 7.9 * GIB:
                break
            time.sleep(0.02)
        seen_after = time.monotonic() - allocated_at
        held = monitor.model_bytes(0) or 0
        print(f"\nmonitor saw {held / GIB:.2f} GiB {seen_after:.2f} s after the allocation")
        assert held >= 7.9 * GIB, "the monitor did not see the allocation within 2 s"
        child.stdin.write("\n")
        child.stdin.flush()
        child.wait(30)
        freed_at = time.monotonic()
        released, still = asyncio.run(
            wait_for_release(read_gpus, baseline, timeout=30, interval=0.1)
        )
        print(f"release wait returned {released} after {time.monotonic() - freed_at:.2f} s")
        assert released, f"{still / GIB:.2f} GiB still held"
    finally:
        child.kill()
        monitor.stop()
