"""The simulator's plain endpoints answer like `vllm serve`."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.sim.helpers import metric
from tests.vllm_sim.inprocess import SimHandle

SimFactory = Callable[..., SimHandle]


def test_health_and_ping_answer_200_with_an_empty_body(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    for path in ("/health", "/ping"):
        response = http.get(sim.url(path))
        assert response.status_code == 200
        assert response.content == b""
    assert http.post(sim.url("/ping")).status_code == 200


def test_version_reports_a_vllm_version(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim()
    version = http.get(sim.url("/version")).json()["version"]
    assert version.count(".") == 2
    assert tuple(int(part) for part in version.split(".")) >= (0, 11, 0)


def test_models_lists_every_served_name_with_max_model_len(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim("--served-model-name", "dots", "model", "--max-model-len", "8192")
    body = http.get(sim.url("/v1/models")).json()
    assert body["object"] == "list"
    assert [entry["id"] for entry in body["data"]] == ["dots", "model"]
    for entry in body["data"]:
        assert entry["object"] == "model"
        assert entry["owned_by"] == "vllm"
        assert entry["root"] == "rednote-hilab/dots.ocr"
        assert entry["max_model_len"] == 8192
        assert isinstance(entry["created"], int)
    assert sim.served_model_name == "dots"


def test_served_model_name_defaults_to_the_model(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim("Qwen/Qwen3-VL-4B-Instruct")
    ids = [entry["id"] for entry in http.get(sim.url("/v1/models")).json()["data"]]
    assert ids == ["Qwen/Qwen3-VL-4B-Instruct"]


def test_metrics_expose_the_vllm_series_labelled_with_the_model(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(served_model_name="dots")
    response = http.get(sim.url("/metrics"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name, kind in (
        ("vllm:num_requests_running", "gauge"),
        ("vllm:num_requests_waiting", "gauge"),
        ("vllm:kv_cache_usage_perc", "gauge"),
        ("vllm:prompt_tokens_total", "counter"),
        ("vllm:generation_tokens_total", "counter"),
        ("vllm:num_preemptions_total", "counter"),
    ):
        assert f"# TYPE {name} {kind}" in text
        assert f'{name}{{engine="0",model_name="dots"}} ' in text
        assert metric(text, name) == 0.0


def test_unknown_paths_and_wrong_methods_get_fastapi_style_errors(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    missing = http.get(sim.url("/v1/completions/nothing"))
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    wrong = http.get(sim.url("/v1/chat/completions"))
    assert wrong.status_code == 405
    assert wrong.json() == {"detail": "Method Not Allowed"}


def test_keep_alive_connection_serves_several_requests(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    with httpx.Client(base_url=sim.base_url) as client:
        codes = [client.get(path).status_code for path in ("/health", "/version", "/v1/models")]
    assert codes == [200, 200, 200]
    assert sim.stats.http_requests["GET /health"] == 1
