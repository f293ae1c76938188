"""The reading runs: one run of the page reader (``engines.batch.pipeline``) per request,
its events turned into Qt signals, and the pages done of all runs counted for the
progress bar."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from desktop.core.document import BBox, Page, PageStatus
from desktop.core.errors import DotsError
from desktop.ui.control.otherengine import BUILTIN_NAME, OtherEngine
from desktop.ui.control.pagefiles import PageFiles

if TYPE_CHECKING:
    from desktop.core.messages import Msg
    from desktop.engines.base import Engine, RecognizeMode
    from desktop.engines.batch.pipeline import BatchPipeline, PipelineEvent
    from desktop.engines.batch.resume import Interrupted

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def closing_stream(stream: AsyncIterator[Any]) -> AsyncIterator[AsyncIterator[Any]]:
    """Close the engine's stream in this task (also on cancel), not later from the GC."""
    try:
        yield stream
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


class ReadingRuns(QObject):
    """Starts, resumes and cancels runs; the bridge forwards their signals as its own."""

    engine_changed = Signal(str, str, object)  # "busy" while reading, "ready" when done
    source_failed = Signal(str, object)  # document key, why (facts)
    page_started = Signal(str, int)
    block_found = Signal(str, int, object)  # key, page index, Block
    text_delta = Signal(str, int, str)
    page_done = Signal(str, object)  # key, Page
    region_done = Signal(str, int, object)  # key, page index, Page read from a region only
    batch_progress = Signal(int, int)  # pages done, pages queued

    def __init__(
        self,
        files: PageFiles,
        other: OtherEngine,
        *,
        ready_engine: Callable[[], Awaitable[Engine]],
        engine: Callable[[], Engine | None],
        engine_ready: Callable[[], asyncio.Future[None] | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.files = files
        self.other = other
        self._ready_engine = ready_engine  # waits for the window's engine, ready to read
        self._engine = engine  # the window's engine now
        self._engine_ready = engine_ready  # its preparation
        self.tasks: set[asyncio.Future[Any]] = set()
        self.concurrency = 2
        self.reader: BatchPipeline | None = None
        self._reader_lock = asyncio.Lock()
        self._started: set[str] = set()  # batches this session began (never "interrupted")
        self._done = 0
        self._queued = 0
        self._run_engine: dict[str, str] = {}  # document key -> engine of its latest run

    def set_concurrency(self, value: int) -> None:
        self.concurrency = max(1, value)
        if self.reader is not None:
            self.reader.set_concurrency(self.concurrency)

    def read(
        self,
        key: str,
        pages: Sequence[int],
        mode: RecognizeMode,
        region: BBox | None = None,
        *,
        builtin: bool = False,
    ) -> None:
        source = self.files.source(key)
        if source is None or not pages:
            return
        pages = list(pages)
        self._progress(queued=len(pages))
        batch_id = uuid.uuid4().hex
        self._started.add(batch_id)
        if region is None:
            if builtin:
                self._run_engine[key] = BUILTIN_NAME
            else:
                self._run_engine.pop(key, None)

        async def start(reader: BatchPipeline) -> Any:
            engine = await self.other.builtin() if builtin else None
            return reader.run(
                [source.path],
                pages=pages,
                batch_id=batch_id,
                mode=mode,
                dpi=source.dpi,
                region=region,
                engine=engine,
            )

        self._spawn(self._read(key, pages, start, region, batch_id))

    def engine_name_for(self, key: str) -> str:
        name = self._run_engine.get(key)
        if name:
            return name
        engine = self._engine()
        return engine.name if engine is not None else ""

    def resume(self, key: str, interrupted: Interrupted) -> None:
        self._progress(queued=len(interrupted.pages))

        async def start(reader: BatchPipeline) -> Any:
            return reader.resume(interrupted.batch_id)

        pages = list(interrupted.pages)
        self._spawn(self._read(key, pages, start, None, interrupted.batch_id))

    async def interrupted(self) -> list[Interrupted]:
        reader = await self._get_reader()
        from desktop.engines.batch.resume import interrupted_readings

        started = set(self._started)  # this session's own are running, not interrupted
        return await asyncio.to_thread(interrupted_readings, reader.store, started)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _get_reader(self) -> BatchPipeline:
        """The page reader, its store opened (off the GUI thread) on first use."""
        async with self._reader_lock:
            if self.reader is None:
                from desktop.engines.batch.batchstore import BatchStore
                from desktop.engines.batch.pipeline import BatchPipeline

                store = await asyncio.to_thread(BatchStore)
                self.reader = BatchPipeline(
                    engine_source=self._ready_engine,
                    store=store,
                    concurrency=self.concurrency,
                    live_text=True,
                )
        return self.reader

    async def _read(
        self,
        key: str,
        pages: list[int],
        start: Callable[[BatchPipeline], Awaitable[Any]],
        region: BBox | None,
        batch_id: str,
    ) -> None:
        """Turn one run's events into signals; a run that ended is dropped from the store."""
        from desktop.engines.batch.batchevents import SourceFailed

        finished: set[int] = set()
        complete = False
        try:
            reader = await self._get_reader()
            async with closing_stream(await start(reader)) as events:
                async for event in events:
                    if isinstance(event, SourceFailed):  # the file went away or broke
                        self.source_failed.emit(key, event.facts)
                        self._fail_pages(key, pages, finished, event.facts, region)
                        complete = True
                    elif self._on_event(key, event, region, finished):
                        complete = True
        except DotsError as exc:  # the run could not start (its batch is gone)
            self._fail_pages(key, pages, finished, exc.facts, region)
        finally:
            self._progress(done=len(set(pages) - finished))  # stopped by a quit
        if complete:
            from desktop.engines.batch.resume import forget_batch

            await asyncio.to_thread(forget_batch, reader.store, batch_id)

    def _on_event(
        self, key: str, event: PipelineEvent, region: BBox | None, finished: set[int]
    ) -> bool:
        """Emit the signal for ``event``; True when it was the run's last page."""
        from desktop.engines.batch import batchevents as ev

        if isinstance(event, ev.PageFinished):
            page = event.page
            finished.add(page.index)
            self._progress(done=1)
            if region is not None:
                self.region_done.emit(key, page.index, page)
            else:
                self.page_done.emit(key, page)
            return event.done == event.total
        if region is not None:
            return False  # a region's text is no reading of the page itself
        elif isinstance(event, ev.PageStarted):
            self.page_started.emit(key, event.index)
            engine = self._engine()
            if engine is not None:
                self.engine_changed.emit(engine.name, "busy", ())
        elif isinstance(event, ev.BlockStreamed):
            self.block_found.emit(key, event.page_index, event.block)
        elif isinstance(event, ev.TextStreamed):
            self.text_delta.emit(key, event.page_index, event.text)
        return False

    def _fail_pages(
        self,
        key: str,
        pages: list[int],
        finished: set[int],
        reason: tuple[Msg, ...],
        region: BBox | None,
    ) -> None:
        for index in pages:
            if index in finished:
                continue
            finished.add(index)
            failed = Page(index, 0, 0, status=PageStatus.FAILED, facts=reason)
            if region is not None:
                self.region_done.emit(key, index, failed)
            else:
                self.page_done.emit(key, failed)
            self._progress(done=1)

    def _progress(self, *, done: int = 0, queued: int = 0) -> None:
        if not done and not queued:
            return
        self._done += done
        self._queued += queued
        self.batch_progress.emit(self._done, self._queued)
        if self._done >= self._queued:
            self._done = self._queued = 0
            self.batch_progress.emit(0, 0)
            ready, engine = self._engine_ready(), self._engine()
            if engine is not None and ready and ready.done() and not ready.exception():
                self.engine_changed.emit(engine.name, "ready", ())

    def cancel_ocr(self) -> int:
        return self.reader.cancel_all() if self.reader is not None else 0

    def cancel_document(self, key: str) -> int:
        source = self.files.source(key)
        if self.reader is None or source is None:
            return 0
        return self.reader.cancel_source(source.path)

    @property
    def busy(self) -> bool:
        return any(not t.done() for t in self.tasks)
