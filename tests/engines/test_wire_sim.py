"""The lean network layer against the simulator: reuse, TLS, hang-ups, fallbacks."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.core.document import PageStatus
from desktop.core.images import iter_pages
from desktop.core.pageimage import PageImage
from desktop.engines.base import BlockFound, PageDone
from desktop.engines.errors import RetryPolicy
from desktop.engines.net.netstream import ChunkedBody, LeanStream
from desktop.engines.net.transport import lean_transport
from desktop.engines.remote.server import ServerEngine

FAST_RETRY = RetryPolicy(attempts=6, base_delay=0.05, max_delay=0.2, total=10)
LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=60)


@pytest.fixture
def journal(fixtures_dir: Path) -> PageImage:
    return next(iter_pages(fixtures_dir / "journal_page_tables.jpg"))


class _Proxy:
    """A TCP proxy in front of the simulator (TLS-terminating with ``tls``); counts clients."""

    def __init__(
        self,
        target: str,
        tls: ssl.SSLContext | None = None,
        *,
        cut_after: int | None = None,
        abort: bool = False,
    ) -> None:
        host, port = target.rsplit("//", 1)[-1].split(":")
        self.target = (host, int(port))
        self.tls = tls
        self.cut_after = cut_after  # the first connection breaks after this many bytes back
        self.abort = abort  # ... with a reset instead of a clean close
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        budget = self.cut_after if self.connections == 1 else None
        up_reader, up_writer = await asyncio.open_connection(*self.target)

        async def pipe(
            src: asyncio.StreamReader, dst: asyncio.StreamWriter, budget: int | None
        ) -> None:
            try:
                while data := await src.read(65536):
                    if budget is not None and len(data) >= budget:
                        dst.write(data[:budget])
                        await dst.drain()
                        dst.transport.abort() if self.abort else dst.close()
                        up_writer.close()
                        return
                    if budget is not None:
                        budget -= len(data)
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, ssl.SSLError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, None), pipe(up_reader, writer, budget))

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()


def _lean_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts calls of ChunkedBody.read (the body came straight from our buffer)."""
    calls: list[int] = []
    original = ChunkedBody.read

    async def counted(self: ChunkedBody) -> bytes | None:
        calls.append(1)
        return await original(self)

    monkeypatch.setattr(ChunkedBody, "read", counted)
    return calls


async def _page(engine: ServerEngine, page: PageImage) -> tuple[int, Any]:
    blocks = 0
    done = None
    async for event in engine.recognize(page):
        blocks += isinstance(event, BlockFound)
        if isinstance(event, PageDone):
            done = event.page
    return blocks, done


async def test_pages_read_one_after_another_share_one_connection(
    vllm_sim: Any, journal: PageImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = vllm_sim(decode_tps=5000.0)
    proxy = _Proxy(sim.base_url)
    port = await proxy.start()
    lean = _lean_reads(monkeypatch)
    # A long keep-alive: a slow encode on a busy machine must not expire the connection.
    engine = ServerEngine(f"http://127.0.0.1:{port}", transport=lean_transport(LIMITS))
    for _ in range(3):
        blocks, page = await _page(engine, journal)
        assert page.status is PageStatus.OK and blocks == len(page.blocks) > 0
    assert lean, "the body was read through h11, not straight from the buffer"
    assert proxy.connections == 1  # /health, /v1/models and three streams
    await engine.aclose()
    await proxy.stop()


async def test_a_page_cancelled_mid_stream_closes_its_connection(
    vllm_sim: Any, journal: PageImage
) -> None:
    sim = vllm_sim(decode_tps=200.0)
    proxy = _Proxy(sim.base_url)
    port = await proxy.start()
    engine = ServerEngine(f"http://127.0.0.1:{port}")
    await engine.ensure_ready()

    async def until_first_block() -> None:
        async for event in engine.recognize(journal):
            if isinstance(event, BlockFound):
                await asyncio.sleep(3600)

    task = asyncio.create_task(until_first_block())
    for _ in range(500):
        await asyncio.sleep(0.01)
        if sim.stats.running:
            break
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(2000):  # >= 20 s: the simulator's thread notices the close when it runs
        if sim.stats.cancelled_requests:
            break
        await asyncio.sleep(0.01)
    assert sim.stats.cancelled_requests == 1
    _, page = await _page(engine, journal)  # a fresh connection serves the next page
    assert page.status is PageStatus.OK
    assert proxy.connections == 2
    await engine.aclose()
    await proxy.stop()


@pytest.mark.parametrize("abort", [False, True])
async def test_a_connection_cut_mid_answer_is_retried_and_the_page_completes(
    vllm_sim: Any, journal: PageImage, abort: bool
) -> None:
    sim = vllm_sim(decode_tps=2000.0)
    proxy = _Proxy(sim.base_url, cut_after=6000, abort=abort)  # FIN or RST mid-body
    port = await proxy.start()
    engine = ServerEngine(f"http://127.0.0.1:{port}", retry=FAST_RETRY)
    blocks, page = await _page(engine, journal)
    assert page.status is PageStatus.OK and len(page.blocks) > 0
    assert blocks == len(page.blocks)  # blocks shown before the cut are not shown twice
    assert proxy.connections == 2
    await engine.aclose()
    await proxy.stop()


def _tls_pair(tmp: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a fresh self-signed certificate for 127.0.0.1, and a client one."""
    crypto = pytest.importorskip("cryptography")
    assert crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_an_https_server_streams_through_the_lean_layer(
    vllm_sim: Any, journal: PageImage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server_tls, client_tls = _tls_pair(tmp_path)
    sim = vllm_sim(decode_tps=3000.0, api_key="k")
    proxy = _Proxy(sim.base_url, tls=server_tls)
    port = await proxy.start()
    lean = _lean_reads(monkeypatch)
    engine = ServerEngine(
        f"https://127.0.0.1:{port}/v1", api_key="k", transport=lean_transport(LIMITS, client_tls)
    )
    for _ in range(2):
        blocks, page = await _page(engine, journal)
        assert page.status is PageStatus.OK and blocks == len(page.blocks) > 0
    assert lean, "the body was read through h11, not straight from the buffer"
    assert proxy.connections == 1, f"{proxy.connections} connections for two pages"
    await engine.aclose()
    await proxy.stop()


async def test_a_certificate_the_client_does_not_trust_is_refused(
    vllm_sim: Any, tmp_path: Path
) -> None:
    server_tls, _ = _tls_pair(tmp_path)
    sim = vllm_sim()
    proxy = _Proxy(sim.base_url, tls=server_tls)
    port = await proxy.start()
    engine = ServerEngine(f"https://127.0.0.1:{port}", retry=FAST_RETRY)
    with pytest.raises(Exception, match=r"127\.0\.0\.1"):
        await engine.ensure_ready()
    await engine.aclose()
    await proxy.stop()


async def test_the_default_client_reads_through_the_lean_backend(
    vllm_sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    sim = vllm_sim()
    engine = ServerEngine(sim.base_url)
    resp = await engine._client.get("/health")
    # httpcore's public "network_stream" extension: the connection is one of ours.
    assert resp.status_code == 200
    assert isinstance(resp.extensions.get("network_stream"), LeanStream)
    await engine.aclose()


def test_a_proxy_from_the_environment_keeps_httpxs_own_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    engine = ServerEngine("http://gpu-box:8000")
    pattern = next(iter(engine._client._mounts), None)
    assert pattern is not None  # httpx mounted the proxy as it always did
