"""Pytest plugin (loaded by tests/conftest.py): the simulator in-process, as a process, in Docker.

- ``vllm_sim(*args, **opts) -> SimHandle``: in-process server on a random 127.0.0.1 port.
- ``sim_process(*args, env=None, wait=True) -> SimProcess``: ``python -m tests.vllm_sim``.
- ``sim_image`` (session): the image tag of this checkout's simulator sources, built by
  scripts/build_sim_image.sh if needed.
- ``sim_container(*args, **run_kwargs) -> SimContainer``: the image running, port published on
  127.0.0.1, labelled ``dots-desktop.test=1``, removed on teardown.
This module is only imported on the host, so it may use pytest and the docker SDK.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .inprocess import SimHandle, SimStartupError, start_sim

__all__ = ["SIM_IMAGE", "SimContainer", "SimHandle", "SimProcess", "SimStartupError"]

REPO = Path(__file__).resolve().parents[2]
SIM_IMAGE = "dots-desktop/vllm-sim:test"
BUILD_SCRIPT = REPO / "scripts" / "build_sim_image.sh"
DOCKERFILE = REPO / "docker" / "vllm-sim" / "Dockerfile"
READY_LINE = "Application startup complete."


def free_port() -> int:
    """A currently free 127.0.0.1 port (for servers that must be told their port up front)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def vllm_sim() -> Iterator[Callable[..., SimHandle]]:
    """Factory: ``vllm_sim(api_key="k", max_num_seqs=2, faults=["loop"], ...)`` -> SimHandle."""
    started: list[SimHandle] = []

    def factory(*args: str, **opts: Any) -> SimHandle:
        handle = start_sim(list(args), **opts)
        started.append(handle)
        return handle

    yield factory
    for handle in started:
        handle.stop()


class SimProcess:
    """``python -m tests.vllm_sim`` as a child process, its output collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.args = list(args)
        if "--port" not in self.args:
            self.args += ["--port", str(free_port())]
        self.port = int(self.args[self.args.index("--port") + 1])
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        given = any(a.startswith("--sim-startup-seconds") for a in self.args)
        if not given and "VLLM_SIM_STARTUP_SECONDS" not in self.env:
            self.args += ["--sim-startup-seconds", "0.2"]
        self.lines: list[str] = []
        self._proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def proc(self) -> subprocess.Popen[str]:
        assert self._proc is not None
        return self._proc

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return self.proc.poll()

    def start(self) -> None:
        self.lines.clear()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.vllm_sim", *self.args],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        proc = self._proc

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self.lines.append(line.rstrip("\n"))

        self._reader = threading.Thread(target=pump, daemon=True)
        self._reader.start()

    def wait_for_line(self, text: str, timeout: float = 20.0) -> bool:
        """True once a line containing ``text`` was printed; False if it exited or timed out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in list(self.lines)):
                return True
            if self.proc.poll() is not None:
                self._drain()
                return any(text in line for line in list(self.lines))
            time.sleep(0.02)
        return False

    def wait_ready(self, timeout: float = 20.0) -> None:
        if not self.wait_for_line(READY_LINE, timeout):
            raise SimStartupError(self.proc.poll() or 1, self.output)

    def wait(self, timeout: float = 20.0) -> int:
        """Wait for the process to exit; returns its exit code."""
        code = self.proc.wait(timeout)
        self._drain()
        return code

    def _drain(self) -> None:
        if self._reader is not None:
            self._reader.join(5)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout``; returns the exit code."""
        if self._proc is None or self._proc.poll() is not None:
            return None if self._proc is None else self._proc.returncode
        self._proc.terminate()
        try:
            return self.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            return self.wait(timeout)

    def restart(self, wait: bool = True) -> None:
        """Stop (if running) and start again with the same arguments and port."""
        self.stop()
        self.start()
        if wait:
            self.wait_ready()


@pytest.fixture
def sim_process() -> Iterator[Callable[..., SimProcess]]:
    """Factory: ``sim_process("--max-num-seqs", "2", env={...}, wait=True)`` -> SimProcess."""
    started: list[SimProcess] = []

    def factory(*args: str, env: dict[str, str] | None = None, wait: bool = True) -> SimProcess:
        process = SimProcess(list(args), env)
        started.append(process)
        if wait:
            process.wait_ready()
        return process

    yield factory
    for process in started:
        process.stop(5)


def source_tag() -> str:
    """The image tag for this checkout's simulator sources (and its Dockerfile).

    Checkouts with other simulator sources may share the Docker engine: under one tag each
    would rebuild it for its own run, and a test would run whichever simulator was built last.
    """
    digest = hashlib.sha256()
    files = [*sorted((REPO / "tests" / "vllm_sim").rglob("*.py")), DOCKERFILE]
    for path in files:
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{SIM_IMAGE.rpartition(':')[0]}:src-{digest.hexdigest()[:16]}"


@pytest.fixture(scope="session")
def sim_image() -> str:
    """This checkout's simulator image tag; built on first use (the base image is shared)."""
    tag = source_tag()
    result = subprocess.run(
        [str(BUILD_SCRIPT)],
        cwd=REPO,
        env={**os.environ, "SIM_IMAGE_TAG": tag},
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"scripts/build_sim_image.sh failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}",
            pytrace=False,
        )
    return tag


class SimContainer:
    """The simulator image running in Docker with its port published on 127.0.0.1."""

    def __init__(self, container: Any, port: int) -> None:
        self.container = container
        self.port = port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def logs(self) -> str:
        return bytes(self.container.logs()).decode("utf-8", "replace")

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY_LINE in self.logs():
                return
            self.container.reload()
            if self.container.status == "exited":
                break
            time.sleep(0.1)
        raise SimStartupError(1, self.logs())


@pytest.fixture
def sim_container(sim_image: str) -> Iterator[Callable[..., SimContainer]]:
    """Factory: ``sim_container("--model", "M", wait=True, **docker_run_kwargs)``."""
    import docker

    client = docker.from_env()
    started: list[SimContainer] = []

    def factory(*args: str, wait: bool = True, **run_kwargs: Any) -> SimContainer:
        port = free_port()
        command = list(args) or ["--model", "rednote-hilab/dots.ocr"]
        if not any(a.startswith("--sim-startup-seconds") for a in command):
            command += ["--sim-startup-seconds", "0.2"]
        container = client.containers.run(
            sim_image,
            command,
            detach=True,
            init=True,
            labels={"dots-desktop.test": "1"},
            ports={"8000/tcp": ("127.0.0.1", port)},
            **run_kwargs,
        )
        handle = SimContainer(container, port)
        started.append(handle)
        if wait:
            handle.wait_ready()
        return handle

    yield factory
    for handle in started:
        with contextlib.suppress(docker.errors.APIError):  # already gone
            handle.container.remove(force=True)
    client.close()
