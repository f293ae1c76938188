"""The lean read path: chunked bodies from our own buffer, events merged per read, shapes cached.

Every fast path is checked against the plain one (json per event, h11 for the framing) on
the same bytes cut at arbitrary points.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.engines.errors import ServerError
from desktop.engines.net.netstream import ChunkedBody, LeanStream, _Protocol
from desktop.engines.net.sse import EventParser, SSEDecoder, parse_chunk

SPECIAL = ["Привет, мир", "😀", "\ud83d", "\ude00", '"', "\\", "\n", "\x00", "\u2028", "é", "\t"]
TEXTS = st.lists(st.one_of(st.text(max_size=6), st.sampled_from(SPECIAL)), max_size=4).map("".join)
FINISH = st.sampled_from([None, None, None, "stop", "length"])


@st.composite
def events(draw: st.DrawFn) -> bytes:
    """One payload as servers write them: vLLM-like, reordered, spaced, escaped, odd."""
    kind = draw(st.sampled_from(["delta"] * 8 + ["usage", "error", "null", "odd"]))
    ascii_only = draw(st.booleans()) or kind == "odd"
    seps = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    base: dict[str, Any] = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 7}
    base["model"] = draw(st.sampled_from(["dots", 'we"ird\\model', "content"]))
    if kind == "usage":
        base["choices"] = []
        base["usage"] = {"prompt_tokens": 3, "completion_tokens": draw(st.integers(0, 9))}
    elif kind == "error":
        base = {"error": {"message": draw(st.text(max_size=5))}}
    else:
        delta: dict[str, Any] = {"content": None if kind == "null" else draw(TEXTS)}
        if draw(st.booleans()):
            delta = {"role": "assistant", **delta}
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": draw(FINISH)}
        if draw(st.booleans()):
            choice = dict(reversed(list(choice.items())))
        base["choices"] = [choice]
        if kind == "odd":  # the same key again, elsewhere, or spelt with an escape
            base["extra"] = {"content": draw(TEXTS)}
    text = json.dumps(base, ensure_ascii=ascii_only, separators=seps)
    if kind == "odd" and draw(st.booleans()):
        text = text.replace('"content"', '"\\u0063ontent"', 1)
    return text.encode("utf-8", "surrogatepass") if not ascii_only else text.encode()


def _reference(payloads: list[bytes]) -> tuple[str, str | None, Any, str | None]:
    """(text, finish, usage, error) read one event at a time with the JSON parser."""
    parts: list[str] = []
    finish = usage = None
    for payload in payloads:
        try:
            chunk = parse_chunk(payload)
        except ServerError as exc:
            return "".join(parts), finish, usage, str(exc)
        parts.append(chunk.content)
        finish = chunk.finish_reason or finish
        usage = chunk.usage if chunk.usage is not None else usage
    return "".join(parts), finish, usage, None


def _merged(batches: list[list[bytes]]) -> tuple[str, str | None, Any, str | None]:
    """The same through ``EventParser``, a batch per network read, as the client does."""
    parser = EventParser()
    parts: list[str] = []
    finish = usage = None
    for batch in batches:
        i = 0
        while i < len(batch):
            try:
                chunk, i = parser.parse(batch, i)
            except ServerError as exc:
                return "".join(parts), finish, usage, str(exc)
            if chunk is not None:
                parts.append(chunk.content)
                finish = chunk.finish_reason or finish
                usage = chunk.usage if chunk.usage is not None else usage
    return "".join(parts), finish, usage, None


def _cut(items: list[Any], cuts: list[int]) -> list[list[Any]]:
    bounds = sorted({c % (len(items) + 1) for c in cuts} | {0, len(items)})
    return [items[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=400, deadline=None)
@given(
    shape=events(),
    texts=st.lists(TEXTS, min_size=1, max_size=12),
    extra=st.lists(events(), max_size=4),
    cuts=st.lists(st.integers(0, 20), max_size=5),
)
def test_events_merged_per_read_say_what_json_per_event_says(
    shape: bytes, texts: list[str], extra: list[bytes], cuts: list[int]
) -> None:
    # Many events of one shape (the cache's case) with other events mixed in.
    same = []
    for text in texts:
        obj = json.loads(shape)
        choices = obj.get("choices") if isinstance(obj, dict) else None
        if choices and isinstance(choices[0].get("delta"), dict):
            choices[0]["delta"]["content"] = text
        same.append(json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    payloads = same[:3] + extra + same[3:] + [shape]
    assert _merged(_cut(payloads, cuts)) == _reference(payloads)


@pytest.mark.parametrize(
    "event",
    [
        b'{"choices":[{"delta":{"content":"a","content":"b"}}]}',  # the last one counts
        b'{"choices":[{"delta":{"\\u0063ontent":"real"}}],"x":{"content":"decoy"}}',
        b'{"choices":[{"delta":{"content":null}}],"x":{"content":"decoy"}}',
        b'{"choices":[{"delta":{"content":"raw\x01control"}}]}',  # JSON rejects it
        b'{"choices":[{"delta":{"content":"bad \\x escape"}}]}',
        b'{"choices":[{"delta":{"content":"a\xffb"}}]}',  # bad UTF-8 reads as U+FFFD
    ],
)
def test_a_misleading_event_shape_is_never_trusted(event: bytes) -> None:
    twice = [event, event.replace(b'"a"', b'"c"'), event]
    assert _merged([twice[:1], twice[1:]]) == _reference(twice)


def test_text_before_an_error_in_the_same_read_is_delivered_first() -> None:
    ok = b'{"choices":[{"delta":{"content":"kept"}}]}'
    err = b'{"error":{"message":"engine died"}}'
    parser = EventParser()
    chunk, i = parser.parse([ok, ok, err, ok])
    assert chunk is not None and chunk.content == "keptkept" and i == 2
    with pytest.raises(ServerError, match="engine died"):
        parser.parse([ok, ok, err, ok], i)


# -- chunked framing straight from the buffer --------------------------------------------
def _chunked(body: bytes, sizes: list[int]) -> bytes:
    out, pos = [], 0
    for size in [*sizes, len(body)]:
        piece = body[pos : pos + max(1, size)]
        if not piece:
            break
        ext = b";x=1" if size % 5 == 1 else b""
        out.append(b"%x%s\r\n%s\r\n" % (len(piece), ext, piece))
        pos += len(piece)
    return b"".join(out) + b"0\r\n\r\n"


class _FakeTransport:
    def pause_reading(self) -> None: ...
    def resume_reading(self) -> None: ...
    def is_closing(self) -> bool:
        return False

    def write(self, data: bytes) -> None:
        self.written = data


async def _read_all(wire: bytes, cuts: list[int]) -> tuple[list[bytes], ChunkedBody]:
    """Feed ``wire`` in pieces while a ChunkedBody reads; the SSE payloads it yields."""
    proto = _Protocol()
    body = ChunkedBody(proto)
    decoder = SSEDecoder()
    payloads: list[bytes] = []
    bounds = sorted({c % (len(wire) + 1) for c in cuts} | {0, len(wire)})
    pieces = [wire[a:b] for a, b in itertools.pairwise(bounds)]

    async def feed() -> None:
        for piece in pieces:
            await asyncio.sleep(0)
            proto.data_received(piece)

    feeder = asyncio.create_task(feed())
    while not decoder.done:
        data = await body.read()
        payloads += decoder.feed(data) if data is not None else decoder.flush()
        if data is None:
            break
    await feeder
    return payloads, body


@settings(max_examples=200, deadline=None)
@given(
    payloads=st.lists(events(), max_size=10),
    sizes=st.lists(st.integers(1, 300), max_size=8),
    cuts=st.lists(st.integers(0, 4000), max_size=12),
    done=st.booleans(),
)
async def test_a_chunked_body_cut_anywhere_gives_the_events_h11_would(
    payloads: list[bytes], sizes: list[int], cuts: list[int], done: bool
) -> None:
    sse = b"".join(b"data: " + p + b"\n\n" for p in payloads) + (b"data: [DONE]\n\n" * done)
    wire = _chunked(sse, sizes)
    got, body = await _read_all(wire, cuts)
    reference = SSEDecoder()
    assert got == [*reference.feed(sse), *reference.flush()]
    if not done:  # ran to the last chunk: the message end is left for h11, whole
        assert body.ended and body.drain()


async def test_cyrillic_split_inside_a_character_across_reads_and_chunks() -> None:
    event = json.dumps({"choices": [{"delta": {"content": "Щука"}}]}, ensure_ascii=False)
    sse = f"data: {event}\n\n".encode()
    middle = sse.index("Щ".encode()) + 1  # between the two bytes of Щ
    wire = _chunked(sse, [middle])
    payloads, _ = await _read_all(wire, [wire.index(b"\xa9"), len(wire) - 3])
    chunk, _ = EventParser().parse(payloads)
    assert chunk is not None and chunk.content == "Щука"


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        (b"5\r\nabc", httpx.RemoteProtocolError),  # the server hung up mid-chunk
        (b"zz\r\nabc\r\n", httpx.RemoteProtocolError),
        (b"3\r\nabcXY0\r\n\r\n", httpx.RemoteProtocolError),  # no CRLF after the data
    ],
)
async def test_a_broken_chunked_body_is_a_retryable_transport_error(
    wire: bytes, error: type[Exception]
) -> None:
    proto = _Protocol()
    proto.data_received(wire)
    proto.eof_received()
    body = ChunkedBody(proto)
    with pytest.raises(error):
        while await body.read() is not None:
            pass


async def test_a_reset_connection_mid_body_is_a_read_error() -> None:
    proto = _Protocol()
    proto.data_received(b"3\r\nabc\r\n")
    body = ChunkedBody(proto)
    assert await body.read() == b"abc"
    proto.connection_lost(ConnectionResetError("reset by peer"))
    with pytest.raises(httpx.ReadError):
        await body.read()


def test_the_message_end_must_be_complete_before_the_connection_is_reused() -> None:
    proto = _Protocol()
    proto.data_received(b"1\r\na\r\n0\r\n")
    body = ChunkedBody(proto)
    assert body._take() == b"a"
    assert body.ended and not body.drain()  # the blank line after the trailers is missing
    proto.data_received(b"\r\n")
    assert body.drain()


# -- response heads end where h11 expects them ---------------------------------------------
HEAD = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"


@pytest.mark.parametrize("split", [0, 5, len(HEAD) - 3, len(HEAD) - 1, len(HEAD)])
async def test_h11_gets_the_head_and_not_one_byte_of_the_body(split: int) -> None:
    proto = _Protocol()
    stream = LeanStream(_FakeTransport(), proto)  # type: ignore[arg-type]
    await stream.write(b"POST / HTTP/1.1\r\n\r\n")
    wire = HEAD + b"3\r\nabc\r\n"
    proto.data_received(wire[:split]) if split else None
    given = b""
    if split:
        given += await stream.read(65536)
    proto.data_received(wire[split:])
    while not given.endswith(b"\r\n\r\n"):
        given += await stream.read(65536)
    assert given == HEAD
    body = stream.chunked_body()
    assert body is not None and await body.read() == b"abc"


async def test_an_interim_100_continue_head_is_passed_through_first() -> None:
    proto = _Protocol()
    stream = LeanStream(_FakeTransport(), proto)  # type: ignore[arg-type]
    await stream.write(b"POST / HTTP/1.1\r\n\r\n")
    proto.data_received(b"HTTP/1.1 100 Continue\r\n\r\n" + HEAD + b"1\r\nz\r\n")
    assert await stream.read(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert stream.chunked_body() is None  # not yet: the real head is still to come
    assert await stream.read(65536) == HEAD
    body = stream.chunked_body()
    assert body is not None and await body.read() == b"z"
