"""Pulling the image: per-layer events become one progress figure; offline is diagnosed.

The Docker client is faked here (no registry is reachable from tests); the events are the
shape the low-level ``pull(stream=True, decode=True)`` yields.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import docker.errors

from desktop.runtime.controller import ContainerController, ContainerState, ControllerStatus
from desktop.runtime.diagnosis import FailureCause
from desktop.runtime.profiles import load_profiles
from desktop.runtime.status import StartFailed

EVENTS: list[dict[str, Any]] = [
    {"status": "Pulling from vllm/vllm-openai", "id": "v0.11.0"},
    {"status": "Pulling fs layer", "id": "l1"},
    {"status": "Pulling fs layer", "id": "l2"},
    {"status": "Downloading", "id": "l1", "progressDetail": {"current": 500, "total": 1000}},
    {"status": "Downloading", "id": "l2", "progressDetail": {"current": 0, "total": 3000}},
    {"status": "Download complete", "id": "l1"},
    {"status": "Downloading", "id": "l2", "progressDetail": {"current": 1500, "total": 3000}},
    {"status": "Pull complete", "id": "l1"},
    {"status": "Pull complete", "id": "l2"},
    {"status": "Digest: sha256:abc"},
]


class FakeClient:
    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.pulled: list[tuple[str, str]] = []

        def missing(name: str) -> None:
            raise docker.errors.ImageNotFound(name)

        def pull(repo: str, tag: str, stream: bool, decode: bool) -> Any:
            self.pulled.append((repo, tag))
            return iter(events)

        self.images = SimpleNamespace(get=missing)
        self.api = SimpleNamespace(pull=pull)
        self.containers = SimpleNamespace(list=lambda **_: [])

    def close(self) -> None:
        return None


async def _pull(events: list[dict[str, Any]]) -> tuple[list[ControllerStatus], Any, FakeClient]:
    client = FakeClient(events)
    controller = ContainerController(client_factory=lambda: client, gpu_reader=None)
    seen: list[ControllerStatus] = []
    controller.subscribe(seen.append)
    error = None
    try:
        await controller._ensure_image(client, load_profiles()["dots.ocr"], controller._generation)
    except StartFailed as exc:
        error = exc
    finally:
        await controller.aclose()
    return seen, error, client


async def test_a_missing_image_is_pulled_with_one_progress_figure() -> None:
    seen, error, client = await _pull(EVENTS)
    assert error is None
    assert client.pulled == [("vllm/vllm-openai", "v0.11.0")]
    pulling = [s for s in seen if s.state is ContainerState.PULLING]
    assert pulling and pulling[-1].progress == 1.0
    fractions = [s.progress for s in pulling if s.progress is not None]
    assert fractions == sorted(fractions)


async def test_a_pull_without_internet_says_the_image_is_missing_offline() -> None:
    offline = [{"error": 'Get "https://registry-1.docker.io/v2/": dial tcp: no such host'}]
    _, error, _ = await _pull(offline)
    assert error is not None
    assert error.diagnosis.cause is FailureCause.IMAGE_MISSING_OFFLINE
