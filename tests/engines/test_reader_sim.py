"""The page reader as the window uses it: readings side by side, one document cancelled,
regions, live text, an engine given per page, interrupted readings and saved captures."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop.core.document import PageStatus
from desktop.core.errors import DotsError, UnsupportedFile
from desktop.core.messages import Code, Msg
from desktop.engines.base import Engine, RecognizeMode
from desktop.engines.batch.batchstore import CANCELLED, DONE, BatchStore
from desktop.engines.batch.captures import save_capture
from desktop.engines.batch.history import HistoryStore
from desktop.engines.batch.pipeline import (
    BatchPipeline,
    PageFinished,
    PageStarted,
    PipelineEvent,
    TextStreamed,
)
from desktop.engines.batch.resume import interrupted_readings
from desktop.engines.remote.server import ServerEngine


def _tiff(path: Path, pages: int, shade: int = 0) -> str:
    frames = [Image.new("RGB", (600, 800), (255, 250 - shade, 255 - 3 * i)) for i in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return str(path)


async def _drain(gen: Any) -> list[PipelineEvent]:
    return [e async for e in gen]


def _finished(events: list[PipelineEvent]) -> dict[tuple[str, int], Any]:
    return {(e.source, e.page.index): e.page for e in events if isinstance(e, PageFinished)}


async def test_two_readings_at_once_share_the_request_limit(vllm_sim: Any, tmp_path: Path) -> None:
    sim = vllm_sim(max_num_seqs=8, decode_tps=800.0)
    engine = ServerEngine(sim.base_url, sim.api_key)
    reader = BatchPipeline(engine, concurrency=2)
    a, b = _tiff(tmp_path / "a.tiff", 3), _tiff(tmp_path / "b.tiff", 3, shade=40)
    first, second = await asyncio.gather(_drain(reader.run([a])), _drain(reader.run([b])))
    pages = {**_finished(first), **_finished(second)}
    assert len(pages) == 6 and all(p.status is PageStatus.OK for p in pages.values())
    assert sim.stats.max_concurrent_seen <= 2  # one limit for both, as the window has
    assert not reader.busy
    await engine.aclose()


async def test_cancelling_one_document_ends_its_pages_and_leaves_the_other_reading(
    vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim(max_num_seqs=4, decode_tps=300.0)
    engine = ServerEngine(sim.base_url, sim.api_key)
    store = BatchStore()
    reader = BatchPipeline(engine, store=store, concurrency=2)
    a, b = _tiff(tmp_path / "a.tiff", 4), _tiff(tmp_path / "b.tiff", 2, shade=40)

    async def read_a() -> list[PipelineEvent]:
        events: list[PipelineEvent] = []
        async for event in reader.run([a], batch_id="a"):
            events.append(event)
            if isinstance(event, PageStarted) and event.index == 0:
                assert reader.cancel_source(a) == 4
        return events

    events_a, events_b = await asyncio.gather(read_a(), _drain(reader.run([b], batch_id="b")))
    pages_a, pages_b = _finished(events_a), _finished(events_b)
    assert [pages_a[(a, i)].reason for i in range(4)] == ["Cancelled."] * 4
    assert all(p.status is PageStatus.FAILED for p in pages_a.values())
    assert all(p.status is PageStatus.OK for p in pages_b.values()) and len(pages_b) == 2
    assert {r.status for r in store.pages("a")} == {CANCELLED}
    assert {r.status for r in store.pages("b")} == {DONE}
    assert sim.stats.requests_total <= 2 + 2  # b's two pages and at most a's first two
    await engine.aclose()


async def test_a_region_is_read_as_one_box_and_stays_out_of_the_history(
    vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim()
    engine = ServerEngine(sim.base_url, sim.api_key)
    history = HistoryStore()
    store = BatchStore()
    reader = BatchPipeline(engine, store=store, history=history)
    scan = tmp_path / "scan.png"
    Image.new("RGB", (700, 500), "white").save(scan)
    region = (40, 50, 300, 200)
    events = await _drain(
        reader.run([scan], mode=RecognizeMode.GROUNDING, region=region, batch_id="r")
    )
    (page,) = _finished(events).values()
    assert page.status is PageStatus.OK
    (block,) = page.blocks
    assert block.bbox == region and block.text
    assert "grounding" in sim.stats.prompt_modes
    assert history.entries() == []  # a region's text is not a reading of the document
    info = store.batch("r")
    assert info is not None and info.options["region"] == list(region)
    await engine.aclose()


async def test_live_text_streams_the_answer_as_it_comes_in_text_mode(
    vllm_sim: Any, fixtures_dir: Path
) -> None:
    sim = vllm_sim()
    engine = ServerEngine(sim.base_url, sim.api_key)
    page_file = str(fixtures_dir / "russian_page.png")
    live = await _drain(
        BatchPipeline(engine, live_text=True).run([page_file], mode=RecognizeMode.TEXT)
    )
    quiet = await _drain(BatchPipeline(engine).run([page_file], mode=RecognizeMode.TEXT))
    (page,) = _finished(live).values()
    pieces = [e.text for e in live if isinstance(e, TextStreamed)]
    assert len(pieces) > 1 and "".join(pieces).strip() == page.text.strip() != ""
    assert not any(isinstance(e, TextStreamed) for e in quiet)  # the CLI does not pay for it
    await engine.aclose()


async def test_the_engine_is_asked_for_each_page_and_its_failure_fails_the_page(
    vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim()
    engine = ServerEngine(sim.base_url, sim.api_key)
    asked: list[int] = []

    async def current_engine() -> Engine:
        asked.append(1)
        if len(asked) == 2:
            raise DotsError(Msg(Code.NO_ENGINE), fix=Msg(Code.FIX_CHOOSE_ENGINE))
        return engine

    reader = BatchPipeline(engine_source=current_engine, concurrency=1)
    pages = _finished(await _drain(reader.run([_tiff(tmp_path / "t.tiff", 3)])))
    assert len(asked) == 3
    statuses = sorted(p.status for p in pages.values())
    assert statuses.count(PageStatus.OK) == 2 and statuses.count(PageStatus.FAILED) == 1
    failed = next(p for p in pages.values() if p.status is PageStatus.FAILED)
    assert failed.reason.startswith("No OCR engine is configured.")
    with pytest.raises(TypeError):
        BatchPipeline()
    await engine.aclose()


def test_interrupted_readings_are_those_left_with_pages_to_read() -> None:
    store = BatchStore()
    ended = store.create_batch(["/a.png"], {"mode": "layout"}, "ended")
    store.add_pages(ended, "/a.png", [0, 1])
    store.mark_failed(ended, "/a.png", 0, (Msg(Code.PAGE_CANCELLED),), cancelled=True)
    store.mark_failed(ended, "/a.png", 1, (Msg(Code.PAGE_EMPTY_ANSWER),))
    cut = store.create_batch(["/b.pdf"], {"mode": "layout"}, "cut")
    store.add_pages(cut, "/b.pdf", [0, 1, 2])
    store.mark_running(cut, "/b.pdf", 1)
    region = store.create_batch(["/a.png"], {"mode": "grounding", "region": [1, 2, 3, 4]}, "rg")
    store.add_pages(region, "/a.png", [0])
    running = store.create_batch(["/c.png"], {"mode": "layout"}, "running-here")
    store.add_pages(running, "/c.png", [0])
    (reading,) = interrupted_readings(store, skip={"running-here"})
    assert (reading.batch_id, reading.source, reading.pages) == ("cut", "/b.pdf", (0, 1, 2))
    assert store.batch("rg") is None  # a region is not resumed: it is dropped
    assert store.batch("ended") is not None


def test_a_capture_is_kept_once_as_a_file_and_a_bad_one_says_why(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buffer, "PNG")
    first = save_capture(buffer.getvalue())
    again = save_capture(buffer.getvalue())
    assert first == again and first.read_bytes() == buffer.getvalue()  # kept as it came
    tiff = io.BytesIO()
    frames = [Image.new("RGB", (64, 48), c) for c in ("red", "blue")]
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:])
    kept = save_capture(tiff.getvalue(), "scan.tiff")
    with Image.open(kept) as image:
        assert image.format == "PNG" and image.getpixel((1, 1)) == (255, 0, 0)
    with pytest.raises(UnsupportedFile, match="clip: not an image"):
        save_capture(b"just some text", "clip")
