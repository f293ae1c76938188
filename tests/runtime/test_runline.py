"""`models command PROFILE`: the docker run line the app would use."""

from __future__ import annotations

import shlex
import subprocess
import sys

from desktop.runtime import containers as ct
from desktop.runtime.profiles import load_profiles
from desktop.runtime.runline import docker_run_line


def test_the_line_runs_vllm_serve_with_the_model_first_and_masks_secrets() -> None:
    profile = load_profiles()["dots.ocr"]
    kwargs = ct.create_kwargs(
        profile, name="dots-desktop-dots.ocr", port=8123, api_key="sekret", labels={},
        token="hf_secret",
    )  # fmt: skip
    args = shlex.split(docker_run_line(kwargs))
    image = args.index(profile.image)
    assert args[:2] == ["docker", "run"]
    assert args[args.index("--entrypoint") + 1] == "vllm"
    assert args[image + 1 : image + 3] == ["serve", "rednote-hilab/dots.ocr"]
    assert "--gpus" in args and "127.0.0.1:8123:8000" in args
    assert "sekret" not in args and "HF_TOKEN=hf_secret" not in args
    assert args[args.index("--api-key") + 1] == "****" and "HF_TOKEN=****" in args


def test_models_command_prints_the_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "models", "command", "dots.ocr"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    args = shlex.split(done.stdout)
    assert args[args.index("vllm/vllm-openai:v0.11.0") + 1 :][:2] == [
        "serve",
        "rednote-hilab/dots.ocr",
    ]
    assert "--model" not in args
