"""Fixtures for the runtime tests: simulator profiles and controllers that clean up after them."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# Imported lazily: the GPU test also runs on machines without docker/platformdirs.
if TYPE_CHECKING:
    from desktop.runtime.controller import ContainerController
    from desktop.runtime.profiles import ModelProfile

from tests.docker_fixtures import RUN_LABEL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(cond: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``cond`` (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def our_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("dots-")]


@pytest.fixture
def sim_profile(sim_image: str, run_id: str) -> Callable[..., ModelProfile]:
    """``sim_profile("a", "--sim-fault", "startup-oom")``: dots.ocr pointed at the simulator."""
    from desktop.runtime.profiles import load_profiles

    base = load_profiles()["dots.ocr"]

    def make(name: str = "a", *extra: str, gpu: bool = False, **changes: Any) -> ModelProfile:
        fields: dict[str, Any] = {
            "id": f"sim-{name}",
            "served_name": f"sim-{name}",
            "image": sim_image,
            "gpu": gpu,
            "flags": (*base.flags, "--sim-startup-seconds", "0.3", *extra),
        }
        return dataclasses.replace(base, **{**fields, **changes})

    return make


@pytest.fixture
async def make_controller(
    run_id: str, docker_client: Any, tmp_path: Path
) -> AsyncIterator[Callable[..., ContainerController]]:
    """Controllers scoped to this test run (labels, names, a free port); closed on teardown."""
    from desktop.runtime.controller import ContainerController

    made: list[ContainerController] = []

    def factory(**kwargs: Any) -> ContainerController:
        options: dict[str, Any] = {
            "port": free_port(),
            "labels": {RUN_LABEL: run_id},
            "name_prefix": f"dd-test-{run_id}-",
            "gpu_reader": None,
            "stop_timeout": 5,
            "ready_timeout": 60,
            "release_timeout": 5,
            "token_getter": lambda: None,
            # A folder, not the shared named volume: tests leave no volume behind.
            "hf_cache": str(tmp_path),
            # The container tests are about the container: weights_here tests bring a Hub.
            "weights_here": False,
        }
        options.update(kwargs)
        controller = ContainerController(**options)
        made.append(controller)
        return controller

    yield factory
    for controller in made:
        await controller.aclose()
