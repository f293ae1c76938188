"""The document model every layer shares: Document -> Page -> Block, plain frozen data."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from desktop.core.messages import Msg, say

#: The eleven dots.ocr layout categories, in the order the prompt lists them.
CATEGORIES: tuple[str, ...] = (
    "Caption",
    "Footnote",
    "Formula",
    "List-item",
    "Page-footer",
    "Page-header",
    "Picture",
    "Section-header",
    "Table",
    "Text",
    "Title",
)

#: Upstream's overlay colours (RGB) per category.
CATEGORY_COLOURS: dict[str, tuple[int, int, int]] = {
    "Text": (0, 128, 0),
    "Footnote": (0, 128, 0),
    "Page-header": (0, 128, 0),
    "Picture": (255, 0, 255),
    "Caption": (255, 165, 0),
    "Section-header": (0, 255, 255),
    "Formula": (128, 128, 128),
    "Table": (255, 192, 203),
    "Title": (255, 0, 0),
    "List-item": (0, 0, 255),
    "Page-footer": (128, 0, 128),
}


class PageStatus(enum.StrEnum):
    """How complete a page's result is."""

    PENDING = "pending"
    OK = "ok"
    PARTIAL = "partial"  # salvaged, truncated at max_tokens, or a loop was cut
    RECOVERED = "recovered"  # a loop was cut and the page re-read in a cheaper mode
    FAILED = "failed"


BBox = tuple[int, int, int, int]

#: Appended to a block's text that was cut short (a looping or over-long region read): the
#: editor's mark for omitted text, the same in every language and every export format.
CUT_MARK = "[…]"


@dataclass(frozen=True, slots=True)
class Block:
    """One layout element: its category, box in ORIGINAL image pixels, and text.

    ``text`` is Markdown for text-like categories, LaTeX for Formula, an HTML
    ``<table>`` for Table and ``None`` for Picture. ``facts`` flag this block alone: its
    text was cut short (and ends with ``CUT_MARK``), or its category was not one of the
    eleven.
    """

    category: str
    bbox: BBox
    text: str | None = None
    index: int = 0
    facts: tuple[Msg, ...] = ()

    @property
    def is_table(self) -> bool:
        return self.category == "Table"


@dataclass(frozen=True, slots=True)
class Page:
    """One page's result: ``width``/``height`` are original pixels, ``model_*`` model input."""

    index: int
    width: int
    height: int
    blocks: tuple[Block, ...] = ()
    status: PageStatus = PageStatus.OK
    reason: str = ""
    model_width: int = 0
    model_height: int = 0
    #: Plain text for modes without boxes (the "ocr" prompt); empty otherwise.
    text: str = ""
    #: Why it is partial, recovered or failed, as facts (``reason`` is their English words).
    facts: tuple[Msg, ...] = ()

    def __post_init__(self) -> None:
        if self.facts and not self.reason:
            object.__setattr__(self, "reason", say(self.facts))

    @property
    def tables(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.is_table)


@dataclass(frozen=True, slots=True)
class Document:
    """A whole input file's result."""

    source: str
    pages: tuple[Page, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(p.status in (PageStatus.OK, PageStatus.RECOVERED) for p in self.pages)
