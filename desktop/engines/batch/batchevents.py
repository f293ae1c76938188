"""What a batch run reports: pages started, streamed, finished, in order, and whole documents.

``BatchPipeline`` (the page reader) yields these; the window and the command line only
listen to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.document import Block, Document, Page
from desktop.core.errors import DotsError
from desktop.core.messages import Msg, say


@dataclass(frozen=True, slots=True)
class PageStarted:
    source: str
    index: int


@dataclass(frozen=True, slots=True)
class BlockStreamed:
    """A block of a page still being read (for live overlays)."""

    source: str
    page_index: int
    block: Block


@dataclass(frozen=True, slots=True)
class TextStreamed:
    """Raw text of a page still being read (text mode's live view; only when asked for)."""

    source: str
    page_index: int
    text: str


@dataclass(frozen=True, slots=True)
class PageFinished:
    """A page result, delivered as soon as it is known (any order)."""

    source: str
    page: Page
    done: int  # pages finished so far in this run, this one included
    total: int
    cached: bool = False  # True when the result came from the store (resumed batch)
    error: DotsError | None = None  # the typed failure, when the page failed with one


@dataclass(frozen=True, slots=True)
class PageInOrder:
    """The same result, delivered in source order then page order."""

    source: str
    page: Page


@dataclass(frozen=True, slots=True)
class DocumentFinished:
    document: Document


@dataclass(frozen=True, slots=True)
class SourceFailed:
    """A whole input could not be read (missing, unsupported, password...)."""

    source: str
    facts: tuple[Msg, ...]  # why, for words in the user's language

    @property
    def error(self) -> str:
        """Why, in English (logs, the JSON contract)."""
        return say(self.facts)


PipelineEvent = (
    PageStarted
    | BlockStreamed
    | TextStreamed
    | PageFinished
    | PageInOrder
    | DocumentFinished
    | SourceFailed
)
