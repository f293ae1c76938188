"""What the window knows about each open document: pages, live blocks, results, chat."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.document import Block, Document, Page, PageStatus
from desktop.core.messages import Msg

if TYPE_CHECKING:
    from desktop.engines.base import ChatMessage

_counter = itertools.count(1)


@dataclass(slots=True)
class DocEntry:
    """One document in the list (mutable UI state; results are the core's frozen data)."""

    key: str
    name: str
    path: str = ""
    page_count: int = 0
    error: tuple[Msg, ...] = ()  # why the file cannot be opened
    results: dict[int, Page] = field(default_factory=dict)
    live_blocks: dict[int, list[Block]] = field(default_factory=dict)
    live_text: dict[int, str] = field(default_factory=dict)
    running: set[int] = field(default_factory=set)
    queued: set[int] = field(default_factory=set)
    chat: list[ChatMessage] = field(default_factory=list)
    region_text: str = ""
    restored: bool = False  # reopened from history: shown, not read again
    resumed: bool = False  # finishing a reading a crash or quit stopped: only its pages
    history_id: int | None = None  # its row in the history store, once saved or restored
    # The document list (issue 19): what read it, how fast, its content, its twins.
    engine: str = ""  # the engine that read it last
    started_at: dict[int, float] = field(default_factory=dict)  # page -> monotonic start
    page_seconds: dict[int, float] = field(default_factory=dict)  # page -> seconds to read
    fingerprint: str = ""  # file_digest of its bytes, once computed
    hashing: bool = False  # its fingerprint is being computed: reading waits for it
    twin_hint: str = ""  # what tells it from another entry of the same name (folder, engine)

    @classmethod
    def for_path(cls, path: str) -> DocEntry:
        return cls(key=f"doc{next(_counter)}", name=Path(path).name, path=path)

    @classmethod
    def for_images(cls, name: str) -> DocEntry:
        return cls(key=f"doc{next(_counter)}", name=name)

    def blocks(self, index: int) -> tuple[Block, ...]:
        """The final blocks of a page, or those streamed so far."""
        page = self.results.get(index)
        if page is not None and page.status != PageStatus.PENDING:
            return page.blocks
        return tuple(self.live_blocks.get(index, ()))

    def status(self) -> str:
        """One word for the badge: loading, failed, reading, queued, partial, done, new."""
        if self.error:
            return "failed"
        if self.page_count == 0:
            return "loading"
        if self.running:
            return "reading"
        if self.queued:
            return "queued"
        statuses = [p.status for p in self.results.values()]
        if not statuses:
            return "new"
        if any(s == PageStatus.FAILED for s in statuses):
            return "failed"
        if any(s == PageStatus.PARTIAL for s in statuses):
            return "partial"
        if len(statuses) < self.page_count:
            return "new"
        return "done"

    def seconds_per_page(self) -> float | None:
        """Mean reading time of its pages read in this session (None: none timed)."""
        times = list(self.page_seconds.values())
        return sum(times) / len(times) if times else None

    def document(self) -> Document:
        """The finished pages as the core's Document (for exports)."""
        pages = tuple(
            self.results[i]
            for i in sorted(self.results)
            if self.results[i].status != PageStatus.PENDING
        )
        return Document(source=self.path or self.name, pages=pages)
