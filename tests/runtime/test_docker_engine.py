"""Finding the engine (DOCKER_HOST, contexts), pull progress, and plain-words errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from desktop.runtime import docker_engine as de
from desktop.runtime.docker_engine import PullProgress


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "dockercfg"))


def _context(tmp_path: Path, name: str, host: str) -> None:
    cfg = tmp_path / "dockercfg"
    meta = cfg / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Endpoints": {"docker": {"Host": host}}}))
    (cfg / "config.json").write_text(json.dumps({"currentContext": name}))


def test_docker_host_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.0.0.5:2375")
    assert de.engine_base_url() == "tcp://10.0.0.5:2375"


def test_the_current_context_of_the_docker_cli_is_followed(tmp_path: Path) -> None:
    _context(tmp_path, "desktop-linux", "unix:///home/u/.docker/desktop/docker.sock")
    assert de.engine_base_url() == "unix:///home/u/.docker/desktop/docker.sock"


def test_no_config_means_the_sdk_default(tmp_path: Path) -> None:
    assert de.engine_base_url() is None


def test_a_dead_socket_is_reported_as_not_running_with_a_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/nothing.sock")
    with pytest.raises(de.DockerUnavailable) as err:
        de.connect(timeout=2)
    assert "not running" in err.value.message
    assert err.value.fix


def test_pull_progress_aggregates_layers_into_one_fraction_and_bytes() -> None:
    p = PullProgress()
    p.feed({"status": "Pulling from vllm/vllm-openai", "id": "v0.11.0"})
    p.feed({"status": "Pulling fs layer", "id": "a"})
    p.feed({"status": "Pulling fs layer", "id": "b"})
    p.feed({"status": "Downloading", "id": "a", "progressDetail": {"current": 50, "total": 100}})
    p.feed({"status": "Downloading", "id": "b", "progressDetail": {"current": 100, "total": 300}})
    assert (p.bytes_done, p.bytes_total) == (150, 400)
    assert p.fraction == pytest.approx(150 / 400)
    p.feed({"status": "Pull complete", "id": "a"})
    p.feed({"status": "Pull complete", "id": "b"})
    assert p.fraction == 1.0 and p.bytes_done == 400


def test_layers_of_unknown_size_hold_the_fraction_back() -> None:
    p = PullProgress()
    for layer in "abcd":
        p.feed({"status": "Pulling fs layer", "id": layer})
    p.feed({"status": "Downloading", "id": "a", "progressDetail": {"current": 100, "total": 100}})
    assert p.fraction == pytest.approx(0.25)


def test_a_pull_error_event_is_kept() -> None:
    p = PullProgress()
    p.feed({"error": "Get https://registry-1.docker.io/v2/: dial tcp: no such host"})
    assert "no such host" in p.error


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_docker_not_installed_gets_the_install_fix_for_the_os(
    monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(de.sys, "platform", platform)
    monkeypatch.setattr(de, "docker_installed", lambda: False)
    err = de.unavailable_from(FileNotFoundError("no such file"), None)
    assert err.message == "Docker is not installed."
    assert "Install" in err.fix
    assert ("Docker Desktop" in err.fix) == (platform != "linux")


@pytest.mark.parametrize(
    ("platform", "fix"),
    [
        ("linux", "sudo systemctl start docker"),
        ("win32", "Start Docker Desktop"),
        ("darwin", "Start Docker Desktop"),
    ],
)
def test_docker_installed_but_stopped_gets_the_start_fix_for_the_os(
    monkeypatch: pytest.MonkeyPatch, platform: str, fix: str
) -> None:
    monkeypatch.setattr(de.sys, "platform", platform)
    monkeypatch.setattr(de, "docker_installed", lambda: True)
    err = de.unavailable_from(ConnectionRefusedError("refused"), None)
    assert "not running" in err.message and fix in err.fix


def test_permission_denied_says_how_to_join_the_docker_group() -> None:
    err = de.unavailable_from(PermissionError("Permission denied"), None)
    assert "docker group" in err.fix
