"""`dots-desktop models ...` and `dots-desktop doctor` as a user runs them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import run
from desktop.commands import doctor as doctor_cmd
from desktop.commands import models as models_cmd
from desktop.runtime.controller import ContainerController
from desktop.runtime.gpu import GpuSample
from desktop.runtime.profiles import GIB
from tests.fakehub import FakeHub, weights_repo
from tests.runtime.conftest import RUN_LABEL, free_port


def _gpu(free_gib: float, total_gib: float = 15.92) -> list[GpuSample]:
    total, free = int(total_gib * GIB), int(free_gib * GIB)
    return [GpuSample(0, "NVIDIA GeForce RTX 5070 Ti", total, total - free, free, 1, 40, 0)]


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the English words (children too): whatever locale runs them."""
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


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


def test_doctor_without_docker_or_gpu_says_the_built_in_engine_reads_pages_and_exits_0(
    dead_docker: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DOTS_DESKTOP_ENDPOINT", raising=False)
    monkeypatch.setattr(doctor_cmd, "read_gpus", list)
    assert run(["doctor"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[ok] Built-in engine: ready")
    assert any(line.startswith("[--] Remote server: none configured") for line in out)
    # The managed model's prerequisites, each on its line, with the fix under a problem
    managed = out.index(next(line for line in out if "Managed model" in line))
    assert "cannot run here" in out[managed]
    below = "\n".join(out[managed + 1 :])
    assert "[!!] No NVIDIA GPU" in below and "built-in engine" in below and "Docker" in below
    assert out[-1] == "You can read pages here with: the built-in engine."


def test_doctor_reads_in_russian_in_a_russian_locale(
    dead_docker: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DOTS_DESKTOP_ENDPOINT", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    monkeypatch.setattr(doctor_cmd, "read_gpus", list)
    assert run(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "Встроенный движок: готов" in out and "Нет GPU NVIDIA" in out
    assert out.strip().splitlines()[-1] == "Читать страницы здесь можно так: встроенный движок."


def test_doctor_exits_1_only_when_no_engine_can_read_pages(
    dead_docker: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.core.messages import Code, Msg
    from desktop.engines.builtin import engine as builtin_engine

    monkeypatch.delenv("DOTS_DESKTOP_ENDPOINT", raising=False)
    monkeypatch.setattr(doctor_cmd, "read_gpus", list)
    missing = Msg.of(Code.BUILTIN_LIBRARIES_MISSING, detail="No module named 'onnxruntime'")
    monkeypatch.setattr(builtin_engine, "builtin_available", lambda: missing)
    assert run(["doctor"]) == 1
    captured = capsys.readouterr()
    assert "[!!] Built-in engine: cannot run" in captured.out
    assert captured.err.startswith("No engine can read pages here.")


def test_doctor_checks_the_endpoint_its_key_and_the_context_length(
    vllm_sim: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    dead_docker: None,
) -> None:
    monkeypatch.setattr(doctor_cmd, "read_gpus", list)
    sim = vllm_sim(api_key="right")
    monkeypatch.setenv("DOTS_DESKTOP_ENDPOINT", sim.base_url)
    monkeypatch.setenv("DOTS_DESKTOP_API_KEY", "wrong")
    assert run(["doctor"]) == 0  # the built-in engine still reads pages
    out = capsys.readouterr().out
    assert "refuses the API key" in out and "the remote server" not in out.splitlines()[-1]
    monkeypatch.setenv("DOTS_DESKTOP_API_KEY", "right")
    assert run(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "key accepted" in out and sim.served_model_name in out
    assert "context length 32768 tokens" in out
    assert out.splitlines()[-1] == (
        "You can read pages here with: the built-in engine, the remote server."
    )
    monkeypatch.setenv("DOTS_DESKTOP_MODEL", "not-served")
    assert run(["doctor"]) == 0
    assert "does not serve not-served" in capsys.readouterr().out


def test_doctor_says_when_the_endpoint_is_unreachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], dead_docker: None
) -> None:
    monkeypatch.setattr(doctor_cmd, "read_gpus", list)
    monkeypatch.setenv("DOTS_DESKTOP_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    assert run(["doctor"]) == 0
    assert "cannot be reached" in capsys.readouterr().out


@pytest.mark.docker
def test_models_start_without_a_gpu_fails_within_seconds_naming_the_gpu(
    docker_client: Any, tmp_path: Path
) -> None:
    # This machine as a new user has it: Docker works, NVML finds no GPU.
    from desktop.runtime.gpu import read_gpus

    if read_gpus():
        pytest.skip("this machine has an NVIDIA GPU")
    # (Other sessions share this engine: look only at what this start would have made.)
    image = "vllm/vllm-openai"
    had_image = bool(docker_client.images.list(name=image))
    ours = {"label": "dots-desktop.profile=dots.ocr"}
    containers = {c.id for c in docker_client.containers.list(all=True, filters=ours)}
    env = {**os.environ, "DOTS_DESKTOP_HOME": str(tmp_path), "DOTS_DESKTOP_PORT": str(free_port())}
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "models", "start", "dots.ocr"],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    took = time.monotonic() - began
    assert done.returncode == 1
    assert done.stderr.startswith("error: No NVIDIA GPU") and "built-in engine" in done.stderr
    assert took < 10, took
    assert bool(docker_client.images.list(name=image)) == had_image  # nothing pulled
    assert {c.id for c in docker_client.containers.list(all=True, filters=ours)} <= containers


def _sim_profile(profile_id: str, sim_image: str, *, startup_s: float) -> None:
    """A user profile that runs the simulator image (no GPU) under ``profile_id``."""
    from desktop.core.paths import config_dir

    folder = config_dir() / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{profile_id}.toml").write_text(
        f'id = "{profile_id}"\nhf_model_id = "rednote-hilab/dots.ocr"\nimage = "{sim_image}"\n'
        f'gpu = false\nflags = ["--sim-startup-seconds", "{startup_s}"]\n'
    )


def _scope_controller(monkeypatch: pytest.MonkeyPatch, run_id: str, cache: Path) -> None:
    """The models command's controller labelled with this test run (so a parallel session's
    containers are never touched) and with ``cache`` as its weights folder."""
    real = models_cmd._controller

    def scoped(profiles: Any) -> ContainerController:
        controller = real(profiles)
        controller.labels = {RUN_LABEL: run_id}
        controller.hf_cache = str(cache)
        return controller

    monkeypatch.setattr(models_cmd, "_controller", scoped)


#: ``python -c`` this, then label key, label value and the CLI's arguments: the CLI with
#: its model controller scoped by that label (as ``_scope_controller`` does in process).
_SCOPED_CLI = """
import sys
from desktop.cli import run
from desktop.commands import models
real = models._controller
def scoped(profiles):
    controller = real(profiles)
    controller.labels = {sys.argv[1]: sys.argv[2]}
    return controller
models._controller = scoped
sys.exit(run(sys.argv[3:]))
"""


@contextlib.contextmanager
def sim_model_here(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, run_id: str, profile_id: str, sim_image: str
) -> Iterator[int]:
    """A simulator profile ``profile_id``, this run's controller on a free port (yielded)
    and a fake Hub with dots.ocr's weights, closed on exit."""
    _sim_profile(profile_id, sim_image, startup_s=0.2)
    port = free_port()
    monkeypatch.setenv("DOTS_DESKTOP_PORT", str(port))
    _scope_controller(monkeypatch, run_id, tmp_path)
    hub = FakeHub(repos={"rednote-hilab/dots.ocr": weights_repo()}, delay=0.01).start()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    try:
        yield port
    finally:
        hub.close()


def _scope_doctor(monkeypatch: pytest.MonkeyPatch, run_id: str) -> None:
    """The doctor looks for a running model among this test run's containers only."""
    from desktop.runtime import containers as ct

    real = ct.find_server_container

    def ours(client: Any, port: int, labels: dict[str, str] | None = None) -> Any:
        return real(client, port, {**(labels or {}), RUN_LABEL: run_id})

    monkeypatch.setattr(ct, "find_server_container", ours)


@pytest.mark.docker
def test_models_start_status_logs_stop_round_trip(
    tmp_path: Path,
    sim_image: str,
    run_id: str,
    docker_client: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with sim_model_here(monkeypatch, tmp_path, run_id, f"cli-{run_id}", sim_image) as port:
        assert run(["models", "start", f"cli-{run_id}"]) == 0
    started = capsys.readouterr()
    assert "State: ready" in started.out and f"127.0.0.1:{port}/v1" in started.out
    lines = started.err.splitlines()
    # The weights come first, in bytes of the total, with speed and time left.
    progress = [ln for ln in lines if ln.startswith("downloading the weights: ")]
    assert len(progress) >= 3 and "MiB/s" in progress[0] and "left" in progress[0]
    assert "(100%)" in progress[-1]
    loading = next(i for i, ln in enumerate(lines) if "loading weights" in ln)
    assert lines.index(progress[-1]) < loading
    assert run(["models", "status"]) == 0
    assert "State: ready" in capsys.readouterr().out
    _scope_doctor(monkeypatch, run_id)
    assert run(["doctor"]) == 0
    doctor = capsys.readouterr().out
    assert f"[ok] The model's server answers at http://127.0.0.1:{port}/v1 (key accepted)" in doctor
    assert run(["models", "logs", "--tail", "5"]) == 0
    assert "Application startup complete" in capsys.readouterr().out
    assert run(["models", "stop"]) == 0
    assert docker_client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"}) == []


@pytest.mark.docker
def test_models_start_of_a_gated_model_asks_for_the_token_once_in_a_terminal(
    tmp_path: Path,
    sim_image: str,
    run_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import getpass

    import keyring

    from desktop.runtime import containers as ct

    _sim_profile(f"gated-{run_id}", sim_image, startup_s=0.1)
    monkeypatch.setenv("DOTS_DESKTOP_PORT", str(free_port()))
    kept: dict[tuple[str, str], str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda s, u, p: kept.__setitem__((s, u), p))
    monkeypatch.setattr(keyring, "get_password", lambda s, u: kept.get((s, u)))
    monkeypatch.setattr(ct, "_session_token", [])
    monkeypatch.delenv("HF_TOKEN", raising=False)
    _scope_controller(monkeypatch, run_id, tmp_path)
    hub = FakeHub(repos={"rednote-hilab/dots.ocr": weights_repo(gated=True)}).start()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    try:
        # No terminal (a script): exit 1 at once, naming the cause and the fix.
        monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
        assert run(["models", "start", f"gated-{run_id}"]) == 1
        err = capsys.readouterr().err
        assert "gated" in err and "token" in err
        # A terminal: asked once, kept in the keyring, started.
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        asked: list[str] = []

        def paste(prompt: str) -> str:
            asked.append(prompt)
            return hub.token

        monkeypatch.setattr(getpass, "getpass", paste)
        assert run(["models", "start", f"gated-{run_id}"]) == 0
        assert len(asked) == 1 and "rednote-hilab/dots.ocr" in asked[0]
        assert kept == {(ct.KEYRING_SERVICE, ct.KEYRING_HF_USER): hub.token}
        assert "keyring" in capsys.readouterr().err
        assert run(["models", "stop"]) == 0
    finally:
        hub.close()


@pytest.mark.docker
def test_ctrl_c_during_the_weights_download_exits_at_once_and_keeps_the_bytes(
    tmp_path: Path, sim_image: str, run_id: str, docker_client: Any
) -> None:
    from desktop.runtime import weightstore

    home = tmp_path / "home"
    (home / "config" / "profiles").mkdir(parents=True)
    (home / "config" / "profiles" / "c.toml").write_text(
        f'id = "ctrlc"\nhf_model_id = "rednote-hilab/dots.ocr"\nimage = "{sim_image}"\n'
        "gpu = false\nflags = []\n"
    )
    repo = weights_repo(size=8 * 1024 * 1024)
    # ~32 s for the whole file (0.25 s per 64 KiB): "at once" (< 15 s, a busy machine's
    # Python included) stays far from "after the download" (0.05 s made it 6 s in all).
    hub = FakeHub(repos={"rednote-hilab/dots.ocr": repo}, delay=0.25).start()
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "DOTS_DESKTOP_HOME": str(home),
        "DOTS_DESKTOP_PORT": str(free_port()),
    }
    # The CLI in a child, its controller labelled with this run: a model another session
    # runs on the shared engine is neither adopted (it "serves" dots.ocr too) nor stopped,
    # and docker_client removes what this one started, should the download beat the signal.
    child = subprocess.Popen(
        [sys.executable, "-c", _SCOPED_CLI, RUN_LABEL, run_id, "models", "start", "ctrlc"],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stderr is not None
        line, said = "", []
        while "GiB" not in line:  # the first progress line: the download is under way
            line = child.stderr.readline()
            said.append(line)
            assert line, f"models start ended before downloading: {said}"
        # Until bytes are on disk (a fixed pause was too short on a busy machine).
        blobs = weightstore.repo_folder(home / "data" / "huggingface", "rednote-hilab/dots.ocr")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            p.stat().st_size > 0 for p in (blobs / "blobs").glob("*.incomplete")
        ):
            time.sleep(0.02)
        began = time.monotonic()
        child.send_signal(signal.SIGINT)
        child.wait(20)
        assert time.monotonic() - began < 15  # not after the whole download
    finally:
        child.kill()
        hub.close()
    assert child.returncode != 0
    (partial,) = (blobs / "blobs").glob("*.incomplete")
    assert partial.stat().st_size > 0  # the next start continues from these


def test_doctor_names_a_broken_user_profile_and_still_checks_the_rest(
    dead_docker: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.core.paths import config_dir

    monkeypatch.delenv("DOTS_DESKTOP_ENDPOINT", raising=False)
    monkeypatch.setattr(doctor_cmd, "read_gpus", list)
    folder = config_dir() / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mine.toml").write_text('id = "mine"\nimage = "x:1"\n')
    assert run(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "mine.toml" in out and "'hf_model_id'" in out
    assert "Built-in engine: ready" in out
