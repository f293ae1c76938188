"""A page ready for OCR: the decoded RGB image plus, where useful, the untouched source bytes."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from desktop.core.messages import Msg


@dataclass(frozen=True, slots=True)
class PageImage:
    """One page of an input file.

    ``image`` is RGB, EXIF orientation applied, transparency composited on white.
    ``source_bytes``/``source_format`` hold the original encoded file when the page IS
    that file unchanged (a single-frame PNG/JPEG/WebP), so it can be sent without
    re-encoding; ``None`` for rendered PDF pages and converted images.
    ``dpi`` is the render resolution for PDF pages (points -> pixels), else 0.
    ``notes`` are facts about how the page was made that its result must carry (a DPI
    lowered to what the model reads).
    """

    source: str
    index: int
    image: Image.Image
    source_bytes: bytes | None = None
    source_format: str | None = None
    dpi: float = 0.0
    page_count: int = 1
    notes: tuple[Msg, ...] = ()

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height
