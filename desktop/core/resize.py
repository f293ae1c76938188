"""dots.ocr's smart_resize and the box mapping between model, original and PDF coordinates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.document import BBox
from desktop.core.errors import InputError
from desktop.core.messages import Code, Msg

#: dots.ocr's image constants: one visual token per 28x28 pixels.
FACTOR = 28
MIN_PIXELS = 3136
MAX_PIXELS = 11_289_600
MAX_ASPECT_RATIO = 200


class ExtremeAspectRatio(InputError):
    """The page is far too long and thin for the model (aspect ratio above 200)."""


def _round_by(value: float, factor: int) -> int:
    return round(value / factor) * factor


def _floor_by(value: float, factor: int) -> int:
    return math.floor(value / factor) * factor


def _ceil_by(value: float, factor: int) -> int:
    return math.ceil(value / factor) * factor


def smart_resize(
    height: int,
    width: int,
    factor: int = FACTOR,
    min_pixels: int = MIN_PIXELS,
    max_pixels: int = MAX_PIXELS,
) -> tuple[int, int]:
    """Return the (height, width) dots.ocr feeds the model for an image of this size.

    Same arithmetic as upstream (Python's round-half-to-even included), so a client
    that sends this size makes the server's own resize the identity.
    """
    if height <= 0 or width <= 0:
        raise InputError(Msg.of(Code.PAGE_NO_PIXELS, width=width, height=height))
    if max(height, width) / min(height, width) > MAX_ASPECT_RATIO:
        raise ExtremeAspectRatio(
            Msg.of(Code.ASPECT_TOO_EXTREME, width=width, height=height, limit=MAX_ASPECT_RATIO),
            fix=Msg(Code.FIX_CROP_PIECES),
        )
    h_bar = max(factor, _round_by(height, factor))
    w_bar = max(factor, _round_by(width, factor))
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, _floor_by(height / beta, factor))
        w_bar = max(factor, _floor_by(width / beta, factor))
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = _ceil_by(height * beta, factor)
        w_bar = _ceil_by(width * beta, factor)
        if h_bar * w_bar > max_pixels:
            beta = math.sqrt((h_bar * w_bar) / max_pixels)
            h_bar = max(factor, _floor_by(h_bar / beta, factor))
            w_bar = max(factor, _floor_by(w_bar / beta, factor))
    return h_bar, w_bar


def _clip(value: float, upper: int) -> int:
    return min(max(round(value), 0), upper)


@dataclass(frozen=True, slots=True)
class BoxMapping:
    """Scale between the original page (``orig_*``) and the image the model saw (``model_*``)."""

    orig_w: int
    orig_h: int
    model_w: int
    model_h: int

    @classmethod
    def identity(cls, width: int, height: int) -> BoxMapping:
        return cls(width, height, width, height)

    @property
    def scale_x(self) -> float:
        """model pixels per original pixel, horizontally."""
        return self.model_w / self.orig_w

    @property
    def scale_y(self) -> float:
        return self.model_h / self.orig_h

    def to_original(self, bbox: Sequence[float]) -> BBox:
        """Model-pixel box -> original-pixel box (rounded, clipped to the page)."""
        x1, y1, x2, y2 = bbox
        return (
            _clip(x1 / self.scale_x, self.orig_w),
            _clip(y1 / self.scale_y, self.orig_h),
            _clip(x2 / self.scale_x, self.orig_w),
            _clip(y2 / self.scale_y, self.orig_h),
        )

    def to_model(self, bbox: Sequence[float]) -> BBox:
        """Original-pixel box -> model-pixel box (rounded, clipped to the model image)."""
        x1, y1, x2, y2 = bbox
        return (
            _clip(x1 * self.scale_x, self.model_w),
            _clip(y1 * self.scale_y, self.model_h),
            _clip(x2 * self.scale_x, self.model_w),
            _clip(y2 * self.scale_y, self.model_h),
        )


def pdf_points_to_pixels(bbox: Sequence[float], dpi: float) -> BBox:
    """A box in PDF points (top-left origin, as rendered) -> pixels of a render at ``dpi``."""
    scale = dpi / 72.0
    x1, y1, x2, y2 = bbox
    return (round(x1 * scale), round(y1 * scale), round(x2 * scale), round(y2 * scale))


def pixels_to_pdf_points(bbox: Sequence[float], dpi: float) -> tuple[float, float, float, float]:
    """A box in pixels of a render at ``dpi`` -> PDF points (top-left origin).

    PDF user space has its origin bottom-left: use ``y_pt = page_height_pt - y`` there.
    """
    scale = 72.0 / dpi
    x1, y1, x2, y2 = bbox
    return (x1 * scale, y1 * scale, x2 * scale, y2 * scale)
