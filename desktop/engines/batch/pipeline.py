"""The page reader: render -> encode -> request -> parse -> sink, resumable through SQLite.

The one way pages are read, by the command line and by the window alike: sources (files;
the window saves pasted images and screen captures as files first), pages, a mode and an
optional region go in; page events come out. Several runs may go at once (the window
starts one per document) and share the request limit and the decoded-page budget.

Pages are rendered lazily in a worker thread; at most ``concurrency`` plus a few
(``ahead``: a quarter of it, at least 2) decoded pages exist at once (backpressure);
``concurrency`` requests run at a time. Each page's state is committed to the
``BatchStore`` as it changes, so a batch interrupted by a crash or a quit continues where
it stopped: pages marked done are never requested again. The events it yields are in
``batchevents``; the run's bookkeeping (results in order, documents) is in ``batchrun``.

Stopping comes in two kinds: ``cancel_page``/``cancel_source``/``cancel_all`` end pages as
FAILED "Cancelled." (what a user asked for); ``cancel`` (also closing the event stream)
stops runs and leaves their pages as they are in the store, to be resumed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Sequence
from contextlib import aclosing
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from desktop.core.document import BBox, Page, PageStatus
from desktop.core.errors import DotsError
from desktop.core.images import iter_pages
from desktop.core.messages import Code, Msg, say
from desktop.core.pageimage import PageImage
from desktop.engines.base import BlockFound, Engine, PageDone, RecognizeMode, TextDelta
from desktop.engines.batch.batchevents import (
    BlockStreamed,
    DocumentFinished,
    PageFinished,
    PageInOrder,
    PageStarted,
    PipelineEvent,
    SourceFailed,
    TextStreamed,
)
from desktop.engines.batch.batchrun import END, BatchRun, failed_page, plan_batch
from desktop.engines.batch.batchrun import internal_error as _internal_error
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
    "TextStreamed",
    "ahead",
]

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
RENDER_THREADS = 2
REOPEN_EVERY = 16


def _facts_of(exc: BaseException, source: str) -> tuple[Msg, ...]:
    """A DotsError's facts; an OSError as the file that cannot be read."""
    if isinstance(exc, DotsError):
        return exc.facts
    detail = str(getattr(exc, "strerror", None) or exc)
    return (Msg.of(Code.FILE_UNREADABLE, name=Path(source).name, detail=detail),)


def _with_notes(result: Page, notes: tuple[Msg, ...]) -> Page:
    """The result carrying how its page was made (a DPI lowered to the model's limit)."""
    if not notes:
        return result
    facts = (*result.facts, *notes)
    return replace(result, facts=facts, reason=say(facts))


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
    """Reads pages through one engine with bounded concurrency and resumable state.

    ``engine`` is fixed; ``engine_source`` instead gives the engine to use for each page as
    its turn comes (the window's engine can be rebuilt while pages wait). ``live_text``
    passes the engine's raw text deltas on as ``TextStreamed`` (for a live view).
    """

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        engine_source: Callable[[], Awaitable[Engine]] | None = None,
        store: BatchStore | None = None,
        concurrency: int | None = None,
        mode: RecognizeMode = RecognizeMode.LAYOUT,
        dpi: float = 200,
        password: str | None = None,
        history: HistoryStore | None = None,
        live_text: bool = False,
    ) -> None:
        if engine is None and engine_source is None:
            raise TypeError("BatchPipeline needs an engine or an engine_source")
        self.engine = engine
        self._engine_source = engine_source
        self.history = history  # finished documents are added here (the UI reopens them)
        self.store = store or BatchStore(":memory:")
        self.mode = RecognizeMode(mode)
        self.dpi = dpi
        self.password = password
        self.live_text = live_text
        self.batch_id: str | None = None  # the latest run's batch
        self.peak_decoded = 0  # most decoded pages alive at once (backpressure check)
        self._decoded = 0
        self._runs: list[BatchRun] = []
        default = getattr(engine, "concurrency", None) or DEFAULT_CONCURRENCY
        self.set_concurrency(concurrency or int(default))

    def set_concurrency(self, value: int) -> None:
        """Requests at a time (and the decoded pages kept ready); for runs started after."""
        self.concurrency = max(1, int(value))
        self._requests = asyncio.Semaphore(self.concurrency)
        self._slots = asyncio.Semaphore(self.concurrency + ahead(self.concurrency))
        # Files render in parallel (pages of one PDF in sequence); the slots bound them all.
        self._readers = asyncio.Semaphore(RENDER_THREADS)

    @property
    def busy(self) -> bool:
        """A run has pages without a result."""
        return any(not run.complete for run in self._runs)

    async def _engine(self) -> Engine:
        if self.engine is not None:
            return self.engine
        assert self._engine_source is not None
        return await self._engine_source()

    # -- control ----------------------------------------------------------------------
    def cancel_page(self, source: str, index: int) -> bool:
        """Stop one page: a running request is closed, a waiting page is never sent.

        The page ends FAILED "Cancelled." (resume the batch to retry it). False when the
        page is not part of a running job or already finished.
        """
        key = (str(source), index)
        found = False
        for run in list(self._runs):
            if key not in run.order or key in run.results:
                continue
            found = True
            run.cancelled_pages.add(key)
            task = run.tasks.get(key)
            if task is not None and not task.done():
                task.cancel()
            elif task is None:  # not rendered yet: it ends now and is never rendered
                cancelled = (Msg(Code.PAGE_CANCELLED),)
                run.write(self.store.mark_failed, key[0], index, cancelled, cancelled=True)
                self._finish(run, key[0], failed_page(index, cancelled))
        return found

    def cancel_source(self, source: str) -> int:
        """Stop every page of one document not finished yet; returns how many."""
        keys = {k for run in self._runs for k in run.unfinished(str(source))}
        return sum(self.cancel_page(s, i) for s, i in sorted(keys))

    def cancel_all(self) -> int:
        """Stop every page of every run not finished yet; returns how many."""
        keys = {k for run in self._runs for k in run.unfinished()}
        return sum(self.cancel_page(s, i) for s, i in sorted(keys))

    async def cancel(self) -> None:
        """Stop every run, leaving its pages resumable; returns once no request runs."""
        await asyncio.gather(*(run.stop() for run in list(self._runs)))

    # -- running ----------------------------------------------------------------------
    def run(
        self,
        sources: Sequence[str | Path],
        *,
        pages: Sequence[int] | None = None,
        batch_id: str | None = None,
        mode: RecognizeMode | None = None,
        dpi: float | None = None,
        region: BBox | None = None,
        engine: Engine | None = None,
    ) -> AsyncGenerator[PipelineEvent, None]:
        """OCR ``sources`` (``pages``: 0-based, applied to each); resume ``batch_id`` if known.

        ``mode`` and ``dpi`` default to the reader's; ``region`` reads one box of each page
        (GROUNDING): its results are pages of that box's text, never added to the history.
        ``engine`` reads this run instead of the reader's engine (it must be ready); it is
        not stored, so a resumed run continues with the reader's engine.
        """
        options = {
            "mode": str(RecognizeMode(mode or self.mode)),
            "dpi": self.dpi if dpi is None else dpi,
            "pages": list(pages) if pages else None,
            "region": list(region) if region is not None else None,
        }
        return self._events([str(s) for s in sources], options, batch_id, engine)

    def resume(self, batch_id: str) -> AsyncGenerator[PipelineEvent, None]:
        """Continue a stored batch: done pages come from the store, the rest are requested.

        Also how failed or cancelled pages are retried. The batch's own mode, DPI and
        region are used.
        """
        info = self.store.batch(batch_id)
        if info is None:
            raise DotsError(Msg.of(Code.BATCH_MISSING, batch_id=batch_id))
        options = {"mode": str(self.mode), "dpi": self.dpi, "pages": None, "region": None}
        options.update(info.options)
        return self._events(list(info.sources), options, batch_id)

    async def _events(
        self,
        sources: list[str],
        options: dict[str, Any],
        batch_id: str | None,
        engine: Engine | None = None,
    ) -> AsyncGenerator[PipelineEvent, None]:
        bid, order, failures = await asyncio.to_thread(
            plan_batch, self.store, sources, options, batch_id, self.password
        )
        self.batch_id = bid
        region = options.get("region")
        run = BatchRun(
            bid,
            order,
            len(order),
            mode=RecognizeMode(options["mode"]),
            dpi=float(options["dpi"]),
            region=cast(BBox, tuple(int(v) for v in region)) if region else None,
            engine=engine,
        )
        self._runs.append(run)
        try:
            for failure in failures:
                yield failure
            done = await asyncio.to_thread(
                lambda: {s: self.store.done_pages(bid, s) for s in sources}
            )
            for source, index in order:
                cached = done.get(source, {}).get(index)
                if cached is not None:
                    self._finish(run, source, cached, cached=True)
            todo: dict[str, list[int]] = {}
            for source, index in order:
                if (source, index) not in run.results:
                    todo.setdefault(source, []).append(index)
            if run.complete:
                run.out.put_nowait(END)
            run.producer = asyncio.create_task(self._produce(run, todo))
            while True:
                event = await run.out.get()
                if event is END:
                    break
                yield event
        finally:
            # The consumer stopped early (or the job ended): no request may outlive it.
            producing = run.producer is not None and not run.producer.done()
            if producing or any(not t.done() for t in run.tasks.values()):
                await run.stop()
            run.producer = None
            self._runs.remove(run)
            if run.writes:  # what it said is stored before it is over
                await asyncio.wait(run.writes)

    async def _produce(self, run: BatchRun, todo: dict[str, list[int]]) -> None:
        requests, slots, readers = self._requests, self._slots, self._readers
        sources = list(todo.items())

        async def read(source: str, indexes: list[int]) -> None:
            async with readers:
                # PDFium caches fonts/images per open document until it is closed, so a
                # long PDF is reopened every few pages to keep memory flat in page count.
                for start in range(0, len(indexes), REOPEN_EVERY):
                    # Pages cancelled while they waited are not rendered at all.
                    part = [
                        i
                        for i in indexes[start : start + REOPEN_EVERY]
                        if (source, i) not in run.results
                    ]
                    if not part:
                        continue
                    try:
                        if not await self._render(run, source, part, gates=(requests, slots)):
                            for index in indexes[start + REOPEN_EVERY :]:
                                self._fail(run, source, index, (Msg(Code.EARLIER_PAGE_FAILED),))
                            return
                    except Exception as exc:  # a bug here would leave the batch without end
                        logger.exception("reading %s failed unexpectedly", source)
                        for index in indexes:
                            if (source, index) not in run.tasks:  # running ones end alone
                                self._fail(run, source, index, _internal_error(exc))
                        return

        await asyncio.gather(*(read(s, i) for s, i in sources))

    async def _render(
        self,
        run: BatchRun,
        source: str,
        remaining: list[int],
        *,
        gates: tuple[asyncio.Semaphore, asyncio.Semaphore],
    ) -> bool:
        """Render ``remaining`` pages and start their tasks; False when the reader broke.

        A page that cannot be decoded (a damaged frame, a damaged PDF page) fails alone:
        the file is opened again after it and the pages behind it are read.
        """
        remaining = list(remaining)
        it: Iterator[PageImage] | None = None
        try:
            while remaining:
                if it is None:
                    it = iter_pages(source, dpi=run.dpi, pages=remaining, password=self.password)
                outcome = await self._render_next(run, source, it, remaining, gates=gates)
                if outcome is None:
                    continue
                it = None  # the generator ended with the error: open the file again
                if not outcome:
                    return False
        finally:
            close = getattr(it, "close", None)
            if close is not None and getattr(it, "gi_frame", True) is not None:
                await asyncio.to_thread(close)  # not closed with its last page
        return True

    async def _render_next(
        self,
        run: BatchRun,
        source: str,
        it: Iterator[PageImage],
        remaining: list[int],
        *,
        gates: tuple[asyncio.Semaphore, asyncio.Semaphore],
    ) -> bool | None:
        """Start the next page's task: None when it went on; True after a page failed
        alone (open the file again and go on); False when the file ended early."""
        slots = gates[1]
        if all((source, i) in run.results for i in remaining):
            remaining.clear()
            return None  # the rest was cancelled while it waited: not rendered
        await slots.acquire()
        try:
            # The generator may decode a PDF page: that happens in a worker thread,
            # which also closes it after the last page wanted (one hop, not two).
            page = await asyncio.to_thread(_next_page, it, len(remaining) == 1)
        except Exception as exc:
            slots.release()
            if isinstance(exc, DotsError | OSError):
                reason = _facts_of(exc, source)
            else:  # a bug in a decoder: log it, and fail that page all the same
                logger.exception("reading %s failed unexpectedly", source)
                reason = _internal_error(exc)
            # Pages come in the order asked for: the first one left is the broken one. It
            # fails alone; a file that is unreadable as a whole fails each page in turn.
            self._fail(run, source, remaining.pop(0), reason)
            return True
        if page is None:
            slots.release()
            for index in remaining:
                self._fail(run, source, index, (Msg(Code.PAGE_NOT_RENDERED),))
            remaining.clear()
            return False
        remaining.remove(page.index)
        if (source, page.index) in run.cancelled_pages:
            slots.release()
            cancelled = (Msg(Code.PAGE_CANCELLED),)
            run.write(self.store.mark_failed, source, page.index, cancelled, cancelled=True)
            self._finish(run, source, failed_page(page.index, cancelled))
            return None
        self._decoded += 1
        self.peak_decoded = max(self.peak_decoded, self._decoded)
        key = (source, page.index)
        run.tasks[key] = asyncio.create_task(self._page(run, source, page, gates=gates))
        del page  # the task owns it now; its slot is freed when it ends
        return None

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
            engine = run.engine or await self._engine()
            # Encode the request while waiting for a turn, so a turn starts with sending.
            prepare = getattr(engine, "prepare_request", None) if run.region is None else None
            prepared = await prepare(page, run.mode) if prepare is not None else None
            async with requests:
                run.out.put_nowait(PageStarted(source, index))
                await asyncio.to_thread(self.store.mark_running, run.batch_id, source, index)
                result: Page | None = None
                stream = (
                    engine.recognize(page, run.mode, run.region)
                    if prepared is None
                    else cast(Any, engine).recognize(page, run.mode, prepared=prepared)
                )
                async with aclosing(stream) as events:  # type: ignore[type-var]
                    async for event in events:
                        if isinstance(event, BlockFound):
                            run.out.put_nowait(BlockStreamed(source, index, event.block))
                        elif isinstance(event, TextDelta):
                            if self.live_text:
                                run.out.put_nowait(TextStreamed(source, index, event.text))
                        elif isinstance(event, PageDone):
                            result = event.page
            if result is None:
                result = failed_page(index, (Msg(Code.ENGINE_NO_RESULT),))
            result = _with_notes(result, page.notes)
            if result.status is PageStatus.FAILED:
                await asyncio.to_thread(
                    self.store.mark_failed, run.batch_id, source, index, result.facts
                )
            else:
                await asyncio.to_thread(self.store.mark_done, run.batch_id, source, result)
            self._finish(run, source, result)
        except asyncio.CancelledError:
            if key not in run.cancelled_pages:
                raise  # the whole job stops; its pages stay resumable
            cancelled = (Msg(Code.PAGE_CANCELLED),)
            run.write(self.store.mark_failed, source, index, cancelled, cancelled=True)
            self._finish(run, source, failed_page(index, cancelled))
        except DotsError as exc:
            logger.info("%s page %d failed: %s", source, index + 1, exc)
            run.write(self.store.mark_failed, source, index, exc.facts)
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
        if (source, index) in run.results:
            return  # already ended (cancelled while it waited)
        run.write(self.store.mark_failed, source, index, reason)
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
        history = self.history if run.region is None else None
        run.finish(source, page, cached=cached, error=error, history=history)
