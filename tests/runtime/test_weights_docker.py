"""Weights downloaded on this computer before the simulator container starts (issue 16's
acceptance): progress in bytes and total before "loading weights", a resumed download after a
cut, the container reading the mounted cache with the Hub offline, and refusing without it."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.messages import Code, Msg
from desktop.runtime import weightstore
from desktop.runtime.containers import HF_CACHE_IN_CONTAINER, MANAGED_LABEL
from desktop.runtime.controller import ContainerController, ContainerState, ControllerStatus
from desktop.runtime.diagnosis import Stage
from desktop.runtime.profiles import ModelProfile
from tests.fakehub import FakeHub, weights_repo
from tests.runtime.conftest import RUN_LABEL

pytestmark = pytest.mark.docker
Factory = Callable[..., ContainerController]
REPO = "rednote-hilab/dots.ocr"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    fake = FakeHub(repos={REPO: weights_repo(size=4 * 1024 * 1024)}).start()
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    yield fake
    fake.close()


def _ours(client: Any, run_id: str) -> list[Any]:
    filters = {"label": [f"{RUN_LABEL}={run_id}", f"{MANAGED_LABEL}=1"]}
    return list(client.containers.list(all=True, filters=filters))


async def test_download_progress_advances_before_loading_weights_and_the_hub_is_offline_inside(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    hub: FakeHub,
    tmp_path: Path,
    docker_client: Any,
) -> None:
    hub.delay = 0.01
    controller = make_controller(weights_here=True, hf_cache=str(tmp_path))
    seen: list[ControllerStatus] = []
    controller.subscribe(seen.append)
    status = await controller.start(sim_profile("a"))
    assert status.state is ContainerState.READY, status
    downloading = [s for s in seen if s.stage == Stage.WEIGHTS and s.total_bytes]
    done = [s.pulled_bytes for s in downloading]
    assert len(set(done)) >= 3 and done == sorted(done)  # bytes advanced
    files = hub.repos[REPO].files
    needed = sum(len(v) for k, v in files.items() if k != "pytorch_model.bin")
    assert {s.total_bytes for s in downloading} == {needed}  # one total, known from the start
    assert done[-1] == needed
    first_load = next(i for i, s in enumerate(seen) if s.stage == Stage.LOADING_WEIGHTS)
    assert seen.index(downloading[-1]) < first_load  # all of it before "loading weights"
    attrs = docker_client.api.inspect_container(status.container_id)
    assert "HF_HUB_OFFLINE=1" in attrs["Config"]["Env"]
    assert not any(e.startswith("HF_TOKEN=") for e in attrs["Config"]["Env"])
    mounts = {m["Destination"]: m["Source"] for m in attrs["Mounts"]}
    assert mounts[HF_CACHE_IN_CONTAINER] == str(tmp_path)


async def test_a_cut_download_says_so_and_the_next_start_resumes_from_the_bytes_kept(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    hub: FakeHub,
    tmp_path: Path,
    docker_client: Any,
    run_id: str,
) -> None:
    hub.cut_at = 1_500_000
    controller = make_controller(weights_here=True, hf_cache=str(tmp_path))
    failed = await controller.start(sim_profile("a"))
    assert failed.state is ContainerState.FAILED
    assert failed.cause == "weights_cut"
    assert failed.problem is not None and failed.problem.code is Code.WEIGHTS_CUT
    assert failed.remedy == Msg(Code.FIX_WEIGHTS_CUT)
    assert _ours(docker_client, run_id) == []  # no container was created for it
    seen: list[ControllerStatus] = []
    controller.subscribe(seen.append)
    status = await controller.start(sim_profile("a"))
    assert status.state is ContainerState.READY, status
    ranges = [s.range for s in hub.log if s.path.startswith("/cdn/") and s.method == "GET"]
    assert ranges[-1] == "bytes=1500000-"
    first = next(s for s in seen if s.stage == Stage.WEIGHTS and s.total_bytes)
    assert first.pulled_bytes >= 1_500_000  # the bar starts where the cut left it


async def test_the_container_refuses_to_start_offline_without_the_weights_in_the_cache(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile], tmp_path: Path
) -> None:
    controller = make_controller(hf_cache=str(tmp_path))  # nothing downloaded there
    profile = sim_profile("a")
    profile = dataclasses.replace(profile, env={**profile.env, "HF_HUB_OFFLINE": "1"})
    status = await controller.start(profile)
    assert status.state is ContainerState.FAILED
    assert status.cause == "model_download_offline", status
    assert any("Invalid repository ID or local directory" in line for line in controller.logs())


async def test_stop_during_the_download_ends_it_soon_and_keeps_the_bytes_for_the_next_start(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    hub: FakeHub,
    tmp_path: Path,
) -> None:
    hub.delay = 0.05  # ~1.3 MiB/s: a minute of download left when the stop comes
    controller = make_controller(weights_here=True, hf_cache=str(tmp_path))
    profile = sim_profile("a")
    starting = asyncio.ensure_future(controller.start(profile))
    while controller.status.pulled_bytes < 300_000:
        await asyncio.sleep(0.02)
    began = time.monotonic()
    stopped = await controller.stop()
    await asyncio.wait_for(starting, 30)
    assert time.monotonic() - began < 15  # a minute of download was left
    assert stopped.state is not ContainerState.FAILED
    (partial,) = (weightstore.repo_folder(tmp_path, REPO) / "blobs").glob("*.incomplete")
    kept = partial.stat().st_size
    assert kept >= 300_000
    hub.delay = 0.0
    status = await controller.start(profile)
    assert status.state is ContainerState.READY, status
    ranges = [s.range for s in hub.log if s.path.startswith("/cdn/") and s.method == "GET"]
    assert ranges[-1] is not None and int(ranges[-1].split("=")[1].rstrip("-")) >= kept
