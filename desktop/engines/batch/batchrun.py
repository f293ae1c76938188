"""One batch run's bookkeeping: the pages it holds, and results handed out in order.

Results arrive in any order. ``BatchRun.finish`` queues each at once as ``PageFinished``
and, as the gaps close, again in source then page order (``PageInOrder``), with a
``DocumentFinished`` when a source's last page is in. ``plan_batch`` lays a run's pages
out in the store before it starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.document import BBox, Document, Page, PageStatus
from desktop.core.errors import DotsError
from desktop.core.images import count_pages
from desktop.core.messages import Code, Msg
from desktop.engines.base import RecognizeMode
from desktop.engines.batch.batchevents import (
    DocumentFinished,
    PageFinished,
    PageInOrder,
    SourceFailed,
)
from desktop.engines.batch.batchstore import BatchStore
from desktop.engines.batch.history import HistoryStore

logger = logging.getLogger(__name__)

#: Put on ``BatchRun.out`` when the run has nothing more to say.
END = object()


@dataclass
class BatchRun:
    """The state of one run of ``BatchPipeline``: its pages, results and running tasks."""

    batch_id: str
    order: list[tuple[str, int]]
    total: int
    mode: RecognizeMode = RecognizeMode.LAYOUT
    dpi: float = 200
    region: BBox | None = None  # a region read: one box of each page, never a document
    engine: Any = None  # this run's own engine (Read again with another), else the reader's
    out: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    results: dict[tuple[str, int], Page] = field(default_factory=dict)
    next_pos: int = 0
    finished: int = 0
    tasks: dict[tuple[str, int], asyncio.Task[None]] = field(default_factory=dict)
    cancelled_pages: set[tuple[str, int]] = field(default_factory=set)
    producer: asyncio.Task[None] | None = None
    writes: set[asyncio.Future[None]] = field(default_factory=set)  # store writes in flight

    @property
    def complete(self) -> bool:
        """Every page of the run has its result (ok, partial, failed or cancelled)."""
        return self.finished == self.total

    def unfinished(self, source: str | None = None) -> list[tuple[str, int]]:
        """Pages (of ``source``, or all) without a result yet."""
        return [
            k for k in self.order if k not in self.results and (source is None or k[0] == source)
        ]

    async def stop(self) -> None:
        """Stop the run's rendering and requests (its pages stay resumable); then END."""
        tasks: list[asyncio.Task[Any]] = []
        if self.producer is not None:
            tasks.append(self.producer)
        tasks.extend(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.out.put_nowait(END)

    def write(self, mark: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        """``mark(batch_id, *args)`` on the store in a worker thread, not waited for
        (SQLite may wait for the disk); the run waits for its writes before it ends.

        A store that breaks costs the page its resumable state, never its result.
        """

        def write() -> None:
            try:
                mark(self.batch_id, *args, **kwargs)
            except Exception:
                logger.exception("could not store the end of %s page %d", args[0], args[1] + 1)

        future = asyncio.ensure_future(asyncio.to_thread(write))
        self.writes.add(future)
        future.add_done_callback(self.writes.discard)

    def finish(
        self,
        source: str,
        page: Page,
        *,
        cached: bool = False,
        error: DotsError | None = None,
        history: HistoryStore | None = None,
    ) -> None:
        """Record ``page`` (once) and queue the events it completes; ``history`` gets documents."""
        key = (source, page.index)
        if key in self.results:
            return
        self.results[key] = page
        self.finished += 1
        self.out.put_nowait(PageFinished(source, page, self.finished, self.total, cached, error))
        while self.next_pos < len(self.order) and self.order[self.next_pos] in self.results:
            src, _ = self.order[self.next_pos]
            self.out.put_nowait(PageInOrder(src, self.results[self.order[self.next_pos]]))
            self.next_pos += 1
            at_end = self.next_pos == len(self.order) or self.order[self.next_pos][0] != src
            if at_end:
                pages = tuple(self.results[k] for k in self.order if k[0] == src)
                document = Document(src, pages)
                if history is not None:
                    history.add(document)
                self.out.put_nowait(DocumentFinished(document))
        if self.finished == self.total:
            self.out.put_nowait(END)


def failed_page(index: int, facts: tuple[Msg, ...]) -> Page:
    """A FAILED page that says why."""
    return Page(index=index, width=0, height=0, status=PageStatus.FAILED, facts=facts)


def internal_error(exc: BaseException, name: str = "") -> tuple[Msg, ...]:
    """The fact for an unexpected exception (the traceback goes to the log)."""
    if name:
        return (Msg.of(Code.INTERNAL_ERROR_IN, name=name, kind=type(exc).__name__),)
    return (Msg.of(Code.INTERNAL_ERROR, kind=type(exc).__name__),)


def plan_batch(
    store: BatchStore,
    sources: list[str],
    options: dict[str, Any],
    batch_id: str | None,
    password: str | None = None,
) -> tuple[str, list[tuple[str, int]], list[SourceFailed]]:
    """The run's batch id (created when new), its pages in order, and the unreadable sources.

    A batch known to ``store`` keeps its pages; otherwise each source's pages are counted
    and registered as pending. Blocking (decoders, SQLite): run it in a worker thread.
    """
    pages: Sequence[int] | None = options.get("pages")
    if batch_id is None or store.batch(batch_id) is None:
        batch_id = store.create_batch(sources, options, batch_id)
    order: list[tuple[str, int]] = []
    failures: list[SourceFailed] = []
    for source in sources:
        known = store.pages(batch_id, source)
        if known:
            indexes = [r.page_index for r in known]
        else:
            try:
                count = count_pages(source, password)
            except DotsError as exc:
                failures.append(SourceFailed(source, exc.facts))
                continue
            except Exception as exc:  # a bug in a decoder: this file fails, the rest go on
                logger.exception("counting the pages of %s failed unexpectedly", source)
                failures.append(SourceFailed(source, internal_error(exc, Path(source).name)))
                continue
            indexes = [i for i in (pages or range(count)) if 0 <= i < count]
            store.add_pages(batch_id, source, indexes)
        order.extend((source, i) for i in indexes)
    return batch_id, order, failures
