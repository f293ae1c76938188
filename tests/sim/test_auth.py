"""--api-key protects /v1 only, like vLLM: health, metrics and version stay open."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.sim.helpers import chat_body
from tests.vllm_sim.inprocess import SimHandle

SimFactory = Callable[..., SimHandle]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "secret"}]
)
def test_v1_paths_without_the_right_key_get_401_unauthorized(
    http: httpx.Client, vllm_sim: SimFactory, headers: dict[str, str]
) -> None:
    sim = vllm_sim(api_key="secret")
    models = http.get(sim.url("/v1/models"), headers=headers)
    chat = http.post(sim.url("/v1/chat/completions"), json=chat_body("Hi"), headers=headers)
    assert (models.status_code, models.json()) == (401, {"error": "Unauthorized"})
    assert (chat.status_code, chat.json()) == (401, {"error": "Unauthorized"})
    assert sim.stats.unauthorized_requests == 2
    assert sim.requests_total == 0  # refused before the engine saw it


def test_the_right_bearer_key_opens_v1(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim("--api-key", "secret")
    assert sim.api_key == "secret"
    assert http.get(sim.url("/v1/models"), headers=sim.headers).status_code == 200
    chat = http.post(sim.url("/v1/chat/completions"), json=chat_body("Hi"), headers=sim.headers)
    assert chat.status_code == 200


def test_health_metrics_and_version_stay_open_with_a_key(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(api_key="secret")
    for path in ("/health", "/ping", "/metrics", "/version"):
        assert http.get(sim.url(path)).status_code == 200, path


def test_without_a_key_everything_is_open(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim()
    assert sim.headers == {}
    assert http.get(sim.url("/v1/models")).status_code == 200
