"""A batch encodes a waiting page's request before its turn; a turn starts by sending."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop.core.document import PageStatus
from desktop.core.images import iter_pages
from desktop.core.pageimage import PageImage
from desktop.engines.base import PageDone, RecognizeMode
from desktop.engines.batch.pipeline import BatchPipeline, PageFinished, ahead
from desktop.engines.remote.server import ServerEngine


def _pages(tmp: Path, count: int) -> list[str]:
    paths = []
    for i in range(count):
        path = tmp / f"p{i}.png"
        Image.new("RGB", (560, 700), (255, 250 - 20 * i, 255)).save(path)
        paths.append(str(path))
    return paths


async def test_waiting_pages_are_encoded_while_others_are_read(
    vllm_sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # decoding slow enough that reads overlap the next encode, also on a busy machine
    sim = vllm_sim(max_num_seqs=1, decode_tps=400.0)
    engine = ServerEngine(sim.base_url, concurrency=1)
    await engine.ensure_ready()
    busy_at_encode: list[bool] = []
    original = ServerEngine._request_bytes

    def spy(self: ServerEngine, *args: Any) -> Any:
        # Runs in the encoding thread. Had the pipeline waited for the read before encoding
        # the next page, nothing would be read while this waits; waiting (a bounded while)
        # keeps a busy machine's scheduling out of it: the read that started with this
        # encode reaches the server meanwhile.
        deadline = time.monotonic() + 5.0
        while not sim.stats.running and time.monotonic() < deadline:
            time.sleep(0.005)
        busy_at_encode.append(sim.stats.running > 0)
        return original(self, *args)

    monkeypatch.setattr(ServerEngine, "_request_bytes", spy)
    events = [e async for e in BatchPipeline(engine, concurrency=1).run(_pages(tmp_path, 4))]
    finished = [e for e in events if isinstance(e, PageFinished)]
    assert len(finished) == 4 and all(e.page.status is PageStatus.OK for e in finished)
    assert len(busy_at_encode) == 4  # each page encoded once, none twice
    assert any(busy_at_encode)  # ... some while another page was being read
    assert sim.stats.requests_total == 4
    await engine.aclose()


async def test_nothing_is_prepared_before_the_server_is_known(
    vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim()
    engine = ServerEngine(sim.base_url)
    page = next(iter_pages(_pages(tmp_path, 1)[0]))
    assert await engine.prepare_request(page) is None
    assert not sim.stats.http_requests  # it did not go and ask
    await engine.aclose()


async def test_a_request_prepared_for_another_page_or_mode_is_not_sent(
    vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim(decode_tps=5000.0)
    engine = ServerEngine(sim.base_url)
    await engine.ensure_ready()
    first, second = (next(iter_pages(p)) for p in _pages(tmp_path, 2))
    prepared = await engine.prepare_request(first)
    assert prepared is not None
    assert not prepared.fits(second, RecognizeMode.LAYOUT, None)
    assert not prepared.fits(first, RecognizeMode.LAYOUT_ONLY, None)
    assert not prepared.fits(first, RecognizeMode.LAYOUT, (0, 0, 10, 10))

    async def read(page: PageImage) -> Any:
        async for event in engine.recognize(page, prepared=prepared):
            if isinstance(event, PageDone):
                return event.page
        return None

    assert (await read(second)).width == second.width  # made afresh for the other page
    assert (await read(first)).status is PageStatus.OK
    bodies = [b for b in sim.stats.chat_requests if "messages" in b]
    assert len(bodies) == 2 and bodies[0] != bodies[1]
    await engine.aclose()


def test_a_wide_batch_keeps_a_quarter_of_its_width_decoded_ahead() -> None:
    assert [ahead(n) for n in (1, 4, 8, 12, 32, 64)] == [2, 2, 2, 3, 8, 16]
