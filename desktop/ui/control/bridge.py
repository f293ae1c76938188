"""The one thin place where asyncio engine work becomes Qt signals.

Pages are read by the page reader (``engines.batch.pipeline``), the same one the command
line uses, with its batch store in the data folder: the bridge starts one run per request
and turns the run's events into signals. What it does itself is display: page images and
thumbnails. Every job is a coroutine scheduled with ``asyncio.ensure_future`` on the qasync
loop; decoding and PDF rendering run in worker threads, so the GUI thread only handles
signals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.core.document import BBox, Page, PageStatus
from desktop.core.errors import DotsError, facts_of
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.engines.base import Capability, ChatMessage, Engine, RecognizeMode
from desktop.ui.control.otherengine import BUILTIN_NAME, OtherEngine
from desktop.ui.control.pagefiles import PageFiles, background_thread

# background_thread: app.py's worker threads use it from here.
__all__ = ["EngineBridge", "background_thread", "closing_stream"]

if TYPE_CHECKING:
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


def _retrieve_exception(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class EngineBridge(QObject):
    """Runs loads, OCR and chat for the window and reports through signals."""

    engine_changed = Signal(
        str, str, object
    )  # engine name, state (starting/ready/failed/busy), why it failed (facts, () if not)
    page_count = Signal(str, int)  # document key, page count
    source_failed = Signal(str, object)  # document key, why (facts)
    thumbnail_ready = Signal(str, int, QImage)
    page_image_ready = Signal(str, int, QImage)
    page_started = Signal(str, int)
    block_found = Signal(str, int, object)  # key, page index, Block
    text_delta = Signal(str, int, str)
    page_done = Signal(str, object)  # key, Page
    region_done = Signal(str, int, object)  # key, page index, Page read from a region only
    batch_progress = Signal(int, int)  # pages done, pages queued
    chat_delta = Signal(str, str)  # key, text piece
    chat_finished = Signal(str, object)  # key, why it failed (facts; () when fine or stopped)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine: Engine | None = None
        self._engine_ready: asyncio.Future[None] | None = None
        self._engine_set = asyncio.Event()
        self._engine_set.set()
        self.files = PageFiles(self)
        for mine, theirs in (
            (self.page_count, self.files.page_count),
            (self.source_failed, self.files.source_failed),
            (self.thumbnail_ready, self.files.thumbnail_ready),
            (self.page_image_ready, self.files.page_image_ready),
        ):
            theirs.connect(mine)
        self._ocr_tasks: set[asyncio.Future[Any]] = set()
        self._other_tasks: set[asyncio.Future[Any]] = set()
        self._chat_task: asyncio.Future[Any] | None = None
        self._concurrency = 2
        self._reader: BatchPipeline | None = None
        self._reader_lock = asyncio.Lock()
        self._started: set[str] = set()  # batches this session began (never "interrupted")
        self._done = 0
        self._queued = 0
        self.other = OtherEngine()  # "Read again with the built-in engine"
        self._run_engine: dict[str, str] = {}  # document key -> engine of its latest run

    # -- engine ---------------------------------------------------------------
    @property
    def engine(self) -> Engine | None:
        return self._engine

    def capabilities(self) -> Capability:
        return self._engine.capabilities if self._engine else Capability.NONE

    def set_concurrency(self, value: int) -> None:
        """Pages read at a time (for reads started after this)."""
        self._concurrency = max(1, value)
        if self._reader is not None:
            self._reader.set_concurrency(self._concurrency)

    def expect_engine(self) -> None:
        """An engine is being built: pages queued meanwhile wait for it instead of failing."""
        self._engine_set.clear()

    def set_engine(self, engine: Engine | None) -> None:
        """Swap the active engine; the old one is closed in the background."""
        self._engine_set.set()
        old, self._engine = self._engine, engine
        if old is not None and old is not engine:
            self._spawn(self._close_quietly(old))
        if engine is None:
            self._engine_ready = None
            self.engine_changed.emit("", "stopped", ())
            return
        self.engine_changed.emit(engine.name, "starting", ())
        self._engine_ready = self._start_prepare(engine)

    def _start_prepare(self, engine: Engine) -> asyncio.Future[None]:
        ready = asyncio.ensure_future(self._prepare(engine))
        # Nobody may await it (the engine is replaced or closed first): its failure was
        # already shown, so take the exception here instead of leaving it to the GC's log.
        ready.add_done_callback(_retrieve_exception)
        return ready

    async def _prepare(self, engine: Engine) -> None:
        try:
            await engine.ensure_ready()
        except DotsError as exc:
            self.engine_changed.emit(engine.name, "failed", exc.facts)
            raise
        except Exception as exc:  # unexpected engine bug: show it as a sentence, keep running
            logger.exception("engine %s failed to start", engine.name)
            self.engine_changed.emit(engine.name, "failed", facts_of(exc))
            raise
        if self._engine is engine:
            self.engine_changed.emit(engine.name, "ready", ())

    async def _ready_engine(self) -> Engine:
        if not self._engine_set.is_set():
            try:
                await asyncio.wait_for(self._engine_set.wait(), timeout=120)
            except TimeoutError:
                logger.warning("no engine was set within 120 s")
        engine = self._engine
        if engine is None:
            raise DotsError(Msg(Code.NO_ENGINE), fix=Msg(Code.FIX_CHOOSE_ENGINE))
        ready = self._engine_ready
        if ready is None or (ready.done() and ready.exception() is not None):
            ready = self._engine_ready = self._start_prepare(engine)
        await asyncio.shield(ready)
        return engine

    @staticmethod
    async def _close_quietly(engine: Engine) -> None:
        try:
            await asyncio.wait_for(engine.aclose(), timeout=5)
        except Exception:  # closing is best effort; log the cause
            logger.warning("closing engine %s failed", engine.name, exc_info=True)

    # -- files (display) ----------------------------------------------------------
    def add_file(self, key: str, path: str, dpi: int = 200) -> None:
        """Register a file; its page count arrives as ``page_count`` (or ``source_failed``)."""
        self.files.add_file(key, path, dpi)

    def forget(self, key: str) -> None:
        """The document is closed: its reading stops and its pages leave the caches."""
        self.cancel_document(key)
        self.files.forget(key)

    def request_page_image(self, key: str, index: int) -> None:
        self.files.request_page_image(key, index)

    def request_thumbnail(self, key: str, index: int) -> None:
        self.files.request_thumbnail(key, index)

    async def page_image(self, key: str, index: int) -> PageImage:
        """The page at reading resolution (for chat's first turn)."""
        return await self.files.page_image(key, index)

    # -- OCR -------------------------------------------------------------------
    def recognize(
        self,
        key: str,
        pages: Sequence[int],
        mode: RecognizeMode,
        region: BBox | None = None,
        *,
        builtin: bool = False,
    ) -> None:
        """Queue OCR of ``pages`` (one run of the page reader); events arrive as signals.

        ``builtin``: read this run with the built-in engine instead of the window's engine.
        """
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

        self._spawn_ocr(self._read(key, pages, start, region, batch_id))

    def engine_name_for(self, key: str) -> str:
        """The name of the engine reading (or that last read) document ``key``."""
        name = self._run_engine.get(key)
        if name:
            return name
        return self._engine.name if self._engine is not None else ""

    def resume(self, key: str, interrupted: Interrupted) -> None:
        """Finish an interrupted reading: done pages come from the store, the rest are read."""
        self._progress(queued=len(interrupted.pages))

        async def start(reader: BatchPipeline) -> Any:
            return reader.resume(interrupted.batch_id)

        pages = list(interrupted.pages)
        self._spawn_ocr(self._read(key, pages, start, None, interrupted.batch_id))

    async def interrupted(self) -> list[Interrupted]:
        """Readings a crash or a quit stopped, newest first (regions are dropped, not kept)."""
        reader = await self._get_reader()
        from desktop.engines.batch.resume import interrupted_readings

        started = set(self._started)  # this session's own are running, not interrupted
        return await asyncio.to_thread(interrupted_readings, reader.store, started)

    def _spawn_ocr(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._ocr_tasks.add(task)
        task.add_done_callback(self._ocr_tasks.discard)

    async def _get_reader(self) -> BatchPipeline:
        """The page reader, its store opened (off the GUI thread) on first use."""
        async with self._reader_lock:
            if self._reader is None:
                from desktop.engines.batch.batchstore import BatchStore
                from desktop.engines.batch.pipeline import BatchPipeline

                store = await asyncio.to_thread(BatchStore)
                self._reader = BatchPipeline(
                    engine_source=self._ready_engine,
                    store=store,
                    concurrency=self._concurrency,
                    live_text=True,
                )
        return self._reader

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
            if self._engine is not None:
                self.engine_changed.emit(self._engine.name, "busy", ())
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
            ready = self._engine_ready
            if self._engine is not None and ready and ready.done() and not ready.exception():
                self.engine_changed.emit(self._engine.name, "ready", ())

    def cancel_ocr(self) -> int:
        """Stop every page not read yet (each ends "Cancelled."); returns how many."""
        return self._reader.cancel_all() if self._reader is not None else 0

    def cancel_document(self, key: str) -> int:
        """Stop the pages of one document not read yet; returns how many."""
        source = self.files.source(key)
        if self._reader is None or source is None:
            return 0
        return self._reader.cancel_source(source.path)

    @property
    def busy(self) -> bool:
        return any(not t.done() for t in self._ocr_tasks)

    # -- chat ------------------------------------------------------------------
    def chat(self, key: str, messages: Sequence[ChatMessage]) -> None:
        self.stop_chat()
        self._chat_task = asyncio.ensure_future(self._chat(key, list(messages)))

    async def _chat(self, key: str, messages: list[ChatMessage]) -> None:
        error: tuple[Msg, ...] = ()
        try:
            engine = await self._ready_engine()
            async with closing_stream(engine.chat(messages)) as pieces:
                async for piece in pieces:
                    self.chat_delta.emit(key, piece)
        except asyncio.CancelledError:
            self.chat_finished.emit(key, ())
            raise
        except DotsError as exc:
            error = exc.facts
        except Exception as exc:  # shown in the chat pane
            logger.exception("chat failed")
            error = facts_of(exc)
        self.chat_finished.emit(key, error)

    def stop_chat(self) -> None:
        if self._chat_task is not None and not self._chat_task.done():
            self._chat_task.cancel()

    # -- lifecycle ---------------------------------------------------------------
    def _spawn(self, coro: Any) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._other_tasks.add(task)
        task.add_done_callback(self._other_tasks.discard)
        return task

    async def aclose(self) -> None:
        """Stop everything and close the engine; bounded so quitting never hangs.

        Pages being read stay unfinished in the batch store: the next start resumes them.
        """
        self.stop_chat()
        self._spawn(self.other.aclose())
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader.cancel(), timeout=3)
            except TimeoutError:
                logger.warning("the page reader did not stop within 3 s")
        pending = [t for t in (*self._ocr_tasks, *self._other_tasks) if not t.done()]
        for task in pending:
            task.cancel()
        if self._chat_task is not None:
            pending.append(self._chat_task)
        if pending:
            await asyncio.wait(pending, timeout=3)
        if self._engine is not None:
            await self._close_quietly(self._engine)
            self._engine = None
        if self._reader is not None:
            await asyncio.to_thread(self._reader.store.close)
        await self.files.aclose()
