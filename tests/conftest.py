"""Test conventions shared by every test folder.

Markers (pyproject.toml):
- ``docker``: needs a reachable Docker engine. Skipped with the reason when none is
  reachable, but FAILS instead when ``DOTS_REQUIRE_DOCKER=1`` (CI sets it).
- ``gpu``: runs only where NVML sees an NVIDIA GPU.
- ``gui``: needs a display; without ``DISPLAY`` Qt runs offscreen. Tests that need a real
  tray or clipboard use the ``real_tray`` fixture (tests/ui), which skips with the reason.
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

# Must happen before any QApplication exists: without an X server, render offscreen.
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["tests.vllm_sim.fixtures", "tests.docker_fixtures"]

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@functools.cache
def docker_unreachable_reason() -> str | None:
    """None when a Docker engine answers a ping, else why not."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # any failure means "no engine here": report it verbatim
        return f"no Docker engine reachable ({type(exc).__name__}: {str(exc)[:160]})"
    return None


@functools.cache
def gpu_unavailable_reason() -> str | None:
    """None when NVML sees at least one NVIDIA GPU, else why not."""
    try:
        import pynvml

        pynvml.nvmlInit()
        try:
            count = pynvml.nvmlDeviceGetCount()
        finally:
            pynvml.nvmlShutdown()
    except Exception as exc:  # NVML missing, no driver, no device
        return f"no NVIDIA GPU visible to NVML ({type(exc).__name__})"
    return None if count > 0 else "NVML reports zero NVIDIA GPUs"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    require_docker = os.environ.get("DOTS_REQUIRE_DOCKER") == "1"
    for item in items:
        if item.get_closest_marker("docker"):
            reason = docker_unreachable_reason()
            if reason and not require_docker:
                item.add_marker(pytest.mark.skip(reason=reason))
        if item.get_closest_marker("gpu"):
            reason = gpu_unavailable_reason()
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("docker") and os.environ.get("DOTS_REQUIRE_DOCKER") == "1":
        reason = docker_unreachable_reason()
        if reason:
            pytest.fail(f"DOTS_REQUIRE_DOCKER=1 but {reason}", pytrace=False)


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections for the whole test.

    Bound and never listening: a port merely free a moment ago can be taken meanwhile by
    another test run or container on a shared machine, and then something answers there.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The real scanned pages in tests/fixtures (see its README for their origin)."""
    if not FIXTURES.is_dir():
        pytest.fail(f"fixtures missing at {FIXTURES}", pytrace=False)
    return FIXTURES


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings, history and batch state go to a temporary folder, never the real profile."""
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("DOTS_DESKTOP_HOME", str(base))


#: Environment variables whose value when the session's one QApplication is made decides
#: how every later GUI test runs (platform, tray, clipboard), as this conftest set them.
_SESSION_WIDE_ENV = ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
_SESSION_ENV = {name: os.environ.get(name) for name in _SESSION_WIDE_ENV}
_previous_test = [""]


@pytest.fixture(autouse=True)
def _session_wide_env_unchanged(request: pytest.FixtureRequest) -> None:
    """Fails the test after one that left QT_QPA_PLATFORM (or the display) changed, naming
    it: a leaked ``offscreen`` silently turned later tray, capture and clipboard tests into
    skips. Set such variables with ``monkeypatch`` so they are put back."""
    now = {name: os.environ.get(name) for name in _SESSION_WIDE_ENV}
    culprit, _previous_test[0] = _previous_test[0], request.node.nodeid
    if now == _SESSION_ENV:
        return
    for name, value in _SESSION_ENV.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    pytest.fail(f"{culprit or 'a test'} left {now} in the environment (was {_SESSION_ENV})")
