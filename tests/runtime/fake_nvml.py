"""A fake of the pynvml module: the NVML boundary the GPU monitor talks to."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

GIB = 1024**3


class NVMLError(Exception):
    pass


@dataclass
class FakeDevice:
    name: str = "NVIDIA GeForce RTX 5070 Ti"
    total: int = 16 * GIB
    used: int = 1 * GIB
    util: int = 3
    temp: int = 41
    processes: list[tuple[int, int | None]] | None = None  # None: "not supported" (WDDM)


@dataclass
class FakeNvml:
    devices: list[FakeDevice] = field(default_factory=lambda: [FakeDevice()])
    fail_init: bool = False
    calls: int = 0
    shutdowns: int = 0

    def nvmlInit(self) -> None:
        if self.fail_init:
            raise NVMLError("NVML Shared Library Not Found")

    def nvmlShutdown(self) -> None:
        self.shutdowns += 1

    def nvmlDeviceGetCount(self) -> int:
        return len(self.devices)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> FakeDevice:
        return self.devices[index]

    def nvmlDeviceGetMemoryInfo(self, dev: FakeDevice) -> Any:
        self.calls += 1
        return SimpleNamespace(total=dev.total, used=dev.used, free=dev.total - dev.used)

    def nvmlDeviceGetName(self, dev: FakeDevice) -> bytes:
        return dev.name.encode()

    def nvmlDeviceGetUtilizationRates(self, dev: FakeDevice) -> Any:
        return SimpleNamespace(gpu=dev.util, memory=0)

    def nvmlDeviceGetTemperature(self, dev: FakeDevice, sensor: int) -> int:
        return dev.temp

    def nvmlDeviceGetComputeRunningProcesses(self, dev: FakeDevice) -> list[Any]:
        if dev.processes is None:
            raise NVMLError("Not Supported")
        return [SimpleNamespace(pid=p, usedGpuMemory=m) for p, m in dev.processes]
