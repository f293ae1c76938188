"""The lean transport keeps httpx's contract: its errors, its timeouts, its streamed bodies."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from desktop.engines.net.netstream import LeanStream
from desktop.engines.net.transport import lean_transport

LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=5.0)


async def test_given_a_closed_port_then_httpx_raises_its_own_connect_error(
    refused_port: int,
) -> None:
    async with httpx.AsyncClient(transport=lean_transport(LIMITS)) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(f"http://127.0.0.1:{refused_port}/health")
    assert caught.value.request.url.path == "/health"  # httpx attached the request


async def test_given_a_server_that_never_answers_then_httpx_raises_read_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(transport=lean_transport(LIMITS), timeout=0.3) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get(f"http://127.0.0.1:{port}/")
    finally:
        server.close()


async def test_given_a_streamed_body_then_it_arrives_whole_over_a_lean_connection(
    vllm_sim: Any,
) -> None:
    sim = vllm_sim()
    client = httpx.AsyncClient(transport=lean_transport(LIMITS))
    async with client, client.stream("GET", f"{sim.base_url}/v1/models") as resp:
        assert isinstance(resp.extensions["network_stream"], LeanStream)
        body = b"".join([part async for part in resp.aiter_raw()])
    assert resp.status_code == 200 and b'"object":"list"' in body.replace(b" ", b"")


async def test_given_a_server_that_closes_mid_body_then_httpx_raises_its_protocol_error() -> None:
    async def truncating(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(truncating, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(transport=lean_transport(LIMITS)) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get(f"http://127.0.0.1:{port}/")
    finally:
        server.close()
