"""The app killed mid-batch (SIGKILL, no clean-up) and started again: the batch resumes,
every page is done exactly once, and the history database is intact."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop.core.document import PageStatus
from desktop.engines.batch.batchstore import DONE, RUNNING, BatchStore
from desktop.engines.batch.history import HistoryStore
from desktop.engines.batch.pipeline import BatchPipeline, DocumentFinished, PageFinished
from desktop.engines.remote.server import ServerEngine
from tests.reliability.helpers import drain

pytestmark = pytest.mark.timeout(120)
REPO = Path(__file__).resolve().parents[2]
BATCH = "night-batch"
CONCURRENCY = 2

# What the app does while it reads a batch: store each page, keep each finished document.
CHILD = f"""
import asyncio, sys
from desktop.engines.batch.batchstore import BatchStore
from desktop.engines.batch.history import HistoryStore
from desktop.engines.batch.pipeline import BatchPipeline, DocumentFinished, PageFinished
from desktop.engines.remote.server import ServerEngine

url, store_path, history_path, *files = sys.argv[1:]

async def main():
    engine = ServerEngine(url)
    pipeline = BatchPipeline(engine, store=BatchStore(store_path), concurrency={CONCURRENCY})
    history = HistoryStore(history_path)
    async for event in pipeline.run(files, batch_id={BATCH!r}):
        if isinstance(event, PageFinished):
            print("page", event.source, event.page.index, flush=True)
        elif isinstance(event, DocumentFinished):
            history.add(event.document)
            print("doc", event.document.source, flush=True)

asyncio.run(main())
"""


def _tiff(path: Path, pages: int, shade: int) -> str:
    frames = [Image.new("RGB", (500, 700), (255, 255 - shade, 250 - i)) for i in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return str(path)


async def _settled(sim: Any, timeout: float = 30.0) -> None:
    """Until nothing runs and no request came for 0.5 s (bounded).

    A request the killed child had sent can reach the simulator's thread late on a busy
    machine; counted after the snapshot, it would read as a page asked once too often.
    """
    seen, since = -1, time.monotonic()
    deadline = since + timeout
    while time.monotonic() < deadline:
        now = time.monotonic()
        if sim.stats.requests_total != seen or sim.in_flight:
            seen, since = sim.stats.requests_total, now
        elif now - since >= 0.5:
            return
        await asyncio.sleep(0.02)


async def test_a_batch_killed_mid_way_resumes_and_reads_every_page_exactly_once(
    vllm_sim: Any, tmp_path: Path
) -> None:
    # Slow enough that the kill lands mid-batch, fast enough for CI (12 pages, ~0.5 s each).
    sim = vllm_sim(max_num_seqs=CONCURRENCY, decode_tps=900.0)
    files = [_tiff(tmp_path / f"doc{n}.tiff", 3, n * 20) for n in range(4)]
    store_path, history_path = tmp_path / "batches.sqlite3", tmp_path / "history.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, sim.base_url, str(store_path), str(history_path), *files],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: list[str] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            printed.append(line.strip())
            if sum(p.startswith("doc") for p in printed) >= 2:
                break
    finally:
        child.send_signal(signal.SIGKILL)  # no clean-up, like a power cut or a crash
        child.wait(10)
    assert sum(p.startswith("doc") for p in printed) >= 2, printed

    store = BatchStore(store_path)
    before = {(r.source, r.page_index): r for r in store.pages(BATCH)}
    done_before = {k for k, r in before.items() if r.status == DONE}
    interrupted = {k for k, r in before.items() if r.status == RUNNING}
    assert len(before) == 12 and 6 <= len(done_before) < 12
    await _settled(sim)
    asked_before = sim.stats.completed_requests + sim.stats.cancelled_requests

    # The app starts again and offers to resume the unfinished batch.
    assert [b.id for b in store.unfinished_batches()] == [BATCH]
    engine = ServerEngine(sim.base_url)
    try:
        events = await drain(BatchPipeline(engine, store=store, concurrency=2).resume(BATCH))
    finally:
        await engine.aclose()
    finished = [e for e in events if isinstance(e, PageFinished)]
    cached = {(e.source, e.page.index) for e in finished if e.cached}
    fresh = {(e.source, e.page.index) for e in finished if not e.cached}
    assert cached == done_before and not cached & fresh
    assert cached | fresh == set(before)
    assert all(e.page.status is PageStatus.OK for e in finished)
    # Only the pages not stored were asked again: at most the ones in flight at the kill twice.
    await _settled(sim)
    asked_after = sim.stats.completed_requests + sim.stats.cancelled_requests
    assert asked_after - asked_before == len(fresh)
    assert len(fresh) == 12 - len(done_before)
    assert asked_before - len(done_before) <= len(interrupted) <= CONCURRENCY
    assert [r.status for r in store.pages(BATCH)] == [DONE] * 12
    assert not store.unfinished_batches()

    # History written before the kill is readable; the rest is added after the resume.
    history = HistoryStore(history_path)
    kept = {e.source: e.id for e in history.entries()}
    assert len(kept) >= 2
    for entry_id in kept.values():
        doc = history.load(entry_id)
        assert doc is not None and len(doc.pages) == 3 and doc.ok
    for event in events:
        if isinstance(event, DocumentFinished) and event.document.source not in kept:
            history.add(event.document)
    sources = [e.source for e in history.entries()]
    assert sorted(sources) == sorted(files)  # every document once, none lost or doubled
    history.close()
    store.close()
