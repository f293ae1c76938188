"""Faults on request: the failures real dots.ocr servers show, on demand."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import pytest

from tests.sim.helpers import PROMPTS, chat_body, image_bytes, sse_events
from tests.vllm_sim.fixtures import SimProcess
from tests.vllm_sim.inprocess import SimHandle, SimStartupError

SimFactory = Callable[..., SimHandle]
ROW = "<tr><td></td><td></td><td></td><td></td></tr>"


def _chat(
    http: httpx.Client, sim: SimHandle | SimProcess, body: dict[str, object]
) -> httpx.Response:
    return http.post(sim.url("/v1/chat/completions"), json=body)


def _layout(max_tokens: int) -> dict[str, object]:
    return chat_body(PROMPTS["layout_all"], image=image_bytes(), max_tokens=max_tokens)


# -- answers ----------------------------------------------------------------------------------


def test_loop_repeats_a_table_row_until_max_tokens(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(faults=["loop"], decode_tps=100000)
    body = _chat(http, sim, _layout(max_tokens=600)).json()
    content = body["choices"][0]["message"]["content"]
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 600
    assert content.count(ROW) >= 20
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)


def test_loop_also_hits_plain_text_prompts(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim("--sim-fault", "loop", decode_tps=100000)
    body = _chat(http, sim, chat_body(PROMPTS["ocr"], image=image_bytes(), max_tokens=300)).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["choices"][0]["message"]["content"].count("| | | |") >= 20


def test_truncated_json_stops_mid_object_with_length(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(faults="truncated-json")
    body = _chat(http, sim, _layout(max_tokens=8000)).json()
    content = body["choices"][0]["message"]["content"]
    assert body["choices"][0]["finish_reason"] == "length"
    assert not content.rstrip().endswith("]")
    assert '"category": "Table"' in content  # complete blocks before the cut survive
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)


def test_invalid_json_misses_commas_between_objects(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(faults=["invalid-json"])
    body = _chat(http, sim, _layout(max_tokens=8000)).json()
    content = body["choices"][0]["message"]["content"]
    assert body["choices"][0]["finish_reason"] == "stop"
    assert "}{" in content
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)
    assert len(json.loads(content.replace("}{", "}, {"))) == 12  # upstream's first repair works


def test_slow_first_token_delays_the_first_content_chunk(vllm_sim: SimFactory) -> None:
    sim = vllm_sim(faults=["slow-first-token"], first_token_delay=0.4)
    started = time.monotonic()
    with httpx.stream(
        "POST", sim.url("/v1/chat/completions"), json=chat_body("Hi", stream=True)
    ) as r:
        lines = r.iter_lines()
        first = next(line for line in lines if line.startswith("data: "))
        waited = time.monotonic() - started
        rest = sse_events(list(lines))
    assert json.loads(first[6:])["choices"][0]["delta"]["role"] == "assistant"
    assert waited >= 0.35
    assert rest[-1] == "[DONE]"


# -- HTTP errors ------------------------------------------------------------------------------


def test_http_500_fails_the_first_n_requests_then_recovers(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(faults=["http-500"], fail_count=2)
    codes = [_chat(http, sim, chat_body("Hi")) for _ in range(3)]
    assert [r.status_code for r in codes] == [500, 500, 200]
    error = codes[0].json()["error"]
    assert error["type"] == "InternalServerError"
    assert error["code"] == 500
    assert "EngineCore" in error["message"]
    assert sim.stats.failed_requests == 2


def test_http_503_with_fail_count_zero_fails_every_request(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim("--sim-fault", "http-503", "--sim-fail-count", "0")
    responses = [_chat(http, sim, chat_body("Hi")) for _ in range(3)]
    assert {r.status_code for r in responses} == {503}
    assert responses[0].json()["error"]["type"] == "ServiceUnavailableError"


def test_http_errors_use_the_old_flat_body_when_asked(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(faults=["http-500"], error_style="old")
    body = _chat(http, sim, chat_body("Hi")).json()
    assert body["object"] == "error"
    assert body["code"] == 500


def test_hide_health_hides_health_and_metrics_like_a_gateway(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(faults=["hide-health"])
    for path in ("/health", "/metrics"):
        assert http.get(sim.url(path)).status_code == 404, path
    assert http.get(sim.url("/v1/models")).status_code == 200
    assert _chat(http, sim, chat_body("Hi")).status_code == 200


def test_faults_can_be_switched_while_running(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim()
    assert _chat(http, sim, chat_body("Hi")).status_code == 200
    sim.set_faults(["http-503"])
    assert _chat(http, sim, chat_body("Hi")).status_code == 503
    sim.set_faults([])
    assert _chat(http, sim, chat_body("Hi")).status_code == 200


def test_a_dead_engine_turns_health_503_and_chat_500(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    sim.crash()
    assert sim.engine_dead
    assert http.get(sim.url("/health")).status_code == 503
    assert _chat(http, sim, chat_body("Hi")).status_code == 500


def test_crash_after_resets_the_connection_in_process(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(faults=["crash-after"], crash_after=2)
    assert [_chat(http, sim, chat_body("Hi")).status_code for _ in range(2)] == [200, 200]
    with pytest.raises(httpx.TransportError):
        _chat(http, sim, chat_body("Hi"))
    assert http.get(sim.url("/health")).status_code == 503


def test_crash_after_n_requests_kills_the_process(sim_process: Callable[..., SimProcess]) -> None:
    # GIVEN a server process that dies on its third request
    process = sim_process("--model", "m", "--sim-fault", "crash-after", "--sim-crash-after", "2")
    with httpx.Client(timeout=10) as client:
        assert [
            _chat(client, process, chat_body("Hi", model="m")).status_code for _ in range(2)
        ] == [200, 200]
        # WHEN the third arrives THEN the connection breaks and the process exits non-zero
        with pytest.raises(httpx.TransportError):
            _chat(client, process, chat_body("Hi", model="m"))
    assert process.wait(10) != 0
    assert "EngineDeadError" in process.output


# -- start-up ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--sim-fault", "startup-oom"],
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate",
        ),
        (
            [
                "--sim-fault",
                "kv-too-small",
                "--max-model-len",
                "32768",
                "--sim-estimated-max-len",
                "9000",
            ],
            "the estimated maximum model length is 9000.",
        ),
        (
            ["--sim-fault", "free-memory-low"],
            "on startup is less than desired GPU memory utilization (0.9,",
        ),
        (
            ["--sim-fault", "no-kernel-image"],
            "CUDA error: no kernel image is available for execution on the device",
        ),
        (
            ["--gpu-memory-utilization", "0.9", "--sim-gpu-free-gib", "10"],
            "Free memory on device (10.00/23.99 GiB) on startup",
        ),
    ],
)
def test_startup_faults_print_vllms_error_and_exit_1(
    vllm_sim: SimFactory, args: list[str], expected: str
) -> None:
    with pytest.raises(SimStartupError) as failure:
        vllm_sim(*args)
    output = failure.value.output
    assert failure.value.exit_code == 1
    assert expected in output
    final = "RuntimeError: Engine core initialization failed. See root cause above."
    assert output.index(expected) < output.index(final)
    assert "Application startup complete." not in output


def test_kv_too_small_starts_when_max_model_len_fits(vllm_sim: SimFactory) -> None:
    sim = vllm_sim(
        "--max-model-len", "8192", "--sim-fault", "kv-too-small", "--sim-estimated-max-len", "9000"
    )
    assert httpx.get(sim.url("/health")).status_code == 200


def test_startup_fault_from_the_environment_exits_the_process_with_1(
    sim_process: Callable[..., SimProcess],
) -> None:
    process = sim_process(
        "rednote-hilab/dots.ocr", env={"VLLM_SIM_FAULT": "startup-oom"}, wait=False
    )
    assert process.wait(20) == 1
    assert "CUDA out of memory" in process.output
    assert "Engine core initialization failed" in process.output
    with pytest.raises(httpx.ConnectError):
        httpx.get(process.url("/health"))


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        # vLLM 0.11.0 in a container that sees no GPU (VLLM.md)
        ("no-gpu", "RuntimeError: Failed to infer device type"),
        # huggingface_hub for a model id that does not exist: it says "gated" as well
        ("model-not-found", "Repository Not Found for url: https://huggingface.co/org/typo/"),
    ],
)
def test_no_gpu_and_a_mistyped_model_print_the_real_texts_and_exit_1(
    vllm_sim: SimFactory, fault: str, expected: str
) -> None:
    with pytest.raises(SimStartupError) as failure:
        vllm_sim("--model", "org/typo", "--sim-fault", fault)
    assert failure.value.exit_code == 1
    assert expected in failure.value.output
    if fault == "model-not-found":
        assert "private or gated repo" in failure.value.output
