"""The one interface every OCR/chat backend implements (server engine, built-in CPU engine).

``recognize`` streams events while a page is read and always ends with exactly one
``PageDone``; ``chat`` streams answer text. No Qt here: the UI adapts these to signals.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from desktop.core.document import BBox, Block, Page
from desktop.core.errors import DotsError

if TYPE_CHECKING:  # annotations only: importing it loads Pillow (~20 ms for the chat pane)
    from desktop.core.pageimage import PageImage


class Capability(enum.Flag):
    """What an engine can do; the UI disables what is missing and says why."""

    NONE = 0
    LAYOUT = enum.auto()  # categories + boxes + text per block
    TEXT = enum.auto()  # plain reading-order text
    GROUNDING = enum.auto()  # read one region
    CHAT = enum.auto()  # free conversation about an image
    BOXES = enum.auto()  # boxes without text (layout-only)


class RecognizeMode(enum.StrEnum):
    """What the user asked for (CLI ``--mode`` values)."""

    LAYOUT = "layout"  # layout + text (dots.ocr layout_all)
    TEXT = "text"  # text only (dots.ocr "ocr" prompt)
    LAYOUT_ONLY = "layout-only"  # boxes + categories, no text
    GROUNDING = "grounding"  # text of one region (needs ``region``)


@dataclass(frozen=True, slots=True)
class BlockFound:
    """A block completed while the page is still being read (bbox in original pixels)."""

    page_index: int
    block: Block


@dataclass(frozen=True, slots=True)
class TextDelta:
    """Raw text as it streams (for text mode and live previews)."""

    page_index: int
    text: str


@dataclass(frozen=True, slots=True)
class PageDone:
    """The page's final result (status ok/partial/recovered/failed and why)."""

    page: Page


RecognizeEvent = BlockFound | TextDelta | PageDone


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One turn. The first user turn usually carries the page (and optionally a region)."""

    role: str  # "user" | "assistant" | "system"
    text: str
    image: PageImage | None = None
    region: BBox | None = None


class EngineError(DotsError):
    """An engine failed in a way the user can act on."""


class CannotChat(EngineError):
    """The active engine has no chat capability."""


@runtime_checkable
class Engine(Protocol):
    """An OCR/chat backend."""

    @property
    def name(self) -> str:
        """Short label for the UI, e.g. "dots.ocr @ 127.0.0.1:8000" or "Built-in (CPU)"."""
        ...

    @property
    def capabilities(self) -> Capability: ...

    async def ensure_ready(self) -> None:
        """Load models / discover the server; raise EngineError with a sentence if impossible."""
        ...

    def recognize(
        self,
        page: PageImage,
        mode: RecognizeMode = RecognizeMode.LAYOUT,
        region: BBox | None = None,
    ) -> AsyncIterator[RecognizeEvent]:
        """Stream the page's blocks as they complete; the last event is a ``PageDone``."""
        ...

    def chat(self, messages: Sequence[ChatMessage]) -> AsyncIterator[str]:
        """Stream the answer's text; raise ``CannotChat`` when unsupported."""
        ...

    async def aclose(self) -> None:
        """Release connections, threads and models."""
        ...
