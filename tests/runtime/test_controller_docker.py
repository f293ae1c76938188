"""The controller on the real Docker engine with the vLLM simulator image."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from desktop.runtime.containers import MANAGED_LABEL
from desktop.runtime.controller import ContainerController, ContainerState, ControllerStatus
from desktop.runtime.diagnosis import FailureCause, StartupStage
from desktop.runtime.gpu import GpuSample
from desktop.runtime.profiles import GIB, ModelProfile
from tests.runtime.conftest import RUN_LABEL, free_port, our_threads, wait_until

pytestmark = pytest.mark.docker
Factory = Callable[..., ContainerController]


def _ours(client: Any, run_id: str) -> list[Any]:
    filters = {"label": [f"{RUN_LABEL}={run_id}", f"{MANAGED_LABEL}=1"]}
    return list(client.containers.list(all=True, filters=filters))


async def test_start_goes_through_the_stages_in_order_to_ready(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile]
) -> None:
    controller = make_controller()
    seen: list[ControllerStatus] = []
    controller.subscribe(seen.append)
    status = await controller.start(sim_profile("a"))
    assert status.state is ContainerState.READY, status
    states = [s.state for s in seen]
    assert states.index(ContainerState.STARTING) < states.index(ContainerState.READY)
    order = [StartupStage.LOADING_WEIGHTS.label, StartupStage.PROFILING.label]
    order += [StartupStage.KV_CACHE.label, StartupStage.API_SERVER.label]
    assert [s for s in status.stages_seen if s in order] == order
    assert status.served_name == "sim-a" and status.max_model_len == 16384
    assert any("Application startup complete" in line for line in controller.logs())


async def test_the_port_is_on_loopback_only_and_v1_refuses_requests_without_the_key(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile], docker_client: Any
) -> None:
    controller = make_controller()
    status = await controller.start(sim_profile("a"))
    assert status.state is ContainerState.READY and status.api_key
    attrs = docker_client.api.inspect_container(status.container_id)
    bindings = attrs["HostConfig"]["PortBindings"]["8000/tcp"]
    assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]
    assert attrs["HostConfig"]["Init"] is True
    async with httpx.AsyncClient(trust_env=False) as http:
        assert (await http.get(f"{status.endpoint}/models")).status_code == 401
        wrong = await http.get(f"{status.endpoint}/models", headers={"Authorization": "Bearer x"})
        assert wrong.status_code == 401
        auth = {"Authorization": f"Bearer {status.api_key}"}
        assert (await http.get(f"{status.endpoint}/models", headers=auth)).status_code == 200


async def test_each_start_gets_a_new_key(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile]
) -> None:
    controller = make_controller()
    first = (await controller.start(sim_profile("a"))).api_key
    await controller.stop()
    second = (await controller.start(sim_profile("a"))).api_key
    assert first and second and first != second


async def test_stop_stops_and_removes_our_container(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    docker_client: Any,
    run_id: str,
) -> None:
    controller = make_controller()
    await controller.start(sim_profile("a"))
    assert len(_ours(docker_client, run_id)) == 1
    status = await controller.stop()
    assert status.state is ContainerState.STOPPED and status.endpoint is None
    assert _ours(docker_client, run_id) == []


class FakeGpu:
    """GPU readings: the model holds 6 GiB while running; after stop it lingers ``linger`` reads."""

    def __init__(self, linger: int = 3) -> None:
        self.base = 1 * GIB
        self.held = 0
        self.linger = linger
        self.reads = 0
        self.reads_after_stop = 0
        self._stopped = False

    def on_status(self, status: ControllerStatus) -> None:
        if status.state is ContainerState.READY:
            self.held, self._stopped = 6 * GIB, False
        elif status.state is ContainerState.STOPPED:
            self._stopped = True

    def read(self) -> list[GpuSample]:
        self.reads += 1
        if self._stopped:
            self.reads_after_stop += 1
            if self.reads_after_stop >= self.linger:
                self.held = 0
        used = self.base + self.held
        return [GpuSample(0, "fake", 16 * GIB, used, 16 * GIB - used, 0.0, 40.0, 0.0)]


async def test_switch_stops_a_waits_for_gpu_memory_to_return_then_starts_b(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    docker_client: Any,
    run_id: str,
) -> None:
    gpu = FakeGpu(linger=3)
    controller = make_controller(gpu_reader=gpu.read)
    controller.subscribe(gpu.on_status)
    assert (await controller.start(sim_profile("a"))).state is ContainerState.READY
    status = await controller.switch(sim_profile("b"))
    assert status.state is ContainerState.READY and status.profile_id == "sim-b"
    assert gpu.reads_after_stop >= 3  # it waited for the memory to come back
    names = [c.name for c in _ours(docker_client, run_id)]
    assert names == [f"dd-test-{run_id}-sim-b"]


async def test_switch_says_clearly_when_gpu_memory_is_not_released(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile]
) -> None:
    gpu = FakeGpu(linger=10**9)
    controller = make_controller(gpu_reader=gpu.read, release_timeout=0.5)
    controller.subscribe(gpu.on_status)
    await controller.start(sim_profile("a"))
    status = await controller.switch(sim_profile("b"))
    assert status.state is ContainerState.FAILED
    assert status.cause == FailureCause.GPU_BUSY
    assert "6.0 GiB is still held" in status.message and status.fix


async def test_concurrent_switches_run_one_at_a_time_and_the_last_wins(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    docker_client: Any,
    run_id: str,
) -> None:
    controller = make_controller()
    results = await asyncio.gather(
        controller.switch(sim_profile("a")),
        controller.switch(sim_profile("b")),
        controller.switch(sim_profile("c")),
    )
    assert results[-1].state is ContainerState.READY and results[-1].profile_id == "sim-c"
    assert controller.status.profile_id == "sim-c"
    assert [c.name for c in _ours(docker_client, run_id)] == [f"dd-test-{run_id}-sim-c"]


def _hand_started(client: Any, image: str, run_id: str, port: int, *args: str) -> Any:
    """Like the user's own `docker run ... --name dots-ocr-vllm-optimized` (no label of ours)."""
    command = ["--model", "rednote-hilab/dots.ocr", "--sim-startup-seconds", "0.2", *args]
    return client.containers.run(
        image,
        command,
        name=f"dots-ocr-vllm-optimized-{run_id}",
        detach=True,
        init=True,
        labels={RUN_LABEL: run_id},
        ports={"8000/tcp": ("127.0.0.1", port)},
    )


async def test_a_hand_started_vllm_container_on_the_port_is_adopted_not_started_twice(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    sim_image: str,
    docker_client: Any,
    run_id: str,
) -> None:
    port = free_port()
    hand = _hand_started(docker_client, sim_image, run_id, port, "--api-key", "hand-key")
    controller = make_controller(port=port)
    profile = sim_profile("a", hf_model_id="rednote-hilab/dots.ocr")
    status = await controller.start(profile)
    assert status.state is ContainerState.READY, status
    assert status.adopted and not status.managed
    assert status.api_key == "hand-key"  # read from its command line
    assert status.container_name == hand.name
    assert _ours(docker_client, run_id) == []  # no second server
    stopped = await controller.stop()
    assert "left running" in stopped.note
    await controller.aclose()
    hand.reload()
    assert hand.status == "running"


async def test_a_foreign_container_is_never_stopped_or_removed(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    sim_image: str,
    docker_client: Any,
    run_id: str,
) -> None:
    plain = docker_client.containers.run(
        sim_image,
        ["--model", "x", "--sim-startup-seconds", "0.1"],
        detach=True,
        init=True,
        labels={RUN_LABEL: run_id},
    )
    controller = make_controller()
    await controller.start(sim_profile("a"))
    await controller.switch(sim_profile("b"))
    await controller.stop()
    await controller.aclose()
    plain.reload()
    assert plain.status == "running"


@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        ("startup-oom", FailureCause.GPU_OOM),
        ("free-memory-low", FailureCause.FREE_MEMORY_LOW),
        ("no-kernel-image", FailureCause.NO_KERNEL_IMAGE),
        # vLLM's "Failed to infer device type": the container sees no GPU.
        ("no-gpu", FailureCause.NO_GPU_IN_CONTAINER),
        # The Hub's not-found text also says "private or gated repo": not found wins.
        ("model-not-found", FailureCause.MODEL_NOT_FOUND),
    ],
)
async def test_a_failed_start_is_diagnosed_and_leaves_no_container(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    docker_client: Any,
    run_id: str,
    fault: str,
    cause: FailureCause,
) -> None:
    controller = make_controller()
    status = await controller.start(sim_profile("a", "--sim-fault", fault))
    assert status.state is ContainerState.FAILED
    assert status.cause == cause, status.message
    assert status.message and status.fix
    assert _ours(docker_client, run_id) == []


async def test_the_free_memory_vllm_printed_travels_with_the_failure(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile]
) -> None:
    # GIVEN a card with 12.1 of 15.92 GiB free and a profile asking for 0.85 of it
    profile = sim_profile(
        "a", "--sim-gpu-total-gib", "15.92", "--sim-gpu-free-gib", "12.1",
        gpu_memory_utilization=0.85,
    )  # fmt: skip
    status = await make_controller().start(profile)
    # THEN the numbers from vLLM's own line reach the status and the sentence
    assert status.cause == FailureCause.FREE_MEMORY_LOW
    assert (status.free_gib, status.total_gib) == (12.1, 15.92)
    assert "12.10 of 15.92 GiB" in status.message and "13.53 GiB" in status.message


async def test_the_container_runs_vllm_serve_with_the_model_first(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile], docker_client: Any
) -> None:
    status = await make_controller().start(sim_profile("a"))
    assert status.state is ContainerState.READY, status
    config = docker_client.api.inspect_container(status.container_id)["Config"]
    assert config["Entrypoint"] == ["vllm", "serve"]
    assert config["Cmd"][0] == "rednote-hilab/dots.ocr" and "--model" not in config["Cmd"]


async def test_no_gpu_here_fails_at_once_without_pulling_or_creating_a_container(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    docker_client: Any,
    run_id: str,
) -> None:
    # GIVEN Docker on this computer, NVML seeing no GPU, and an image that is not here
    controller = make_controller(gpu_reader=lambda: [])
    profile = sim_profile("a", gpu=True, image="dots-desktop/never-pulled:none")
    seen: list[ControllerStatus] = []
    controller.subscribe(seen.append)
    status = await controller.start(profile)
    # THEN it fails naming the GPU; nothing was pulled and no container was made
    assert status.cause == FailureCause.NO_GPU and "No NVIDIA GPU" in status.message
    assert ContainerState.PULLING not in [s.state for s in seen]
    assert _ours(docker_client, run_id) == []
    assert not docker_client.images.list(name="dots-desktop/never-pulled")


async def test_kv_cache_too_small_is_retried_once_with_the_length_vllm_suggests(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile]
) -> None:
    controller = make_controller()
    profile = sim_profile("a", "--sim-fault", "kv-too-small", "--sim-estimated-max-len", "5008")
    status = await controller.start(profile)
    assert status.state is ContainerState.READY, status
    assert status.max_model_len == 5008
    assert "--max-model-len 5008" in status.note


async def test_a_gpu_request_without_the_nvidia_runtime_is_diagnosed_and_cleaned_up(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    docker_client: Any,
    run_id: str,
) -> None:
    info = docker_client.info()
    if "nvidia" in (info.get("Runtimes") or {}):
        pytest.skip("this engine has the NVIDIA runtime")
    controller = make_controller()
    status = await controller.start(sim_profile("a", gpu=True))
    assert status.cause == FailureCause.NO_NVIDIA_RUNTIME, status.message
    assert "NVIDIA Container Toolkit" in status.fix
    assert _ours(docker_client, run_id) == []  # the 'created' container was removed


async def test_a_missing_image_offline_is_diagnosed(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile]
) -> None:
    controller = make_controller()
    status = await controller.start(sim_profile("a", image="dots-desktop/no-such-image:never"))
    assert status.state is ContainerState.FAILED
    assert status.cause in (FailureCause.IMAGE_MISSING_OFFLINE,)


async def test_a_crash_after_ready_is_noticed_from_docker_events(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile], docker_client: Any
) -> None:
    controller = make_controller()
    status = await controller.start(sim_profile("a"))
    docker_client.containers.get(status.container_id).kill()
    for _ in range(600):  # >= 30 s
        if controller.status.state is ContainerState.FAILED:
            break
        await asyncio.sleep(0.05)
    assert controller.status.state is ContainerState.FAILED
    assert "exit code 137" in controller.status.message


async def test_keep_running_after_quit_and_a_new_controller_adopts_it(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    docker_client: Any,
    run_id: str,
) -> None:
    port = free_port()
    first = make_controller(port=port, keep_running_after_quit=True)
    started = await first.start(sim_profile("a"))
    await first.aclose()
    assert [c.status for c in _ours(docker_client, run_id)] == ["running"]
    second = make_controller(port=port)
    status = await second.adopt()
    assert status.state is ContainerState.READY and status.adopted and status.managed
    assert status.api_key == started.api_key and status.profile_id == "sim-a"
    await second.stop()
    assert _ours(docker_client, run_id) == []


async def test_an_unreachable_engine_gives_a_clear_failed_state(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/dead.sock")
    controller = make_controller()
    status = await controller.start(sim_profile("a"))
    assert status.state is ContainerState.FAILED
    assert status.cause == FailureCause.DOCKER_UNAVAILABLE
    assert "Docker" in status.message and status.fix
    monkeypatch.delenv("DOCKER_HOST")
    # Recovery: the engine is back, the next start works.
    assert (await controller.start(sim_profile("a"))).state is ContainerState.READY


async def test_nothing_is_left_behind_after_close(
    sim_profile: Callable[..., ModelProfile], docker_client: Any, run_id: str, tmp_path: Any
) -> None:
    controller = ContainerController(
        hf_cache=str(tmp_path),
        weights_here=False,
        port=free_port(),
        labels={RUN_LABEL: run_id},
        name_prefix=f"dd-test-{run_id}-",
        gpu_reader=None,
        token_getter=lambda: None,
    )
    assert (await controller.start(sim_profile("a"))).state is ContainerState.READY
    assert our_threads()
    await controller.aclose()
    assert wait_until(lambda: not our_threads(), 20), our_threads()
    assert _ours(docker_client, run_id) == []


async def test_the_engine_stopping_mid_run_is_reported_and_recovered_when_it_returns(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    from tests.runtime.sockproxy import EngineProxy

    proxy = EngineProxy(tmp_path / "engine.sock")
    proxy.start()
    monkeypatch.setenv("DOCKER_HOST", proxy.url)
    controller = make_controller()
    try:
        assert (await controller.start(sim_profile("a"))).state is ContainerState.READY
        proxy.cut()
        for _ in range(600):  # >= 30 s
            if controller.status.state is ContainerState.FAILED:
                break
            await asyncio.sleep(0.05)
        assert controller.status.state is ContainerState.FAILED
        assert controller.status.cause == FailureCause.DOCKER_UNAVAILABLE
        assert "Docker" in controller.status.message
        proxy.start()  # the engine is back; the model container kept running
        status = await controller.adopt()
        assert status.state is ContainerState.READY and status.profile_id == "sim-a"
        await controller.stop()
    finally:
        proxy.cut()


async def test_a_server_that_hides_health_is_ready_once_v1_models_answers(
    make_controller: Factory, sim_profile: Callable[..., ModelProfile]
) -> None:
    controller = make_controller()
    status = await controller.start(sim_profile("a", "--sim-fault", "hide-health"))
    assert status.state is ContainerState.READY


async def test_a_profile_that_cannot_fit_the_free_memory_is_refused_before_starting(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    docker_client: Any,
    run_id: str,
) -> None:
    def busy_gpu() -> list[GpuSample]:
        return [GpuSample(0, "fake", 16 * GIB, 13 * GIB, 3 * GIB, 90.0, 60.0, 0.0)]

    controller = make_controller(gpu_reader=busy_gpu)
    status = await controller.start(sim_profile("a", gpu=True))
    assert status.state is ContainerState.FAILED
    assert status.cause == FailureCause.NOT_ENOUGH_VRAM
    assert "3.0 GiB is free" in status.message
    assert _ours(docker_client, run_id) == []


async def test_switching_away_from_a_hand_started_server_asks_before_stopping_it(
    make_controller: Factory,
    sim_profile: Callable[..., ModelProfile],
    sim_image: str,
    docker_client: Any,
    run_id: str,
) -> None:
    port = free_port()
    hand = _hand_started(docker_client, sim_image, run_id, port)
    controller = make_controller(port=port)
    await controller.adopt()
    status = await controller.switch(sim_profile("b", hf_model_id="Qwen/Qwen3-VL-2B-Instruct"))
    assert status.cause == FailureCause.FOREIGN_CONTAINER
    assert status.state is ContainerState.READY  # the user's server is still usable
    assert hand.name in status.message and "docker stop" in status.fix
    hand.reload()
    assert hand.status == "running"
    assert _ours(docker_client, run_id) == []
