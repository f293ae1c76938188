"""At most --max-num-seqs requests generate at once; metrics follow the load; hang-ups stop work."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import pytest

from tests.sim.helpers import PROMPTS, chat_body, image_bytes, metric
from tests.vllm_sim.inprocess import SimHandle

SimFactory = Callable[..., SimHandle]


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


async def test_requests_beyond_max_num_seqs_wait_and_show_in_the_metrics(
    vllm_sim: SimFactory,
) -> None:
    # GIVEN a server that runs two sequences at a time, slowly
    sim = vllm_sim(max_num_seqs=2, decode_tps=200)
    body = chat_body(PROMPTS["layout_all"], image=image_bytes(), max_tokens=30)
    async with httpx.AsyncClient(base_url=sim.base_url, timeout=30) as client:
        # WHEN six requests arrive together
        tasks = [
            asyncio.create_task(client.post("/v1/chat/completions", json=body)) for _ in range(6)
        ]
        busy = ""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            busy = (await client.get("/metrics")).text
            if metric(busy, "vllm:num_requests_waiting") > 0:
                break
            await asyncio.sleep(0.01)
        responses = await asyncio.gather(*tasks)
        idle = (await client.get("/metrics")).text
    # THEN two run, the others queue, and all finish
    assert metric(busy, "vllm:num_requests_running") == 2
    assert metric(busy, "vllm:num_requests_waiting") >= 1
    assert 0 < metric(busy, "vllm:kv_cache_usage_perc") <= 1
    assert [r.status_code for r in responses] == [200] * 6
    assert sim.max_concurrent_seen == 2
    assert sim.stats.max_waiting_seen >= 1
    assert sim.in_flight == 0
    # AND the counters add up to what the responses reported
    usages = [r.json()["usage"] for r in responses]
    assert metric(idle, "vllm:prompt_tokens_total") == sum(u["prompt_tokens"] for u in usages)
    assert metric(idle, "vllm:generation_tokens_total") == sum(
        u["completion_tokens"] for u in usages
    )
    assert metric(idle, "vllm:num_requests_running") == 0
    assert metric(idle, "vllm:kv_cache_usage_perc") == 0
    assert sim.requests_total == sim.completed_requests == 6


async def test_many_sequences_run_together_when_allowed(vllm_sim: SimFactory) -> None:
    sim = vllm_sim(max_num_seqs=8, decode_tps=200)
    body = chat_body("Hello there, what is this?", max_tokens=100)
    async with httpx.AsyncClient(base_url=sim.base_url, timeout=30) as client:
        responses = await asyncio.gather(
            *(client.post("/v1/chat/completions", json=body) for _ in range(8))
        )
    assert all(r.status_code == 200 for r in responses)
    assert 2 < sim.max_concurrent_seen <= 8


def test_a_client_hanging_up_mid_stream_stops_generation(vllm_sim: SimFactory) -> None:
    sim = vllm_sim(max_num_seqs=1, decode_tps=100)
    body = chat_body(PROMPTS["layout_all"], image=image_bytes(), stream=True)
    with httpx.Client(timeout=30) as client:
        with client.stream("POST", sim.url("/v1/chat/completions"), json=body) as response:
            lines = response.iter_lines()
            received = [next(lines) for _ in range(6)]
        assert any(line.startswith("data: ") for line in received)
        assert _wait_until(lambda: sim.cancelled_requests == 1)
        assert sim.in_flight == 0
        assert sim.completed_requests == 0
        generated = sim.stats.generation_tokens_total
        # The freed slot serves the next request at once.
        follow_up = client.post(sim.url("/v1/chat/completions"), json=chat_body("Hi"))
    assert follow_up.status_code == 200
    assert generated < 50  # far fewer than the whole page of ~330 tokens


def test_a_client_timing_out_on_a_plain_request_cancels_it(vllm_sim: SimFactory) -> None:
    sim = vllm_sim(decode_tps=50)
    body = chat_body(PROMPTS["layout_all"], image=image_bytes())
    with httpx.Client(timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        client.post(sim.url("/v1/chat/completions"), json=body)
    assert _wait_until(lambda: sim.cancelled_requests == 1)
    assert sim.in_flight == 0
