"""The batch pipeline: render -> encode -> request -> parse -> sink, resumable through SQLite.

Pages are rendered lazily in a worker thread; at most ``concurrency`` plus a few
(``ahead``: a quarter of it, at least 2) decoded pages exist at once (backpressure);
``concurrency`` requests run at a time. Each page's state is committed to the
``BatchStore`` as it changes, so a batch interrupted by a crash or a quit continues where
it stopped: pages marked done are never requested again. The events it yields are in
``batchevents``; the run's bookkeeping (results in order, documents) is in ``batchrun``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterator, Sequence
from contextlib import aclosing
from pathlib import Path
from typing import Any, cast

from desktop.core.document import Page, PageStatus
from desktop.core.errors import DotsError
from desktop.core.images import count_pages, iter_pages
from desktop.core.messages import Code, Msg, say
from desktop.core.pageimage import PageImage
from desktop.engines.base import BlockFound, Engine, PageDone, RecognizeMode
from desktop.engines.batch.batchevents import (
    BlockStreamed,
    DocumentFinished,
    PageFinished,
    PageInOrder,
    PageStarted,
    PipelineEvent,
    SourceFailed,
)
from desktop.engines.batch.batchrun import END, BatchRun, failed_page
from desktop.engines.batch.batchstore import BatchStore
from desktop.engines.batch.history import HistoryStore

# The events are re-exported: callers import them from here.
__all__ = [
    "DEFAULT_CONCURRENCY",
    "BatchPipeline",
    "BlockStreamed",
    "DocumentFinished",
    "PageFinished",
    "PageInOrder",
    "PageStarted",
    "PipelineEvent",
    "SourceFailed",
    "ahead",
]

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
RENDER_THREADS = 2
REOPEN_EVERY = 16


def _internal_error(exc: BaseException, name: str = "") -> tuple[Msg, ...]:
    """The fact for an unexpected exception (the traceback goes to the log)."""
    if name:
        return (Msg.of(Code.INTERNAL_ERROR_IN, name=name, kind=type(exc).__name__),)
    return (Msg.of(Code.INTERNAL_ERROR, kind=type(exc).__name__),)


def _facts_of(exc: BaseException, source: str) -> tuple[Msg, ...]:
    """A DotsError's facts; an OSError as the file that cannot be read."""
    if isinstance(exc, DotsError):
        return exc.facts
    detail = str(getattr(exc, "strerror", None) or exc)
    return (Msg.of(Code.FILE_UNREADABLE, name=Path(source).name, detail=detail),)


def ahead(concurrency: int) -> int:
    """Decoded pages kept ready beyond those being read.

    Similar pages finish together: a wide batch frees many slots at once, and pages
    rendered only then would start late (2 render threads, ~5-25 ms a page).
    """
    return max(2, concurrency // 4)


def _next_page(it: Iterator[PageImage], last: bool) -> PageImage | None:
    """The iterator's next page; with ``last``, the iterator is closed right after."""
    page = next(it, None)
    if last:
        close = getattr(it, "close", None)
        if close is not None:
            close()
    return page


class BatchPipeline:
    """Runs many pages through one engine with bounded concurrency and resumable state."""

    def __init__(
        self,
        engine: Engine,
        *,
        store: BatchStore | None = None,
        concurrency: int | None = None,
        mode: RecognizeMode = RecognizeMode.LAYOUT,
        dpi: float = 200,
        password: str | None = None,
        history: HistoryStore | None = None,
    ) -> None:
        self.engine = engine
        self.history = history  # finished documents are added here (the UI reopens them)
        self.store = store or BatchStore(":memory:")
        default = getattr(engine, "concurrency", None) or DEFAULT_CONCURRENCY
        self.concurrency = max(1, concurrency or int(default))
        self.mode = RecognizeMode(mode)
        self.dpi = dpi
        self.password = password
        self.batch_id: str | None = None
        self.peak_decoded = 0  # most decoded pages alive at once (backpressure check)
        self._decoded = 0
        self._run: BatchRun | None = None
        self._producer: asyncio.Task[None] | None = None

    # -- control ----------------------------------------------------------------------
    def cancel_page(self, source: str, index: int) -> bool:
        """Stop one page: a running request is closed, a waiting page is never sent.

        The page ends FAILED "Cancelled." (resume the batch to retry it). False when the
        page is not part of the running job or already finished.
        """
        run = self._run
        key = (str(source), index)
        if run is None or key not in run.order or key in run.results:
            return False
        run.cancelled_pages.add(key)
        task = run.tasks.get(key)
        if task is not None and not task.done():
            task.cancel()
        return True

    async def cancel(self) -> None:
        """Stop the whole job; returns once no request of it is running any more."""
        run = self._run
        tasks: list[asyncio.Task[Any]] = []
        if self._producer is not None:
            tasks.append(self._producer)
        if run is not None:
            tasks.extend(run.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if run is not None:
            run.out.put_nowait(END)

    # -- running ----------------------------------------------------------------------
    def run(
        self,
        sources: Sequence[str | Path],
        *,
        pages: Sequence[int] | None = None,
        batch_id: str | None = None,
    ) -> AsyncGenerator[PipelineEvent, None]:
        """OCR ``sources`` (``pages``: 0-based, applied to each); resume ``batch_id`` if known."""
        return self._events([str(s) for s in sources], pages, batch_id)

    def resume(self, batch_id: str) -> AsyncGenerator[PipelineEvent, None]:
        """Continue a stored batch: done pages come from the store, the rest are requested.

        Also how failed or cancelled pages are retried.
        """
        info = self.store.batch(batch_id)
        if info is None:
            raise DotsError(Msg.of(Code.BATCH_MISSING, batch_id=batch_id))
        pages = info.options.get("pages")
        return self._events(list(info.sources), pages, batch_id)

    async def _plan(
        self, sources: list[str], pages: Sequence[int] | None, batch_id: str | None
    ) -> tuple[str, list[tuple[str, int]], list[SourceFailed]]:
        options = {"mode": str(self.mode), "dpi": self.dpi, "pages": list(pages) if pages else None}
        if batch_id is None or self.store.batch(batch_id) is None:
            batch_id = self.store.create_batch(sources, options, batch_id)
        order: list[tuple[str, int]] = []
        failures: list[SourceFailed] = []
        for source in sources:
            known = self.store.pages(batch_id, source)
            if known:
                indexes = [r.page_index for r in known]
            else:
                try:
                    count = await asyncio.to_thread(count_pages, source, self.password)
                except DotsError as exc:
                    failures.append(SourceFailed(source, str(exc), exc.facts))
                    continue
                except Exception as exc:  # a bug in a decoder: this file fails, the rest go on
                    logger.exception("counting the pages of %s failed unexpectedly", source)
                    facts = _internal_error(exc, Path(source).name)
                    failures.append(SourceFailed(source, say(facts), facts))
                    continue
                indexes = [i for i in (pages or range(count)) if 0 <= i < count]
                self.store.add_pages(batch_id, source, indexes)
            order.extend((source, i) for i in indexes)
        return batch_id, order, failures

    async def _events(
        self, sources: list[str], pages: Sequence[int] | None, batch_id: str | None
    ) -> AsyncGenerator[PipelineEvent, None]:
        bid, order, failures = await self._plan(sources, pages, batch_id)
        self.batch_id = bid
        run = BatchRun(bid, order, len(order))
        self._run = run
        for failure in failures:
            yield failure
        done: dict[str, dict[int, Page]] = {s: self.store.done_pages(bid, s) for s in sources}
        for source, index in order:
            cached = done.get(source, {}).get(index)
            if cached is not None:
                self._finish(run, source, cached, cached=True)
        todo: dict[str, list[int]] = {}
        for source, index in order:
            if (source, index) not in run.results:
                todo.setdefault(source, []).append(index)
        if run.finished == run.total:
            run.out.put_nowait(END)
        self._producer = asyncio.create_task(self._produce(run, todo))
        try:
            while True:
                event = await run.out.get()
                if event is END:
                    break
                yield event
        finally:
            # The consumer stopped early (or the job ended): no request may outlive it.
            producing = self._producer is not None and not self._producer.done()
            if producing or any(not t.done() for t in run.tasks.values()):
                await self.cancel()
            self._producer = None

    async def _produce(self, run: BatchRun, todo: dict[str, list[int]]) -> None:
        slots = asyncio.Semaphore(self.concurrency + ahead(self.concurrency))
        requests = asyncio.Semaphore(self.concurrency)
        # Files render in parallel (pages of one PDF in sequence); the slots bound them all.
        readers = asyncio.Semaphore(RENDER_THREADS)
        sources = list(todo.items())

        async def read(source: str, indexes: list[int]) -> None:
            async with readers:
                # PDFium caches fonts/images per open document until it is closed, so a
                # long PDF is reopened every few pages to keep memory flat in page count.
                for start in range(0, len(indexes), REOPEN_EVERY):
                    part = indexes[start : start + REOPEN_EVERY]
                    it: Iterator[PageImage] = iter_pages(
                        source, dpi=self.dpi, pages=part, password=self.password
                    )
                    try:
                        if not await self._render(run, source, it, part, gates=(requests, slots)):
                            for index in indexes[start + REOPEN_EVERY :]:
                                self._fail(run, source, index, (Msg(Code.EARLIER_PAGE_FAILED),))
                            return
                    except Exception as exc:  # a bug here would leave the batch without end
                        logger.exception("reading %s failed unexpectedly", source)
                        for index in indexes:
                            if (source, index) not in run.tasks:  # running ones end alone
                                self._fail(run, source, index, _internal_error(exc))
                        return
                    finally:
                        it_close = getattr(it, "close", None)
                        if it_close is not None and getattr(it, "gi_frame", True) is not None:
                            await asyncio.to_thread(it_close)  # not closed with its last page

        await asyncio.gather(*(read(s, i) for s, i in sources))

    async def _render(
        self,
        run: BatchRun,
        source: str,
        it: Iterator[PageImage],
        remaining: list[int],
        *,
        gates: tuple[asyncio.Semaphore, asyncio.Semaphore],
    ) -> bool:
        """Render ``remaining`` pages and start their tasks; False when the reader broke."""
        slots = gates[1]
        remaining = list(remaining)
        while remaining:
            await slots.acquire()
            try:
                # The generator may decode a PDF page: that happens in a worker thread,
                # which also closes it after the last page wanted (one hop, not two).
                last = len(remaining) == 1
                page = await asyncio.to_thread(_next_page, it, last)
            except Exception as exc:
                slots.release()
                if isinstance(exc, DotsError | OSError):
                    reason = _facts_of(exc, source)
                else:  # a bug in a decoder: log it, and end the file's pages all the same
                    logger.exception("reading %s failed unexpectedly", source)
                    reason = _internal_error(exc)
                for index in remaining:  # the reader cannot go on past a broken page
                    self._fail(run, source, index, reason)
                return False
            if page is None:
                slots.release()
                for index in remaining:
                    self._fail(run, source, index, (Msg(Code.PAGE_NOT_RENDERED),))
                return False
            remaining.remove(page.index)
            if (source, page.index) in run.cancelled_pages:
                slots.release()
                cancelled = (Msg(Code.PAGE_CANCELLED),)
                self.store.mark_failed(
                    run.batch_id, source, page.index, say(cancelled), cancelled=True
                )
                self._finish(run, source, failed_page(page.index, cancelled))
                continue
            self._decoded += 1
            self.peak_decoded = max(self.peak_decoded, self._decoded)
            key = (source, page.index)
            run.tasks[key] = asyncio.create_task(self._page(run, source, page, gates=gates))
            del page  # the task owns it now; its slot is freed when it ends
        return True

    async def _page(
        self,
        run: BatchRun,
        source: str,
        page: PageImage,
        *,
        gates: tuple[asyncio.Semaphore, asyncio.Semaphore],
    ) -> None:
        requests, slots = gates
        index = page.index
        key = (source, index)
        try:
            # Encode the request while waiting for a turn, so a turn starts with sending.
            prepare = getattr(self.engine, "prepare_request", None)
            prepared = await prepare(page, self.mode) if prepare is not None else None
            async with requests:
                run.out.put_nowait(PageStarted(source, index))
                self.store.mark_running(run.batch_id, source, index)
                result: Page | None = None
                stream = (
                    self.engine.recognize(page, self.mode)
                    if prepared is None
                    else cast(Any, self.engine).recognize(page, self.mode, prepared=prepared)
                )
                async with aclosing(stream) as events:  # type: ignore[type-var]
                    async for event in events:
                        if isinstance(event, BlockFound):
                            run.out.put_nowait(BlockStreamed(source, index, event.block))
                        elif isinstance(event, PageDone):
                            result = event.page
            if result is None:
                result = failed_page(index, (Msg(Code.ENGINE_NO_RESULT),))
            if result.status is PageStatus.FAILED:
                self.store.mark_failed(run.batch_id, source, index, result.reason)
            else:
                self.store.mark_done(run.batch_id, source, result)
            self._finish(run, source, result)
        except asyncio.CancelledError:
            if key not in run.cancelled_pages:
                raise  # the whole job stops; its pages stay resumable
            cancelled = (Msg(Code.PAGE_CANCELLED),)
            self.store.mark_failed(run.batch_id, source, index, say(cancelled), cancelled=True)
            self._finish(run, source, failed_page(index, cancelled))
        except DotsError as exc:
            logger.info("%s page %d failed: %s", source, index + 1, exc)
            self.store.mark_failed(run.batch_id, source, index, str(exc))
            self._finish(run, source, failed_page(index, exc.facts), error=exc)
        except Exception as exc:  # a bug (engine, parser, store) must not stall the batch
            logger.exception("%s page %d failed unexpectedly", source, index + 1)
            self._fail(run, source, index, _internal_error(exc))
        finally:
            del page
            run.tasks.pop(key, None)
            self._decoded -= 1
            slots.release()

    def _fail(self, run: BatchRun, source: str, index: int, reason: tuple[Msg, ...]) -> None:
        try:
            self.store.mark_failed(run.batch_id, source, index, say(reason))
        except Exception:  # the page still ends (not resumable as failed) if the store breaks
            logger.exception("could not store the failure of %s page %d", source, index + 1)
        self._finish(run, source, failed_page(index, reason))

    def _finish(
        self,
        run: BatchRun,
        source: str,
        page: Page,
        *,
        cached: bool = False,
        error: DotsError | None = None,
    ) -> None:
        run.finish(source, page, cached=cached, error=error, history=self.history)
