"""Can a managed model run here: the verdict from NVML, Docker and a probe container."""

from __future__ import annotations

import time
from typing import Any

import pytest

from desktop.core.messages import render
from desktop.runtime.capability import Blocker, DockerFacts, assess, docker_host, judge, probe_gpu
from desktop.runtime.gpu import GpuSample
from desktop.runtime.profiles import GIB, load_profiles

DOTS = load_profiles()["dots.ocr"]


def _gpu(free_gib: float, total_gib: float = 16.0) -> GpuSample:
    total, free = int(total_gib * GIB), int(free_gib * GIB)
    return GpuSample(0, "RTX 5070 Ti", total, total - free, free, 0.0, 40.0, time.time())


def test_no_gpu_with_docker_here_blocks_with_the_gpu_as_the_cause_in_both_languages() -> None:
    verdict = judge(DOTS, [], DockerFacts("27.0"))
    assert verdict.blocker is Blocker.NO_GPU and not verdict.runnable
    assert verdict.problem is not None and verdict.fix is not None
    assert render(verdict.problem).startswith("No NVIDIA GPU")
    assert "built-in engine" in render(verdict.fix)
    assert "GPU NVIDIA" in render(verdict.problem, "ru")


def test_a_gpu_that_fits_can_run_and_carries_the_plan() -> None:
    verdict = judge(DOTS, [_gpu(15.0)], DockerFacts("27.0"))
    assert verdict.runnable and verdict.plan is not None and verdict.plan.fits


def test_a_gpu_too_small_blocks_with_the_shortfall() -> None:
    verdict = judge(DOTS, [_gpu(4.0, 6.0)], DockerFacts("27.0"))
    assert verdict.blocker is Blocker.DOES_NOT_FIT
    assert verdict.problem is not None and "GiB" in render(verdict.problem)


def test_docker_down_blocks_after_the_gpu() -> None:
    from desktop.core.messages import Code, Msg

    down = DockerFacts(unavailable=Msg.of(Code.DOCKER_DOWN, where="unix:///x"))
    assert judge(DOTS, [_gpu(15.0)], down).blocker is Blocker.NO_DOCKER
    assert judge(DOTS, [], down).blocker is Blocker.NO_GPU


def test_remote_docker_is_judged_by_its_probe_not_by_this_computers_nvml() -> None:
    # GIVEN no GPU here, Docker on a GPU server whose probe container got the GPU
    remote_ok = DockerFacts("27.0", host="gpu-box", gpu_for_containers=True)
    assert judge(DOTS, [], remote_ok).runnable
    # GIVEN the probe there was refused the GPU
    refused = DockerFacts(
        "27.0", host="gpu-box", gpu_for_containers=False, probe_detail="could not select"
    )
    verdict = judge(DOTS, [_gpu(15.0)], refused)
    assert verdict.blocker is Blocker.NO_GPU_FOR_CONTAINERS
    assert verdict.problem is not None and "gpu-box" in render(verdict.problem)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        (None, None),
        ("unix:///var/run/docker.sock", None),
        ("npipe:////./pipe/docker_engine", None),
        ("tcp://127.0.0.1:2375", None),
        ("tcp://10.0.0.5:2376", "10.0.0.5"),
        ("ssh://me@gpu-box", "gpu-box"),
    ],
)
def test_where_docker_runs(url: str | None, host: str | None) -> None:
    assert docker_host(url) == host


def test_assess_without_a_gpu_and_local_docker_asks_docker_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setenv("DOCKER_CONTEXT", "default")

    def no_docker(**_kw: Any) -> Any:
        raise AssertionError("Docker was asked although NVML already decided")

    verdict = assess(DOTS, gpu_reader=lambda: [], facts=no_docker)
    assert verdict.blocker is Blocker.NO_GPU


@pytest.mark.docker
def test_the_probe_on_this_engine_is_refused_the_gpu_and_leaves_no_container(
    docker_client: Any, sim_image: str
) -> None:
    # This machine: docker works, GPU requests fail with "could not select device driver".
    before = {c.id for c in docker_client.containers.list(all=True)}
    got, detail = probe_gpu(docker_client, [sim_image])
    assert got is False and "could not select device driver" in detail
    assert {c.id for c in docker_client.containers.list(all=True)} <= before
