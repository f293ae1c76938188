"""Request bodies built off the event loop, and stream events that cannot be decoded."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from desktop.core.pageimage import PageImage
from desktop.core.request import build_messages, encode_page
from desktop.engines.errors import ServerError
from desktop.engines.net.sse import parse_chunk
from desktop.engines.remote.client import encode_json_body
from desktop.engines.remote.server import ServerEngine


def page(fixtures_dir: Path) -> PageImage:
    image = Image.open(fixtures_dir / "journal_page_tables.jpg").convert("RGB")
    return PageImage(source="journal_page_tables.jpg", index=0, image=image)


async def test_given_a_page_when_its_body_is_encoded_then_the_server_gets_the_same_json(
    fixtures_dir: Path,
) -> None:
    engine = ServerEngine("http://127.0.0.1:9", model="m")
    try:
        encoded = encode_page(page(fixtures_dir))
        body = engine.request_body(engine.messages(encoded, "read it"), 100)
        sent = engine.encode_body(body)
        expected = encode_json_body(
            engine.request_body(build_messages(encoded, "read it", placeholder=True), 100)
        )
        assert sent == expected
        url = json.loads(sent)["messages"][0]["content"][0]["image_url"]["url"]
        assert base64.b64decode(url.split(",", 1)[1]) == encoded.data
    finally:
        await engine.aclose()


async def test_given_a_chat_with_a_page_when_sent_then_the_image_arrives_whole(
    fixtures_dir: Path,
) -> None:
    bodies: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/models":
            return httpx.Response(200, json={"data": [{"id": "m", "max_model_len": 32768}]})
        if request.url.path == "/health":
            return httpx.Response(200)
        bodies.append(request.content)
        chunk = {"choices": [{"delta": {"content": "hello"}, "finish_reason": "stop"}]}
        return httpx.Response(200, text=f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n")

    from desktop.engines.base import ChatMessage

    engine = ServerEngine("http://sim", model="m", transport=httpx.MockTransport(answer))
    try:
        message = ChatMessage(role="user", text="what is it?", image=page(fixtures_dir))
        pieces = [p async for p in engine.chat([message])]
    finally:
        await engine.aclose()
    assert "".join(pieces) == "hello"
    sent: dict[str, Any] = json.loads(bodies[-1])
    url = sent["messages"][0]["content"][0]["image_url"]["url"]
    assert url.startswith("data:image/")
    Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).verify()


async def test_given_encoded_bytes_when_streamed_then_they_are_sent_unchanged() -> None:
    seen: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, text="data: [DONE]\n\n")

    engine = ServerEngine("http://sim", model="m", transport=httpx.MockTransport(answer))
    try:
        chunks = [c async for c in engine.stream_completion(b'{"x":1}')]
    finally:
        await engine.aclose()
    assert chunks == [] and seen == [b'{"x":1}']


def test_given_an_absurdly_nested_event_when_parsed_then_it_is_a_clear_server_error() -> None:
    nested = "[" * 200_000 + "]" * 200_000
    with pytest.raises(ServerError) as caught:
        parse_chunk(nested)
    assert "nested too deeply" in str(caught.value)


def test_the_event_loop_is_not_needed_to_encode_a_body(fixtures_dir: Path) -> None:
    # encode_body runs in a worker thread: it must not touch the running loop.
    engine = ServerEngine("http://127.0.0.1:9", model="m")
    encoded = encode_page(page(fixtures_dir))
    body = engine.request_body(engine.messages(encoded, "p"), 10)
    assert json.loads(engine.encode_body(body))["max_tokens"] == 10
    asyncio.run(engine.aclose())
