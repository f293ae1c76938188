"""`dots-desktop models ...` and `dots-desktop doctor` as a user runs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import run
from desktop.commands import models as models_cmd
from desktop.runtime.controller import ContainerController
from desktop.runtime.gpu import GpuSample
from desktop.runtime.profiles import GIB
from tests.runtime.conftest import RUN_LABEL, free_port


def _gpu(free_gib: float, total_gib: float = 15.92) -> list[GpuSample]:
    total, free = int(total_gib * GIB), int(free_gib * GIB)
    return [GpuSample(0, "NVIDIA GeForce RTX 5070 Ti", total, total - free, free, 1, 40, 0)]


@pytest.fixture
def dead_docker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/dead.sock")


def test_models_list_without_a_gpu_says_so_for_every_profile(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(models_cmd, "read_gpus", list)
    assert run(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "No NVIDIA GPU" in out
    assert "* dots.ocr" in out and out.count("no GPU") == 6


def test_models_list_with_a_busy_16_gb_gpu_says_which_profiles_fit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(models_cmd, "read_gpus", lambda: _gpu(free_gib=11.0))
    assert run(["models", "list"]) == 0
    lines = {line.split()[1] if line.startswith("*") else line.split()[0]: line
             for line in capsys.readouterr().out.splitlines()[1:]}  # fmt: skip
    assert "fits" in lines["qwen3-vl-2b"]
    assert "--gpu-memory-utilization" in lines["dots.ocr"]
    assert "does not fit" in lines["qwen3-vl-8b-fp8"]


def test_models_status_without_docker_fails_with_one_line(
    dead_docker: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["models", "status"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Docker" in err[0]


def test_models_start_of_an_unknown_profile_names_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["models", "start", "gpt-9"]) == 1
    assert "dots.ocr" in capsys.readouterr().err


def test_doctor_without_docker_says_what_is_wrong_and_how_to_fix_it(
    dead_docker: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DOTS_DESKTOP_ENDPOINT", raising=False)
    assert run(["doctor"]) == 1
    captured = capsys.readouterr()
    assert "[!!] Docker:" in captured.out and "Fix:" in captured.out
    assert captured.err.startswith("doctor:") and len(captured.err.strip().splitlines()) == 1


def test_doctor_checks_the_endpoint_and_its_key(
    vllm_sim: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    dead_docker: None,
) -> None:
    sim = vllm_sim(api_key="right")
    monkeypatch.setenv("DOTS_DESKTOP_ENDPOINT", sim.base_url)
    monkeypatch.setenv("DOTS_DESKTOP_API_KEY", "wrong")
    assert run(["doctor"]) == 1
    assert "refuses the API key" in capsys.readouterr().out
    monkeypatch.setenv("DOTS_DESKTOP_API_KEY", "right")
    code = run(["doctor"])
    out = capsys.readouterr().out
    assert "key accepted" in out and sim.served_model_name in out
    assert code == 0  # a working endpoint makes the missing local Docker/GPU optional


def test_doctor_says_when_the_endpoint_is_unreachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], dead_docker: None
) -> None:
    monkeypatch.setenv("DOTS_DESKTOP_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    assert run(["doctor"]) == 1
    assert "cannot be reached" in capsys.readouterr().out


@pytest.mark.docker
def test_models_start_status_logs_stop_round_trip(
    tmp_path: Path,
    sim_image: str,
    run_id: str,
    docker_client: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from desktop.core.paths import config_dir

    folder = config_dir() / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cli.toml").write_text(
        f'id = "cli-{run_id}"\nhf_model_id = "rednote-hilab/dots.ocr"\nimage = "{sim_image}"\n'
        'gpu = false\nflags = ["--sim-startup-seconds", "0.2"]\n'
    )
    port = free_port()
    monkeypatch.setenv("DOTS_DESKTOP_PORT", str(port))
    real = models_cmd._controller

    def scoped(profiles: Any) -> ContainerController:
        # Scope to this test run so a parallel session's containers are never touched.
        controller = real(profiles)
        controller.labels = {RUN_LABEL: run_id}
        controller.hf_cache = str(tmp_path)
        return controller

    monkeypatch.setattr(models_cmd, "_controller", scoped)
    assert run(["models", "start", f"cli-{run_id}"]) == 0
    started = capsys.readouterr()
    assert "State: ready" in started.out and f"127.0.0.1:{port}/v1" in started.out
    assert "loading weights" in started.err
    assert run(["models", "status"]) == 0
    assert "State: ready" in capsys.readouterr().out
    assert run(["models", "logs", "--tail", "5"]) == 0
    assert "Application startup complete" in capsys.readouterr().out
    assert run(["models", "stop"]) == 0
    assert docker_client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"}) == []


def test_doctor_names_a_broken_user_profile_and_still_checks_the_rest(
    dead_docker: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.core.paths import config_dir

    monkeypatch.delenv("DOTS_DESKTOP_ENDPOINT", raising=False)
    folder = config_dir() / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mine.toml").write_text('id = "mine"\nimage = "x:1"\n')
    assert run(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "mine.toml" in out and "'hf_model_id'" in out
    assert "6 profiles" in out
