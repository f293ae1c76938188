"""The simulator image runs like a vLLM container: published port, health, models, fast stop."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.vllm_sim.fixtures import REPO, SimContainer


@pytest.mark.docker
def test_the_image_serves_health_and_models_and_stops_on_sigterm(
    sim_container: Callable[..., SimContainer],
) -> None:
    # GIVEN the image started the way the runtime starts vLLM (model + flags as the command)
    sim = sim_container(
        "--model",
        "rednote-hilab/dots.ocr",
        "--served-model-name",
        "dots",
        "--max-model-len",
        "8192",
    )
    # WHEN a client talks to the published loopback port
    health = httpx.get(sim.url("/health"), timeout=5)
    models = httpx.get(sim.url("/v1/models"), timeout=5).json()
    # THEN it answers like vLLM
    assert health.status_code == 200
    assert models["data"][0]["id"] == "dots"
    assert models["data"][0]["max_model_len"] == 8192
    assert "Starting vLLM API server 0 on http://0.0.0.0:8000" in sim.logs()
    # AND with an init process SIGTERM stops it (137 would mean killed after the timeout)
    sim.container.stop(timeout=10)
    sim.container.reload()
    assert sim.container.attrs["State"]["ExitCode"] in (0, 143)


@pytest.mark.docker
def test_vllm_serve_takes_the_model_first_and_refuses_the_model_flag_like_vllm_0110(
    sim_container: Callable[..., SimContainer],
) -> None:
    # GIVEN the entrypoint the app uses, with the model as the first argument
    sim = sim_container("serve", "org/first", entrypoint=["vllm"])
    models = httpx.get(sim.url("/v1/models"), timeout=5).json()
    assert models["data"][0]["id"] == "org/first"
    # GIVEN the older command line (--model) under vllm serve: refused, as vLLM 0.11.0 does
    refused = sim_container("serve", "--model", "org/x", entrypoint=["vllm"], wait=False)
    assert refused.container.wait(timeout=30)["StatusCode"] == 1
    assert "you should provide the model as a positional argument" in refused.logs()


@pytest.mark.docker
def test_the_image_runs_this_checkouts_simulator(sim_image: str, docker_client: Any) -> None:
    # GIVEN other checkouts may build their own simulator on the same Docker engine
    hashes = (
        "import hashlib, pathlib\n"
        "for p in sorted(pathlib.Path('tests/vllm_sim').rglob('*.py')):\n"
        "    print(p, hashlib.sha256(p.read_bytes()).hexdigest())\n"
    )
    # WHEN the image the tests start lists its simulator's files
    out = docker_client.containers.run(
        sim_image, ["-c", hashes], entrypoint="python3", remove=True, network_disabled=True
    )
    # THEN they are this checkout's, byte for byte
    here = sorted((REPO / "tests" / "vllm_sim").rglob("*.py"))
    expected = [
        f"{p.relative_to(REPO).as_posix()} {hashlib.sha256(p.read_bytes()).hexdigest()}"
        for p in here
    ]
    assert out.decode().splitlines() == expected
