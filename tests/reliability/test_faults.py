"""Server, network, disk and GPU faults on purpose (simulator and local fakes, no Docker):
each ends in a sentence the user can act on, within a bounded time, with nothing lost."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import subprocess
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from PIL import Image

from desktop.core.document import Page, PageStatus
from desktop.core.exports import atomic_write_bytes, write_csv
from desktop.core.images import iter_pages
from desktop.core.pageimage import PageImage
from desktop.core.tables import parse_table_html
from desktop.engines.base import BlockFound, PageDone, RecognizeEvent, RecognizeMode
from desktop.engines.batch.pipeline import BatchPipeline, PageFinished
from desktop.engines.errors import RetryPolicy, ServerError, ServerTimeout, ServerUnavailable
from desktop.engines.remote.server import ServerEngine, Timeouts
from tests.reliability.helpers import InstantEngine, assert_one_clear_line, drain

pytestmark = pytest.mark.timeout(90)

QUICK_RETRY = RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.1, total=5)


def _tiff(path: Path, pages: int) -> Path:
    frames = [Image.new("RGB", (400, 300), (255, 255 - i, 255)) for i in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


@pytest.fixture
def page(tmp_path: Path) -> PageImage:
    path = tmp_path / "page.png"
    Image.new("RGB", (400, 300), "white").save(path)
    return next(iter_pages(path))


async def _read(engine: ServerEngine, page: PageImage) -> Page:
    result = None
    async for event in engine.recognize(page):
        if isinstance(event, PageDone):
            result = event.page
    assert result is not None
    return result


# -- the server side ------------------------------------------------------------------


async def test_a_refused_port_fails_fast_with_a_sentence(
    page: PageImage, refused_port: int
) -> None:
    port = refused_port
    engine = ServerEngine(f"http://127.0.0.1:{port}", retry=QUICK_RETRY)
    try:
        with pytest.raises(ServerUnavailable) as info:
            await asyncio.wait_for(_read(engine, page), 10)
    finally:
        await engine.aclose()
    assert_one_clear_line(str(info.value))
    assert f"127.0.0.1:{port}" in str(info.value)


async def test_a_500_storm_fails_each_page_with_the_servers_reason_and_the_batch_ends(
    vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim(faults=["http-500"], fail_count=0)
    engine = ServerEngine(sim.base_url, retry=QUICK_RETRY)
    try:
        events = await drain(
            BatchPipeline(engine, concurrency=2).run([_tiff(tmp_path / "a.tiff", 4)])
        )
    finally:
        await engine.aclose()
    finished = [e for e in events if isinstance(e, PageFinished)]
    assert sorted(e.page.index for e in finished) == [0, 1, 2, 3]
    for event in finished:
        assert event.page.status is PageStatus.FAILED
        assert_one_clear_line(event.page.reason)
        assert "HTTP 500" in event.page.reason
    # Bounded: each page was tried QUICK_RETRY.attempts times, not forever.
    assert sim.stats.failed_requests <= 4 * QUICK_RETRY.attempts


@pytest.mark.parametrize("fault", ["http-500", "http-503"])
async def test_a_short_error_storm_is_ridden_out_and_every_page_is_read_once(
    fault: str, vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim(faults=[fault], fail_count=5, decode_tps=100_000.0)
    engine = ServerEngine(
        sim.base_url, retry=RetryPolicy(attempts=10, base_delay=0.05, max_delay=0.2, total=30)
    )
    try:
        events = await drain(
            BatchPipeline(engine, concurrency=3).run([_tiff(tmp_path / "b.tiff", 6)])
        )
    finally:
        await engine.aclose()
    finished = [e for e in events if isinstance(e, PageFinished)]
    assert sorted(e.page.index for e in finished) == list(range(6))
    assert all(e.page.status is PageStatus.OK for e in finished)
    assert sim.stats.completed_requests == 6  # every page answered exactly once


async def test_a_server_that_dies_mid_stream_ends_the_page_with_a_sentence(
    vllm_sim: Any, page: PageImage
) -> None:
    # In-process crash: every connection is reset; afterwards chat answers 500.
    sim = vllm_sim(decode_tps=300.0)
    engine = ServerEngine(sim.base_url, retry=QUICK_RETRY)
    try:
        await engine.ensure_ready()
        stream = cast(AsyncGenerator[RecognizeEvent, None], engine.recognize(page))
        first = await anext(stream)  # the answer is being written...
        assert first is not None
        sim.crash()  # ...when the engine dies
        result: Page | None = None
        try:
            async with contextlib.aclosing(stream):
                async for event in stream:
                    if isinstance(event, PageDone):
                        result = event.page
        except ServerError as exc:  # nothing complete had arrived: the page fails, says why
            assert not isinstance(first, BlockFound)
            reason = str(exc)
        else:  # blocks had arrived: they are kept, the page is partial and says why
            assert result is not None and result.status is PageStatus.PARTIAL
            assert result.blocks
            reason = result.reason
    finally:
        await engine.aclose()
    assert_one_clear_line(reason)


class SilentServer:
    """Accepts connections and reads requests, but never answers (or answers GETs only)."""

    def __init__(self, *, answer_gets: bool) -> None:
        self.answer_gets = answer_gets
        self.connections = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if length:
                    await reader.readexactly(length)
                if not (self.answer_gets and head.startswith(b"GET")):
                    await asyncio.sleep(3600)  # accepted, never answered
                body = b'{"object": "list", "data": [{"id": "m", "max_model_len": 32768}]}'
                if b"/health" in head.split(b"\r\n")[0]:
                    body = b""
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


async def test_a_server_that_accepts_and_never_answers_times_out_with_a_sentence(
    page: PageImage,
) -> None:
    async with SilentServer(answer_gets=False) as url:
        engine = ServerEngine(url, timeouts=Timeouts(connect=1, first_token=1, idle=1, request=1))
        try:
            with pytest.raises(ServerTimeout) as info:
                await asyncio.wait_for(engine.ensure_ready(), 10)
        finally:
            await engine.aclose()
    assert_one_clear_line(str(info.value))
    assert "did not answer in time" in str(info.value)


async def test_a_server_that_never_sends_the_first_token_fails_the_page_clearly(
    tmp_path: Path,
) -> None:
    async with SilentServer(answer_gets=True) as url:
        engine = ServerEngine(url, timeouts=Timeouts(connect=1, first_token=1, idle=1, request=2))
        try:
            events = await drain(
                BatchPipeline(engine, concurrency=2).run([_tiff(tmp_path / "c.tiff", 3)]), 20
            )
        finally:
            await engine.aclose()
    finished = [e for e in events if isinstance(e, PageFinished)]
    assert sorted(e.page.index for e in finished) == [0, 1, 2]
    for event in finished:
        assert event.page.status is PageStatus.FAILED
        assert isinstance(event.error, ServerTimeout)
        assert_one_clear_line(event.page.reason)
        assert "did not start answering within 1 s" in event.page.reason


async def test_a_slow_first_token_beyond_the_limit_is_a_timeout_not_a_hang(
    vllm_sim: Any, page: PageImage
) -> None:
    sim = vllm_sim(faults=["slow-first-token"], first_token_delay=5.0)
    engine = ServerEngine(sim.base_url, timeouts=Timeouts(first_token=1, idle=1))
    try:
        with pytest.raises(ServerTimeout) as info:
            await asyncio.wait_for(_read(engine, page), 10)
    finally:
        await engine.aclose()
    assert_one_clear_line(str(info.value))


class BrokenEngine(InstantEngine):
    """Raises an unexpected (non-DotsError) exception on one page: a bug in an engine."""

    async def recognize(
        self, page: PageImage, mode: RecognizeMode = RecognizeMode.LAYOUT, region: Any = None
    ) -> AsyncIterator[RecognizeEvent]:
        if page.index == 1:
            raise RuntimeError("engine bug")
        async for event in super().recognize(page, mode, region):
            yield event


async def test_an_engine_bug_on_one_page_fails_that_page_and_the_batch_still_ends(
    tmp_path: Path,
) -> None:
    engine = BrokenEngine()
    events = await drain(BatchPipeline(engine).run([_tiff(tmp_path / "d.tiff", 3)]), 5)
    finished = {e.page.index: e.page for e in events if isinstance(e, PageFinished)}
    assert sorted(finished) == [0, 1, 2]
    assert finished[1].status is PageStatus.FAILED


# -- disk full while exporting --------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs when this sandbox lets us mount one (root); else skip."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    cmd = ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)]
    if subprocess.run(cmd, capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root or no CAP_SYS_ADMIN)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True, check=False)


def test_an_export_to_a_full_disk_leaves_the_old_file_whole_and_no_debris(tiny_disk: Path) -> None:
    target = tiny_disk / "report.md"
    target.write_text("the previous export\n")
    with pytest.raises(OSError) as info:
        atomic_write_bytes(target, b"x" * 200_000)
    assert info.value.errno == errno.ENOSPC
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["report.md"]


def test_a_failing_flush_to_disk_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where a real full disk often shows up first: fsync of delayed allocations.
    target = tmp_path / "table.csv"
    target.write_text("old,table\n")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    grid = parse_table_html("<table><tr><td>new</td><td>table</td></tr></table>")
    with pytest.raises(OSError):
        write_csv(grid, target)
    assert target.read_text() == "old,table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_the_cli_on_a_full_disk_says_so_in_one_line(
    tiny_disk: Path, vllm_sim: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.cli import run

    sim = vllm_sim(decode_tps=100_000.0)
    src = _tiff(tmp_path / "e.tiff", 1)
    with (tiny_disk / "filler").open("wb") as fh, contextlib.suppress(OSError):
        fh.write(b"\0" * 70_000)  # fill the disk to the last byte
    code = run(
        ["ocr", str(src), "--endpoint", sim.base_url, "--out", str(tiny_disk), "--format", "html"]
    )
    _, err = capsys.readouterr()
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert_one_clear_line(last)
    assert "space" in last.lower()
    assert not [p for p in tiny_disk.iterdir() if p.name not in ("filler",)]


# -- GPU memory held by another process (fake NVML) -----------------------------------


def _fake_gpu(used_gib: float) -> Any:
    from desktop.runtime.gpu import NvmlBackend, read_gpus
    from tests.runtime.fake_nvml import GIB, FakeDevice, FakeNvml

    nvml = FakeNvml([FakeDevice(total=16 * GIB, used=int(used_gib * GIB))])
    return lambda: read_gpus([NvmlBackend(nvml)])


def _no_containers_client() -> Any:
    """A Docker client with nothing running (the fault here is the GPU, not Docker)."""
    containers = SimpleNamespace(list=lambda **_: [], get=lambda *_: None)
    images = SimpleNamespace(get=lambda *_: None)
    return SimpleNamespace(containers=containers, images=images, close=lambda: None)


async def test_a_gpu_filled_by_another_program_refuses_the_start_with_how_much_is_missing() -> None:
    from desktop.runtime.controller import ContainerController, ContainerState
    from desktop.runtime.profiles import load_profiles

    profile = load_profiles()["dots.ocr"]
    controller = ContainerController(
        gpu_reader=_fake_gpu(used_gib=13.5),  # a game holds 13.5 of 16 GiB
        client_factory=_no_containers_client,
        token_getter=lambda: None,
    )
    try:
        status = await asyncio.wait_for(controller.start(profile), 20)
    finally:
        await controller.aclose()
    assert status.state is ContainerState.FAILED
    assert status.cause == "not_enough_vram", status
    assert_one_clear_line(status.message)
    assert "GiB" in status.message
    assert status.fix
    # What happened and what to do, each said once: the fix is not repeated in the message.
    assert "close programs" not in status.message.lower()
    assert "smaller profile" in status.fix


def test_the_planner_says_the_profile_fits_once_the_other_program_quits() -> None:
    from desktop.runtime.gpu import read_gpus  # noqa: F401  (the same boundary as above)
    from desktop.runtime.planner import plan_memory
    from desktop.runtime.profiles import load_profiles

    profile = load_profiles()["dots.ocr"]
    busy = _fake_gpu(13.5)()[0]
    idle = _fake_gpu(0.8)()[0]
    assert not plan_memory(profile, busy.free_bytes, busy.total_bytes).fits
    assert plan_memory(profile, idle.free_bytes, idle.total_bytes).fits


# -- Docker unreachable ---------------------------------------------------------------


async def test_a_dead_docker_socket_gives_a_failed_state_with_a_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.runtime.controller import ContainerController, ContainerState
    from desktop.runtime.profiles import load_profiles

    # Never the real dockerd: DOCKER_HOST points at a socket nobody listens on.
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/docker.sock")
    controller = ContainerController(gpu_reader=None, token_getter=lambda: None)
    try:
        adopted = await asyncio.wait_for(controller.adopt(wait=False), 20)
        started = await asyncio.wait_for(controller.start(load_profiles()["dots.ocr"]), 20)
    finally:
        await asyncio.wait_for(controller.aclose(), 20)
    for status in (adopted, started):
        assert status.state is ContainerState.FAILED
        assert status.cause == "docker_unavailable"
        assert_one_clear_line(status.message)
        assert status.fix


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param("[" * 5000 + "]" * 5000, id="deep-nesting"),
        pytest.param(
            '[{"bbox": [NaN, 1, Infinity, 5], "category": "Text", "text": "x"}]',
            id="nan-box",
        ),
        pytest.param(
            '<table><tr><td rowspan="99999999">' + "<div>" * 5000, id="huge-span-deep-divs"
        ),
        pytest.param(
            '[{"bbox": [1, 1, 50, 50], "category": "Table", "text": "'
            + "<tr><td></td></tr>" * 3000
            + '"}]',
            id="looping-table",
        ),
    ],
)
async def test_a_hostile_answer_from_the_server_ends_its_page_and_the_batch(
    answer: str, vllm_sim: Any, tmp_path: Path
) -> None:
    import hashlib

    path = tmp_path / "page.png"
    Image.new("RGB", (400, 300), "white").save(path)
    responses = tmp_path / "responses"
    responses.mkdir()
    # The simulator keys scripted answers by the sha256 of the image bytes as sent.
    (responses / f"{hashlib.sha256(path.read_bytes()).hexdigest()}.txt").write_text(answer)
    sim = vllm_sim(responses=str(responses), decode_tps=1_000_000.0)
    engine = ServerEngine(sim.base_url, retry=QUICK_RETRY)
    try:
        events = await drain(BatchPipeline(engine).run([path]), 10)
    finally:
        await engine.aclose()
    finished = [e for e in events if isinstance(e, PageFinished)]
    assert len(finished) == 1
    page = finished[0].page
    assert page.status is PageStatus.OK or page.reason
