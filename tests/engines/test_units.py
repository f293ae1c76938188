"""Engine building blocks without a server: SSE, loop guard, errors, retries, stores."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from desktop.core.document import Block, Document, Page, PageStatus
from desktop.core.messages import Code, Msg
from desktop.engines.batch.batchstore import DONE, FAILED, PENDING, BatchStore
from desktop.engines.batch.history import HistoryStore, document_dumps, document_loads
from desktop.engines.errors import (
    AuthFailed,
    ContextTooLong,
    ModelNotServed,
    RetryPolicy,
    ServerError,
    ServerUnavailable,
    error_from_response,
)
from desktop.engines.net.sse import iter_chunks, iter_sse_data
from desktop.engines.remote.loopguard import LoopGuard, strip_loop
from desktop.engines.remote.server import ServerEngine, normalize_base_url

MODELS = {"object": "list", "data": [{"id": "dots", "object": "model", "max_model_len": 8192}]}


async def _lines(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def _collect(it: AsyncIterator[str]) -> list[str]:
    return [x async for x in it]


# -- SSE -------------------------------------------------------------------------------
async def test_sse_yields_data_payloads_until_done_and_joins_multiline_data() -> None:
    data = await _collect(
        iter_sse_data(
            _lines(
                ": keepalive",
                "data: a",
                "",
                "event: x",
                "data: b1",
                "data: b2",
                "",
                "data: [DONE]",
                "",
                "data: after",
            )
        )
    )
    assert data == ["a", "b1\nb2"]


async def test_sse_chunks_carry_content_finish_reason_and_usage() -> None:
    events = [
        {"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]},
        {"choices": [{"delta": {"content": "[{"}, "finish_reason": None}]},
        {"choices": [{"delta": {}, "finish_reason": "length"}]},
        {"choices": [], "usage": {"completion_tokens": 7}},
    ]
    lines = [x for e in events for x in (f"data: {json.dumps(e)}", "")] + ["data: [DONE]", ""]
    chunks = [c async for c in iter_chunks(_lines(*lines))]
    assert "".join(c.content for c in chunks) == "[{"
    assert chunks[2].finish_reason == "length"
    assert chunks[3].usage == {"completion_tokens": 7}


async def test_an_error_event_mid_stream_becomes_a_server_error() -> None:
    with pytest.raises(ServerError, match="boom"):
        await _collect(iter_chunks(_lines('data: {"error": {"message": "boom"}}', "")))  # type: ignore[arg-type]


# -- loop guard ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "loop",
    ["<tr><td></td><td></td><td></td></tr>", ".", "_", "| | | |\n", "the same line again\n"],
)
def test_loop_guard_stops_a_repeating_stream_within_a_few_kilobytes(loop: str) -> None:
    guard = LoopGuard()
    guard.feed('[{"bbox": [1, 2, 3, 4], "category": "Table", "text": "<table>')
    fed = 0
    while fed < 20_000 and not guard.feed(loop):
        fed += len(loop)
    assert guard.reason is not None
    assert fed < 5000


def test_loop_guard_lets_a_normal_page_through(fixtures_dir: object) -> None:
    text = json.dumps(
        [
            {"bbox": [i, i, i + 10, i + 10], "category": "Text", "text": f"Paragraph {i} " * 5}
            for i in range(200)
        ]
    )
    guard = LoopGuard()
    for i in range(0, len(text), 7):
        assert guard.feed(text[i : i + 7]) is None


def test_the_same_block_text_again_and_again_is_a_loop() -> None:
    guard = LoopGuard()
    reasons = [
        guard.feed_block(Block("Text", (0, i * 10, 9, i * 10 + 9), "A repeated sentence here."))
        for i in range(4)
    ]
    assert reasons[:3] == [None, None, None]
    assert reasons[3] is not None


def test_strip_loop_removes_the_repeated_tail() -> None:
    assert strip_loop("Total 12\n\n" + "| | | |\n" * 40 + "| |", "| | | |\n").strip() == "Total 12"


# -- errors and retries ----------------------------------------------------------------
def test_http_answers_map_to_typed_errors_with_a_sentence() -> None:
    assert isinstance(
        error_from_response(401, '{"error": "Unauthorized"}', "u", key_given=False), AuthFailed
    )
    old = json.dumps(
        {
            "object": "error",
            "message": "This model's maximum context length is 8192 tokens. However...",
        }
    )
    err = error_from_response(
        400, old, "u", key_given=False, note=(Msg.of(Code.ANSWER_LIMITED, tokens=100, asked=200),)
    )
    assert isinstance(err, ContextTooLong)
    assert "8192" in str(err) and "answer limited to 100 tokens" in str(err)
    new = json.dumps(
        {
            "error": {
                "message": "The decoder prompt (length 9000) is longer than the "
                "maximum model length of 8192."
            }
        }
    )
    assert isinstance(error_from_response(400, new, "u", key_given=True), ContextTooLong)
    assert isinstance(error_from_response(500, "x", "u", key_given=True), ServerError)


def test_backoff_grows_is_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=4.0)
    delays = [policy.delay(n) for n in range(1, 7)]
    assert all(0.5 <= d <= 4.0 for d in delays)
    assert max(delays[3:]) > max(delays[:1])


def test_base_urls_with_or_without_v1_are_the_same_server() -> None:
    assert normalize_base_url("http://h:8000/v1/") == "http://h:8000"
    assert normalize_base_url("h:8000") == "http://h:8000"
    assert normalize_base_url("https://gw.example/openai/v1") == "https://gw.example/openai"


def _engine(handler: Callable[[httpx.Request], httpx.Response], **kw: object) -> ServerEngine:
    return ServerEngine(
        "http://sim/v1",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.02, total=5),
        **kw,  # type: ignore[arg-type]
    )


async def test_gateway_without_health_is_ready_through_v1_models() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/health":
            return httpx.Response(404, json={"detail": "Not Found"})
        return httpx.Response(200, json=MODELS)

    engine = _engine(handler)
    await engine.ensure_ready()
    assert engine.info is not None and engine.info.model == "dots"
    assert engine.info.max_model_len == 8192
    assert seen[0] == "/health" and "/v1/models" in seen
    await engine.aclose()


async def test_an_unknown_model_name_lists_the_served_ones() -> None:
    engine = _engine(lambda r: httpx.Response(200, json=MODELS), model="qwen")
    with pytest.raises(ModelNotServed, match="dots"):
        await engine.ensure_ready()
    await engine.aclose()


async def test_a_refused_port_is_server_unavailable_at_once() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    engine = _engine(handler)
    with pytest.raises(ServerUnavailable, match="No OCR server answers at http://sim"):
        await engine.ensure_ready()
    await engine.aclose()


async def test_a_4xx_is_not_retried_but_a_503_is() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/chat/completions":
            return httpx.Response(200, json=MODELS)
        calls["n"] += 1
        if calls["n"] <= 2:
            return httpx.Response(503, json={"error": {"message": "not ready"}})
        if calls["n"] == 3:
            return httpx.Response(400, json={"error": {"message": "bad field"}})
        return httpx.Response(200)

    engine = _engine(handler)
    await engine.ensure_ready()
    with pytest.raises(ServerError, match="bad field"):
        async for _ in engine.stream_completion({"x": 1}):
            pass
    assert calls["n"] == 3
    await engine.aclose()


async def test_cancelling_during_backoff_stops_at_once() -> None:
    refused: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/chat/completions":
            return httpx.Response(200, json=MODELS)
        refused.append(503)
        return httpx.Response(503, json={"error": {"message": "not ready"}})

    engine = ServerEngine(
        "http://sim",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=100, base_delay=30, max_delay=30, total=1000),
    )
    await engine.ensure_ready()

    async def consume() -> None:
        async for _ in engine.stream_completion({}):
            pass

    task = asyncio.create_task(consume())
    # Cancel once the first answer was refused: the reader is then in its 30 s backoff (a
    # fixed 0.05 s could end before the first request on a busy machine).
    async with asyncio.timeout(30):
        while not refused:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)  # well below the 30 s backoff
    assert refused == [503]
    await engine.aclose()


# -- stores ----------------------------------------------------------------------------
def _page(index: int, status: PageStatus = PageStatus.OK) -> Page:
    blocks = (
        Block("Title", (1, 2, 30, 40), "# Заголовок", 0),
        Block("Picture", (5, 6, 70, 80), None, 1),
    )
    return Page(index, 100, 200, blocks, status, "why", 112, 224, "")


def test_document_json_round_trip_keeps_everything() -> None:
    doc = Document("a.pdf", (_page(0), _page(1, PageStatus.RECOVERED)))
    assert document_loads(document_dumps(doc)) == doc
    raw = json.loads(document_dumps(doc))
    assert "text" not in raw["pages"][0]["blocks"][1]  # the contract: no text for pictures


def test_batch_store_survives_a_reopen_with_every_state(tmp_path: object) -> None:
    store = BatchStore()
    bid = store.create_batch(["a.pdf"], {"mode": "layout"})
    store.add_pages(bid, "a.pdf", [0, 1, 2])
    store.mark_running(bid, "a.pdf", 0)
    store.mark_done(bid, "a.pdf", _page(0))
    store.mark_running(bid, "a.pdf", 1)
    store.mark_failed(bid, "a.pdf", 1, (Msg.of(Code.SERVER_UNAVAILABLE, url="u"),))
    store.add_pages(bid, "a.pdf", [0, 1, 2])  # re-adding keeps states
    store.close()
    again = BatchStore()
    states = {r.page_index: (r.status, r.attempts) for r in again.pages(bid)}
    assert states == {0: (DONE, 1), 1: (FAILED, 1), 2: (PENDING, 0)}
    assert again.done_pages(bid, "a.pdf") == {0: _page(0)}
    assert [b.id for b in again.unfinished_batches()] == [bid]
    again.close()


def test_history_reopens_documents_newest_first() -> None:
    history = HistoryStore()
    first = history.add(Document("a.png", (_page(0),)))
    second = history.add(Document("b.png", (_page(0),)))
    assert [e.id for e in history.entries()] == [second, first]
    assert history.load(first) == Document("a.png", (_page(0),))
    history.save_chat(first, [{"role": "user", "text": "hi"}])
    assert history.load_chat(first) == [{"role": "user", "text": "hi"}]
    history.close()


def test_the_factory_builds_a_server_engine_or_says_what_is_missing() -> None:
    from desktop.engines.base import Engine, EngineError
    from desktop.engines.factory import create_engine, default_engine_kind

    assert default_engine_kind("http://h:8000") == "server"
    assert default_engine_kind(None) == "builtin"
    engine = create_engine("server", "http://h:8000/v1", "k", "m")
    assert isinstance(engine, Engine) and engine.name == "m @ h:8000"
    with pytest.raises(EngineError, match="--endpoint"):
        create_engine("server", None)
    with pytest.raises(EngineError, match="Unknown engine"):
        create_engine("gpu")
