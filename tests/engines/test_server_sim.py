"""The server engine against the vLLM simulator: streaming, budget, auth, retries, loops, cancel."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.core.document import PageStatus
from desktop.core.images import iter_pages
from desktop.core.pageimage import PageImage
from desktop.engines.base import BlockFound, ChatMessage, PageDone, RecognizeMode, TextDelta
from desktop.engines.errors import AuthFailed, ContextTooLong, ModelNotServed, RetryPolicy
from desktop.engines.remote.server import ServerEngine

FAST_RETRY = RetryPolicy(attempts=6, base_delay=0.05, max_delay=0.2, total=10)


@pytest.fixture
def journal(fixtures_dir: Path) -> PageImage:
    return next(iter_pages(fixtures_dir / "journal_page_tables.jpg"))


async def _wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.01)
    return predicate()


async def _read(engine: ServerEngine, page: PageImage, **kw: Any) -> tuple[list[Any], PageDone]:
    events = [e async for e in engine.recognize(page, **kw)]
    done = events[-1]
    assert isinstance(done, PageDone)
    return events[:-1], done


async def test_blocks_arrive_while_the_server_is_still_writing(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim(decode_tps=400.0)
    engine = ServerEngine(sim.base_url)
    running_at_first_block = None
    blocks = []
    async for event in engine.recognize(journal):
        if isinstance(event, BlockFound):
            if running_at_first_block is None:
                running_at_first_block = sim.stats.in_flight
            blocks.append(event.block)
        elif isinstance(event, PageDone):
            page = event.page
    assert running_at_first_block == 1  # the answer was not complete yet
    assert page.status is PageStatus.OK
    assert [b.bbox for b in page.blocks] == [b.bbox for b in blocks]
    assert all(0 <= b.bbox[2] <= journal.width and 0 <= b.bbox[3] <= journal.height for b in blocks)
    assert sim.stats.inexact_prompts == 0
    await engine.aclose()


async def test_an_8192_token_server_gets_a_smaller_image_instead_of_a_400(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim(max_model_len=8192)
    engine = ServerEngine(sim.base_url + "/v1")
    _, done = await _read(engine, journal)
    assert sim.stats.rejected_requests == 0
    assert done.page.status is PageStatus.OK
    assert "reduced" in done.page.reason  # the user is told what was done
    assert done.page.model_width * done.page.model_height < 1708 * 2240
    await engine.aclose()


async def test_forcing_a_too_long_request_reports_context_too_long(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim(max_model_len=8192)
    engine = ServerEngine(sim.base_url, max_tokens=8000, fit_context=False)
    with pytest.raises(ContextTooLong, match="8192"):
        await _read(engine, journal)
    await engine.aclose()


async def test_an_over_long_prompt_refused_inside_a_200_stream_is_the_same_context_fact(
    vllm_sim: Any, journal: PageImage
) -> None:
    # vLLM can find the multimodal prompt too long after the 200 head: `data: {"error": ...}`.
    refused = vllm_sim(max_model_len=2048)
    streamed = vllm_sim(max_model_len=2048, faults=["stream-context"])
    answers = []
    for sim in (refused, streamed):
        engine = ServerEngine(sim.base_url, max_tokens=1000, fit_context=False)
        with pytest.raises(ContextTooLong, match="2048") as caught:
            await _read(engine, journal)
        answers.append((str(caught.value), caught.value.fix))
        await engine.aclose()
    assert streamed.stats.rejected_requests == 1  # the stream form really was what was sent
    assert answers[0] == answers[1]  # same sentence, same fix as the 400 form


async def test_a_wrong_or_missing_key_is_auth_failed(vllm_sim: Any) -> None:
    sim = vllm_sim(api_key="right")
    for key in (None, "wrong"):
        engine = ServerEngine(sim.base_url, api_key=key)
        with pytest.raises(AuthFailed, match="API key"):
            await engine.ensure_ready()
        await engine.aclose()


async def test_a_remote_gateway_with_a_key_and_no_health_endpoint_works(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim(api_key="k3y", faults=["hide-health"], served_model_name="gateway-dots")
    engine = ServerEngine(sim.base_url + "/v1/", api_key="k3y")
    _, done = await _read(engine, journal)
    assert engine.info is not None and engine.info.model == "gateway-dots"
    assert done.page.status is PageStatus.OK
    assert sim.stats.http_requests["GET /health"] >= 1
    await engine.aclose()
    with pytest.raises(ModelNotServed, match="gateway-dots"):
        other = ServerEngine(sim.base_url, api_key="k3y", model="rednote-hilab/dots.ocr")
        try:
            await other.ensure_ready()
        finally:
            await other.aclose()


async def test_503_while_starting_is_retried_until_it_works(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim(faults=["http-503"], fail_count=2)
    engine = ServerEngine(sim.base_url, retry=FAST_RETRY)
    _, done = await _read(engine, journal)
    assert done.page.status is PageStatus.OK
    assert sim.stats.failed_requests == 2
    await engine.aclose()


async def test_a_looping_page_is_stopped_early_and_recovered(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim(faults=["loop"])
    engine = ServerEngine(sim.base_url)
    _, done = await _read(engine, journal)
    page = done.page
    assert page.status is PageStatus.RECOVERED
    assert "loop" in page.reason
    assert sim.stats.prompt_modes[:2] == ["layout_all", "layout_only"]
    assert "grounding" in sim.stats.prompt_modes
    # The looping answer was cut long before its token limit.
    assert sim.stats.generation_tokens_total < 5000
    table = next(b for b in page.blocks if b.category == "Table")
    assert table.text and table.text.startswith("<table")
    assert "| | | |" not in table.text
    await _wait_until(lambda: sim.stats.in_flight == 0)
    assert sim.stats.in_flight == 0
    await engine.aclose()


async def test_cancelling_a_page_closes_its_request(vllm_sim: Any, journal: PageImage) -> None:
    sim = vllm_sim(decode_tps=100.0)
    engine = ServerEngine(sim.base_url)
    first = asyncio.Event()

    async def read() -> None:
        async for event in engine.recognize(journal):
            if isinstance(event, BlockFound):
                first.set()

    task = asyncio.create_task(read())
    await asyncio.wait_for(first.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _wait_until(lambda: sim.stats.cancelled_requests == 1)
    assert await _wait_until(lambda: sim.stats.in_flight == 0)
    await engine.aclose()


async def test_text_mode_streams_text_and_grounding_reads_a_region(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim()
    engine = ServerEngine(sim.base_url)
    events, done = await _read(engine, journal, mode=RecognizeMode.TEXT)
    assert any(isinstance(e, TextDelta) for e in events)
    assert done.page.text and not done.page.blocks
    region = (0, 0, journal.width, journal.height // 8)
    _, grounded = await _read(engine, journal, mode=RecognizeMode.GROUNDING, region=region)
    assert grounded.page.blocks[0].bbox == region
    assert grounded.page.blocks[0].text
    assert sim.stats.prompt_modes == ["ocr", "grounding"]
    await engine.aclose()


async def test_chat_streams_an_answer_and_stopping_closes_the_stream(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim(decode_tps=50.0)
    engine = ServerEngine(sim.base_url)
    messages = [
        ChatMessage("user", "What is this page about?", image=journal, region=(0, 0, 600, 400))
    ]
    parts = [p async for p in engine.chat(messages)]
    assert "What is this page about?" in "".join(parts)
    assert len(parts) > 1
    body = sim.stats.chat_requests[-1]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}

    async def stop_after_first() -> None:
        async for _ in engine.chat(messages):
            raise asyncio.CancelledError  # the user pressed Stop

    with pytest.raises(asyncio.CancelledError):
        await stop_after_first()
    assert await _wait_until(lambda: sim.stats.cancelled_requests == 1)
    await engine.aclose()


async def test_a_conversation_sends_the_newest_page_only_and_never_the_window_notes(
    vllm_sim: Any, journal: PageImage
) -> None:
    from desktop.engines.chat import page_wanted, sendable

    # GIVEN a conversation that carried the page, then a region of it, with the window's
    # "Answer stopped." note between the answers
    sim = vllm_sim()
    engine = ServerEngine(sim.base_url)
    history: list[ChatMessage] = []
    assert page_wanted(history, None)
    history.append(ChatMessage("user", "Summarise the page.", image=journal))
    history.append(ChatMessage("assistant", "A journal page."))
    history.append(ChatMessage("system", "Answer stopped."))
    region = (0, 0, 600, 400)
    assert not page_wanted(history, None) and page_wanted(history, region)
    history.append(ChatMessage("user", "And this table?", image=journal, region=region))
    # WHEN it is sent as the chat policy says
    answer = "".join([p async for p in engine.chat(sendable(history))])
    # THEN the server got three turns, the image only on the newest question, no note
    assert "And this table?" in answer
    messages = sim.stats.chat_requests[-1]["messages"]
    assert isinstance(messages, list)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"] == "Summarise the page."
    assert isinstance(messages[2]["content"], list)
    assert [part["type"] for part in messages[2]["content"]] == ["image_url", "text"]
    await engine.aclose()


async def test_a_server_that_never_starts_writing_times_out_with_a_sentence(
    vllm_sim: Any, journal: PageImage
) -> None:
    from desktop.engines.errors import ServerTimeout
    from desktop.engines.remote.server import Timeouts

    sim = vllm_sim(faults=["slow-first-token"], first_token_delay=5.0)
    engine = ServerEngine(sim.base_url, timeouts=Timeouts(first_token=0.3, idle=0.3))
    with pytest.raises(ServerTimeout, match=r"did not start answering|went quiet"):
        await _read(engine, journal)
    assert await _wait_until(lambda: sim.stats.in_flight == 0)
    await engine.aclose()


async def test_a_qwen_model_gets_qwen_prompts_without_the_dots_placeholder(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim(served_model_name="Qwen/Qwen3-VL-4B-Instruct")
    engine = ServerEngine(sim.base_url)
    _, done = await _read(engine, journal)
    assert done.page.status is PageStatus.OK
    assert done.page.text or done.page.blocks
    content = sim.stats.chat_requests[-1]["messages"][0]["content"]
    assert "<|img|>" not in content[1]["text"]
    assert "0-1000 grid" in content[1]["text"]
    await engine.aclose()
