"""The DPI a PDF page is rendered at: the one asked for, up to what the model reads.

Upstream renders PDFs at 200 DPI unless a side would exceed 4500 px, then at 72 DPI
(silently, whatever DPI was asked). Here the DPI asked is honoured up to the pixels dots.ocr
reads (smart_resize's ``max_pixels``): more would only be shrunk away again. When it is
lowered, the page says so (``PAGE_DPI_REDUCED``).
"""

from __future__ import annotations

import math

from desktop.core.messages import Code, Msg
from desktop.core.resize import MAX_PIXELS as MODEL_MAX_PIXELS

__all__ = ["MODEL_MAX_PIXELS", "dpi_note", "pdf_render_dpi"]


def pdf_render_dpi(width_pt: float, height_pt: float, dpi: float = 200) -> float:
    """``dpi``, or the highest whole DPI at which the page fits the model's pixel limit."""
    area = max(width_pt, 1e-6) * max(height_pt, 1e-6) / (72.0 * 72.0)  # square inches
    if area * dpi * dpi <= MODEL_MAX_PIXELS:
        return dpi
    return float(max(1, math.floor(math.sqrt(MODEL_MAX_PIXELS / area))))


def dpi_note(width_pt: float, height_pt: float, asked: float, used: float) -> Msg:
    """Why the page was rendered below the DPI asked: the pixels it would have had."""
    pixels = (width_pt * asked / 72.0) * (height_pt * asked / 72.0)
    return Msg.of(
        Code.PAGE_DPI_REDUCED,
        asked=int(asked) if float(asked).is_integer() else round(asked, 1),
        used=int(used),
        megapixels=round(pixels / 1e6, 1),
        limit=round(MODEL_MAX_PIXELS / 1e6, 1),
    )
