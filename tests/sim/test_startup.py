"""Start-up: vLLM's log lines in order, no listening before ready, every flag accepted."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable

import httpx
import pytest

from tests.vllm_sim.fixtures import SimProcess
from tests.vllm_sim.inprocess import SimHandle

SimFactory = Callable[..., SimHandle]

ORDER = (
    r"vLLM API server version \d+\.\d+\.\d+",
    r"non-default args: \{",
    r"Model loading took [\d.]+ GiB and [\d.]+ seconds",
    r"Available KV cache memory: [\d.]+ GiB",
    r"GPU KV cache size: [\d,]+ tokens",
    r"Maximum concurrency for 32,768 tokens per request: [\d.]+x",
    r"Capturing CUDA graphs",
    r"Starting vLLM API server 0 on http://127\.0\.0\.1:\d+",
    r"Application startup complete\.",
)


def _positions(lines: list[str], patterns: tuple[str, ...]) -> list[int]:
    found = []
    for pattern in patterns:
        index = next((i for i, line in enumerate(lines) if re.search(pattern, line)), -1)
        assert index >= 0, f"no line matches {pattern!r}"
        found.append(index)
    return found


def test_startup_prints_vllms_lines_in_order(vllm_sim: SimFactory) -> None:
    sim = vllm_sim(startup_seconds=0.1)
    positions = _positions(sim.log_lines, ORDER)
    assert positions == sorted(positions)
    assert f"Starting vLLM API server 0 on {sim.base_url}" in sim.log_text
    assert re.search(r"^\(APIServer pid=\d+\) INFO \d\d-\d\d ", sim.log_lines[0])


def test_enforce_eager_skips_cuda_graph_capture(vllm_sim: SimFactory) -> None:
    sim = vllm_sim("--enforce-eager")
    assert "Capturing CUDA graphs" not in sim.log_text
    assert "Application startup complete." in sim.log_text


def test_kv_cache_size_follows_kv_cache_memory(vllm_sim: SimFactory) -> None:
    sim = vllm_sim("--kv-cache-memory", "2G", "--max-model-len", "8192")
    assert "Available KV cache memory: 2.00 GiB" in sim.log_text
    assert "GPU KV cache size: 74,896 tokens" in sim.log_text  # 2 GiB / 28 KiB, whole blocks
    assert "Maximum concurrency for 8,192 tokens per request: 9.14x" in sim.log_text


def test_every_documented_vllm_flag_is_accepted(vllm_sim: SimFactory) -> None:
    sim = vllm_sim(
        "--model", "rednote-hilab/dots.ocr",
        "--served-model-name", "dots",
        "--api-key", "k",
        "--max-model-len", "16384",
        "--gpu-memory-utilization", "0.85",
        "--max-num-seqs", "8",
        "--enforce-eager",
        "--dtype", "bfloat16",
        "--trust-remote-code",
        "--chat-template-content-format", "string",
        "--limit-mm-per-prompt", '{"image": 1, "video": 0}',
        "--kv-cache-memory", "4G",
        "--quantization", "fp8",
        "--kv-cache-dtype", "fp8",
        "--mm-processor-kwargs", '{"max_pixels": 1003520}',
    )  # fmt: skip
    assert "Ignoring unknown arguments" not in sim.log_text
    assert "'gpu_memory_utilization': 0.85" in sim.log_text
    assert "'trust_remote_code': True" in sim.log_text
    assert "'k'" not in sim.log_text  # the API key is never logged
    assert sim.config.max_num_seqs == 8
    assert sim.config.enforce_eager
    models = httpx.get(sim.url("/v1/models"), headers=sim.headers).json()
    assert models["data"][0]["max_model_len"] == 16384


def test_unknown_flags_are_ignored_with_a_warning(vllm_sim: SimFactory) -> None:
    sim = vllm_sim(
        "rednote-hilab/dots.ocr", "--swap-space", "4", "--disable-log-requests", "--foo=bar"
    )
    assert "Ignoring unknown arguments" in sim.log_text
    assert "--disable-log-requests" in sim.log_text
    assert sim.served_model_name == "rednote-hilab/dots.ocr"
    assert httpx.get(sim.url("/health")).status_code == 200


def test_the_port_refuses_connections_until_ready(sim_process: Callable[..., SimProcess]) -> None:
    # GIVEN a server that takes a while to start (5 s: the line is read and the connection
    # tried by then on a busy machine too; with 1 s the port was sometimes open already)
    process = sim_process("--model", "m", "--sim-startup-seconds", "5", wait=False)
    # WHEN it is loading weights THEN the port refuses connections ("starting", not "failed")
    assert process.wait_for_line("Starting to load model")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", process.port), timeout=1).close()
    # AND once ready it answers
    process.wait_ready()
    assert httpx.get(process.url("/health")).status_code == 200


def test_sigterm_shuts_down_cleanly(sim_process: Callable[..., SimProcess]) -> None:
    process = sim_process("rednote-hilab/dots.ocr")
    assert httpx.get(process.url("/health")).status_code == 200
    assert process.stop(timeout=20) == 0  # SIGKILL (not 0) only after 20 s
    assert "Application shutdown complete." in process.output


def test_a_busy_port_fails_like_uvicorn(sim_process: Callable[..., SimProcess]) -> None:
    first = sim_process("--model", "m")
    second = sim_process("--model", "m", "--port", str(first.port), wait=False)
    assert second.wait(10) == 1
    assert "address already in use" in second.output.lower()


def test_restart_serves_again_on_the_same_port(sim_process: Callable[..., SimProcess]) -> None:
    process = sim_process("--model", "m")
    port = process.port
    process.restart()
    assert process.port == port
    assert httpx.get(process.url("/health")).status_code == 200
