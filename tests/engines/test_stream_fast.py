"""The streaming hot path: raw-byte SSE splitting and the per-stream timeout watchdog."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import AsyncIterator, Sequence

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.engines.errors import ServerTimeout
from desktop.engines.net.sse import SSEDecoder, _loads, iter_sse_data, parse_chunk
from desktop.engines.remote.loopguard import LoopGuard, LoopGuardConfig
from desktop.engines.remote.server import ServerEngine, Timeouts

MODELS = {"object": "list", "data": [{"id": "dots", "object": "model", "max_model_len": 8192}]}


def _event(content: str) -> bytes:
    chunk = {"choices": [{"delta": {"content": content}, "finish_reason": None}]}
    return f"data: {json.dumps(chunk)}\n\n".encode()


async def _by_lines(text: str) -> list[str]:
    """What the line-based reader (the reference) makes of a body."""

    async def lines() -> AsyncIterator[str]:
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            yield line

    return [d async for d in iter_sse_data(lines())]


def _by_bytes(body: bytes, cuts: list[int]) -> list[str]:
    decoder = SSEDecoder()
    out: list[bytes] = []
    last = 0
    for cut in [*sorted(c % (len(body) + 1) for c in cuts), len(body)]:
        out += decoder.feed(body[last:cut])
        last = cut
    out += decoder.flush()
    return [d.decode() for d in out]


LINES = st.sampled_from(
    [
        "data: a",
        "data:b",
        "data:  spaced",
        "data",
        ": keepalive",
        "event: x",
        "id: 7",
        "",
        "",
        "data: [DONE]",
        'data: {"k": "é"}',
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(LINES, max_size=14),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    cuts=st.lists(st.integers(0, 400), max_size=6),
    final=st.booleans(),
)
async def test_raw_byte_events_match_the_line_reader_however_the_bytes_are_cut(
    lines: list[str], newline: str, cuts: list[int], final: bool
) -> None:
    text = newline.join(lines) + (newline if final else "")
    assert _by_bytes(text.encode(), cuts) == await _by_lines(text)


def test_multiline_data_is_joined_and_nothing_after_done_is_read() -> None:
    body = b": hi\r\ndata: b1\r\ndata: b2\r\n\r\ndata: [DONE]\n\ndata: after\n\n"
    assert _by_bytes(body, [3, 9, 20]) == ["b1\nb2"]


class _Body(httpx.AsyncByteStream):
    """A streamed answer: (delay, bytes) pairs, then an endless silence if ``hang``."""

    def __init__(self, parts: Sequence[tuple[float, bytes]], hang: bool = False) -> None:
        self.parts = parts
        self.hang = hang

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for delay, data in self.parts:
            await asyncio.sleep(delay)
            yield data
        if self.hang:
            await asyncio.sleep(3600)


def _engine(body: _Body, **timeouts: float) -> ServerEngine:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/chat/completions":
            return httpx.Response(200, json=MODELS)
        return httpx.Response(200, stream=body, headers={"content-type": "text/event-stream"})

    return ServerEngine(
        "http://sim", transport=httpx.MockTransport(handler), timeouts=Timeouts(**timeouts)
    )


async def test_a_stream_that_goes_quiet_after_writing_is_an_idle_timeout() -> None:
    # The idle limit is 20x the pause before "b": a busy machine's late wake-up must not
    # let the limit pass first (both timers due in one loop turn: the watchdog fires).
    engine = _engine(_Body([(0, _event("a")), (0.05, _event("b"))], hang=True), idle=1.0)
    got: list[str] = []
    with pytest.raises(ServerTimeout, match="went quiet for 1 s"):
        async with asyncio.timeout(5):
            async for chunk in engine.stream_completion(b"{}"):
                got.append(chunk.content)  # type: ignore[union-attr]
    assert got == ["a", "b"]
    await engine.aclose()


async def test_a_slow_consumer_is_not_a_quiet_server() -> None:
    parts = [(0, _event(str(i))) for i in range(4)] + [(0, b"data: [DONE]\n\n")]
    engine = _engine(_Body(parts), idle=0.2, first_token=0.2)
    got: list[str] = []
    async for chunk in engine.stream_completion(b"{}"):
        got.append(chunk.content)  # type: ignore[union-attr]
        await asyncio.sleep(0.3)  # longer than both limits, between reads
    assert got == ["0", "1", "2", "3"]
    await engine.aclose()


async def test_a_steady_stream_longer_than_the_idle_limit_is_not_cut() -> None:
    # 0.8 s of stream against a 0.6 s limit; each pause (0.05 s) is far below the limit, so
    # a busy machine's late wake-up is no quiet server.
    parts = [(0.05, _event("x")) for _ in range(16)] + [(0, b"data: [DONE]\n\n")]
    engine = _engine(_Body(parts), idle=0.6, first_token=0.6)
    got = [c async for c in engine.stream_completion(b"{}")]
    assert len(got) == 16
    await engine.aclose()


async def test_cancelling_the_reader_mid_read_is_a_cancel_not_a_timeout() -> None:
    # The idle limit is far away: a cancel timed just under it (sleep 0.19 s against 0.2 s)
    # lost to the watchdog whenever a busy machine woke the test late.
    engine = _engine(_Body([(0, _event("a"))], hang=True), idle=30.0)
    got: list[str] = []

    async def consume() -> None:
        async for chunk in engine.stream_completion(b"{}"):
            got.append(chunk.content)  # type: ignore[union-attr]

    task = asyncio.create_task(consume())
    async with asyncio.timeout(30):
        while not got:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # into the next read, which never gets an answer
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert got == ["a"]
    await engine.aclose()


async def test_when_a_callers_timeout_and_ours_expire_together_the_caller_wins() -> None:
    engine = _engine(_Body([(0, _event("a"))], hang=True), idle=0.2)

    async def consume() -> None:
        async for _ in engine.stream_completion(b"{}"):
            pass

    async def stall() -> None:  # both timers become due in the same loop iteration
        await asyncio.sleep(0.1)
        time.sleep(0.3)

    staller = asyncio.create_task(stall())
    with pytest.raises(TimeoutError):  # the caller's own timeout: not a ServerTimeout
        async with asyncio.timeout(0.25):
            await consume()
    await staller
    await engine.aclose()


def _periodic_reference(s: str, cfg: LoopGuardConfig) -> str | None:
    """The guard's rule, checked for every period in turn (the plain, slow way)."""
    n = len(s)
    for period in range(1, min(cfg.max_period, n // 2) + 1):
        span = cfg.min_span if period <= cfg.short_period else max(cfg.min_span, period * 10)
        if span > n or s[n - span : n - period] != s[n - span + period :]:
            continue
        unit = s[n - period :]
        if not unit.strip() and period <= cfg.short_period and span < 2 * cfg.min_span:
            continue
        shown = unit if len(unit) <= 40 else unit[:37] + "..."
        return f"the text {shown!r} repeated {span // period} times"
    return None


@settings(max_examples=300, deadline=None)
@given(
    head=st.text(alphabet="ab |.\n<>td", max_size=300),
    unit=st.text(alphabet="ab |.\n<>td", min_size=1, max_size=60),
    repeats=st.integers(0, 40),
    cut=st.integers(0, 59),
)
def test_the_loop_guards_fast_period_search_finds_what_the_plain_one_does(
    head: str, unit: str, repeats: int, cut: int
) -> None:
    cfg = LoopGuardConfig(min_span=40, max_period=60)
    text = head + unit * repeats + unit[: cut % len(unit)]
    guard = LoopGuard(cfg)
    guard._tail = text
    found = guard._periodic_tail()
    assert (str(found) if found else None) == _periodic_reference(text, cfg)


async def test_a_gzipped_event_stream_from_a_gateway_is_decoded() -> None:
    body = gzip.compress(_event("zip") + b"data: [DONE]\n\n")
    parts = [(0, body[:7]), (0, body[7:])]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/chat/completions":
            return httpx.Response(200, json=MODELS)
        headers = {"content-type": "text/event-stream", "content-encoding": "gzip"}
        return httpx.Response(200, stream=_Body(parts), headers=headers)

    engine = ServerEngine("http://sim", transport=httpx.MockTransport(handler))
    got = [c.content async for c in engine.stream_completion(b"{}")]  # type: ignore[union-attr]
    assert got == ["zip"]
    await engine.aclose()


@pytest.mark.parametrize(
    "text", ['{"a": 1}', ' {"a":1} ', '{"a":1}x', "", "nul", "\ufeff{}", "[1]", '{"a":NaN}']
)
def test_event_json_is_read_exactly_as_json_loads_reads_it(text: str) -> None:
    try:
        expected: object = json.loads(text)
    except ValueError as exc:
        expected = type(exc)
    try:
        got: object = _loads(text)
    except ValueError as exc:
        got = type(exc)
    assert repr(got) == repr(expected)


def test_bad_utf8_in_an_event_reads_as_replacement_characters() -> None:
    chunk = parse_chunk(b'{"choices": [{"delta": {"content": "a\xffb"}}]}')
    assert chunk.content == "a\ufffdb"
