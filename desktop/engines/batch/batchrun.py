"""One batch run's bookkeeping: the pages it holds, and results handed out in order.

Results arrive in any order. ``BatchRun.finish`` queues each at once as ``PageFinished``
and, as the gaps close, again in source then page order (``PageInOrder``), with a
``DocumentFinished`` when a source's last page is in.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from desktop.core.document import BBox, Document, Page, PageStatus
from desktop.core.errors import DotsError
from desktop.engines.base import RecognizeMode
from desktop.engines.batch.batchevents import DocumentFinished, PageFinished, PageInOrder
from desktop.engines.batch.history import HistoryStore

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
    out: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    results: dict[tuple[str, int], Page] = field(default_factory=dict)
    next_pos: int = 0
    finished: int = 0
    tasks: dict[tuple[str, int], asyncio.Task[None]] = field(default_factory=dict)
    cancelled_pages: set[tuple[str, int]] = field(default_factory=set)
    producer: asyncio.Task[None] | None = None

    @property
    def complete(self) -> bool:
        """Every page of the run has its result (ok, partial, failed or cancelled)."""
        return self.finished == self.total

    def unfinished(self, source: str | None = None) -> list[tuple[str, int]]:
        """Pages (of ``source``, or all) without a result yet."""
        return [
            k for k in self.order if k not in self.results and (source is None or k[0] == source)
        ]

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


def failed_page(index: int, reason: str) -> Page:
    """A FAILED page that says why."""
    return Page(index=index, width=0, height=0, status=PageStatus.FAILED, reason=reason)
