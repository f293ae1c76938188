"""The batch pipeline against the simulator: order, backpressure, cancel, resume, crash/restart."""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing
from pathlib import Path
from typing import Any

from PIL import Image

from desktop.core.document import PageStatus
from desktop.engines.batch.batchstore import CANCELLED, DONE, BatchStore
from desktop.engines.batch.pipeline import (
    BatchPipeline,
    BlockStreamed,
    DocumentFinished,
    PageFinished,
    PageInOrder,
    PipelineEvent,
    SourceFailed,
)
from desktop.engines.errors import RetryPolicy
from desktop.engines.remote.server import ServerEngine


def _make_tiff(path: Path, pages: int) -> Path:
    """A multi-page TIFF whose pages differ (so the simulator answers each differently)."""
    frames = [Image.new("RGB", (600, 800), (255, 255 - i * 3, 255)) for i in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


async def _drain(gen: Any) -> list[PipelineEvent]:
    return [e async for e in gen]


async def test_pages_come_as_they_finish_and_in_order_with_streamed_blocks(
    vllm_sim: Any, fixtures_dir: Path
) -> None:
    sim = vllm_sim(max_num_seqs=4)
    engine = ServerEngine(sim.base_url)
    pipeline = BatchPipeline(engine, concurrency=4)
    pdf = str(fixtures_dir / "two_page_report.pdf")
    jpg = str(fixtures_dir / "journal_page_tables.jpg")
    events = await _drain(pipeline.run([pdf, jpg]))
    finished = [e for e in events if isinstance(e, PageFinished)]
    ordered = [(e.source, e.page.index) for e in events if isinstance(e, PageInOrder)]
    docs = [e.document for e in events if isinstance(e, DocumentFinished)]
    assert ordered == [(pdf, 0), (pdf, 1), (jpg, 0)]
    assert sorted((e.source, e.page.index) for e in finished) == sorted(ordered)
    assert [e.done for e in finished] == [1, 2, 3] and finished[-1].total == 3
    assert [d.source for d in docs] == [pdf, jpg] and len(docs[0].pages) == 2
    assert all(p.status is PageStatus.OK for d in docs for p in d.pages)
    assert any(isinstance(e, BlockStreamed) for e in events)
    assert sim.stats.requests_total == 3
    await engine.aclose()


async def test_backpressure_keeps_few_pages_decoded_and_concurrency_is_bounded(
    vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim(max_num_seqs=8, decode_tps=800.0)
    engine = ServerEngine(sim.base_url)
    tiff = _make_tiff(tmp_path / "many.tiff", 14)
    pipeline = BatchPipeline(engine, concurrency=2)
    events = await _drain(pipeline.run([str(tiff)]))
    assert sum(isinstance(e, PageFinished) for e in events) == 14
    assert pipeline.peak_decoded <= 2 + 2
    assert sim.stats.max_concurrent_seen <= 2
    await engine.aclose()


async def test_an_unreadable_input_is_reported_and_the_others_still_run(
    vllm_sim: Any, tmp_path: Path, fixtures_dir: Path
) -> None:
    sim = vllm_sim()
    engine = ServerEngine(sim.base_url)
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    events = await _drain(
        BatchPipeline(engine).run([str(bad), str(fixtures_dir / "russian_page.png")])
    )
    assert any(isinstance(e, SourceFailed) and e.source == str(bad) for e in events)
    assert sum(isinstance(e, PageFinished) for e in events) == 1
    await engine.aclose()


async def test_cancelling_one_page_leaves_the_others_and_no_running_request(
    vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim(max_num_seqs=4, decode_tps=150.0)
    engine = ServerEngine(sim.base_url)
    tiff = str(_make_tiff(tmp_path / "three.tiff", 3))
    store = BatchStore()
    pipeline = BatchPipeline(engine, store=store, concurrency=3)
    results = {}
    async for event in pipeline.run([tiff]):
        if isinstance(event, BlockStreamed) and event.page_index == 1:
            pipeline.cancel_page(tiff, 1)
        if isinstance(event, PageFinished):
            results[event.page.index] = event.page
    assert results[1].status is PageStatus.FAILED and "Cancelled" in results[1].reason
    assert results[0].status is PageStatus.OK and results[2].status is PageStatus.OK
    assert sim.stats.in_flight == 0 or await _settles(sim)
    assert pipeline.batch_id is not None
    states = {r.page_index: r.status for r in store.pages(pipeline.batch_id)}
    assert states == {0: DONE, 1: CANCELLED, 2: DONE}
    # Retrying the failed page: resume the batch; only page 2 of 3 is requested again.
    before = sim.stats.requests_total
    events = await _drain(pipeline.resume(pipeline.batch_id))
    assert sim.stats.requests_total - before == 1
    assert sum(1 for e in events if isinstance(e, PageFinished) and e.cached) == 2
    await engine.aclose()


async def _requests_settled(sim: Any) -> int:
    """The simulator's request count once nothing runs and it has not changed for 0.5 s.

    A request cut at a quit can reach the simulator's thread late on a busy machine; 0.1 s
    of quiet was not always enough to count it before the resume.
    """
    seen, since = -1, time.monotonic()
    deadline = since + 30
    while time.monotonic() < deadline:
        now = time.monotonic()
        if sim.stats.requests_total != seen or sim.stats.in_flight:
            seen, since = sim.stats.requests_total, now
        elif now - since >= 0.5:
            break
        await asyncio.sleep(0.02)
    return seen


async def _settles(sim: Any) -> bool:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and sim.stats.in_flight:
        await asyncio.sleep(0.01)
    return sim.stats.in_flight == 0


async def test_cancelling_the_job_stops_every_request(vllm_sim: Any, tmp_path: Path) -> None:
    sim = vllm_sim(max_num_seqs=4, decode_tps=100.0)
    engine = ServerEngine(sim.base_url)
    tiff = str(_make_tiff(tmp_path / "six.tiff", 6))
    pipeline = BatchPipeline(engine, concurrency=3)
    async for event in pipeline.run([tiff]):
        if isinstance(event, BlockStreamed):
            await pipeline.cancel()
            break
    assert await _settles(sim)
    assert sim.stats.cancelled_requests >= 1
    assert sim.stats.completed_requests == 0
    await engine.aclose()


async def test_an_interrupted_batch_resumes_with_only_the_remaining_pages(
    vllm_sim: Any, tmp_path: Path
) -> None:
    sim = vllm_sim(max_num_seqs=2, decode_tps=1500.0)
    tiff = str(_make_tiff(tmp_path / "eight.tiff", 8))
    engine = ServerEngine(sim.base_url)
    first = BatchPipeline(engine, store=BatchStore(), concurrency=2)
    done_first = set()
    async with aclosing(first.run([tiff])) as stream:
        async for event in stream:
            if isinstance(event, PageFinished):
                done_first.add(event.page.index)
                if len(done_first) == 3:
                    break  # the app quits mid-batch
    assert first.batch_id is not None
    await _settles(sim)
    before = await _requests_settled(sim)  # a request cut at the quit may arrive late
    # A new pipeline (after a restart) on the same store file.
    second = BatchPipeline(engine, store=BatchStore(), concurrency=2)
    events = await _drain(second.resume(first.batch_id))
    fresh = {e.page.index for e in events if isinstance(e, PageFinished) and not e.cached}
    cached = {e.page.index for e in events if isinstance(e, PageFinished) and e.cached}
    stored_done = {r.page_index for r in BatchStore().pages(first.batch_id) if r.status == DONE}
    assert cached >= done_first
    assert fresh | cached == set(range(8)) and not fresh & cached
    assert sim.stats.requests_total - before == len(fresh) == 8 - len(cached)
    assert stored_done == set(range(8))
    await engine.aclose()


async def test_a_server_crash_mid_batch_finishes_after_restart_with_every_page_once(
    sim_process: Any, tmp_path: Path
) -> None:
    proc = sim_process(
        "--sim-fault", "crash-after", "--sim-crash-after", "3", "--max-num-seqs", "2"
    )
    tiff = str(_make_tiff(tmp_path / "six.tiff", 6))
    engine = ServerEngine(
        proc.base_url, retry=RetryPolicy(attempts=40, base_delay=0.1, max_delay=0.5, total=60)
    )
    store = BatchStore()
    pipeline = BatchPipeline(engine, store=store, concurrency=2)

    async def restart_when_dead() -> None:
        while proc.returncode is None:
            await asyncio.sleep(0.05)
        # The model comes back on the same port without the fault.
        proc.args = [a for a in proc.args if a not in ("crash-after", "--sim-fault")]
        await asyncio.to_thread(proc.restart)

    restarter = asyncio.create_task(restart_when_dead())
    events = await asyncio.wait_for(_drain(pipeline.run([tiff])), 90)
    await restarter
    finished = [e for e in events if isinstance(e, PageFinished)]
    assert sorted(e.page.index for e in finished) == list(range(6))
    assert all(e.page.status is PageStatus.OK for e in finished)
    assert pipeline.batch_id is not None
    records = store.pages(pipeline.batch_id)
    assert [r.status for r in records] == [DONE] * 6
    await engine.aclose()


async def test_closing_the_event_stream_early_stops_requests_already_sent(
    vllm_sim: Any, tmp_path: Path
) -> None:
    from contextlib import aclosing

    sim = vllm_sim(max_num_seqs=4, decode_tps=100.0)
    engine = ServerEngine(sim.base_url)
    tiff = str(_make_tiff(tmp_path / "two.tiff", 2))
    async with aclosing(BatchPipeline(engine, concurrency=4).run([tiff])) as events:
        async for event in events:
            if isinstance(event, BlockStreamed):
                break  # the window showing this batch was closed
    assert await _settles(sim)
    assert sim.stats.completed_requests == 0
    await engine.aclose()


async def test_a_waiting_page_cancelled_is_never_sent_and_documents_go_to_history(
    vllm_sim: Any, tmp_path: Path
) -> None:
    from desktop.engines.batch.history import HistoryStore

    sim = vllm_sim(max_num_seqs=1)
    engine = ServerEngine(sim.base_url)
    tiff = str(_make_tiff(tmp_path / "four.tiff", 4))
    history = HistoryStore()
    pipeline = BatchPipeline(engine, concurrency=1, history=history)
    statuses = {}
    async for event in pipeline.run([tiff]):
        if isinstance(event, PageFinished):
            statuses[event.page.index] = event.page.status
            if event.page.index == 0:
                assert pipeline.cancel_page(tiff, 3)
    assert statuses == {0: PageStatus.OK, 1: PageStatus.OK, 2: PageStatus.OK, 3: PageStatus.FAILED}
    assert sim.stats.requests_total == 3
    (entry,) = history.entries()
    reopened = history.load(entry.id)
    assert reopened is not None and len(reopened.pages) == 4
    await engine.aclose()
