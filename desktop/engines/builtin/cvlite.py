"""The part of OpenCV's cv2 API that the built-in engine and RapidOCR use, in numpy.

OpenCV is the largest single file of the desktop bundle and this engine uses a few dozen
of its functions, so they are reimplemented here from their documented behaviour: the
pixel operations give OpenCV 5.0's pixels, the shape code (hulls, rotated rectangles,
polygon fill at image edges) works in float64 or exact integers and may differ from
OpenCV's float32 results in the last bits (tests/builtin/test_cvlite.py compares each
with the real cv2 when it is installed, and says how far they may differ).

rapid.py hands this module to RapidOCR as its ``cv2``. Only what the OCR path calls
exists: drawing and file I/O (RapidOCR's visualisation and command line) are absent, so
reaching them raises AttributeError rather than doing nothing.
"""

# The functions keep cv2's names and argument names (callers pass borderMode=, flags=...).
# ruff: noqa: N803, PLR0917

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from desktop.engines.builtin.cvborders import find_border_hulls
from desktop.engines.builtin.cvfilter import (
    ADAPTIVE_THRESH_MEAN_C,
    MORPH_CLOSE,
    MORPH_DILATE,
    MORPH_ERODE,
    MORPH_OPEN,
    MORPH_RECT,
    THRESH_BINARY,
    THRESH_BINARY_INV,
    THRESH_OTSU,
    adaptiveThreshold,
    dilate,
    erode,
    getStructuringElement,
    morphologyEx,
    threshold,
)
from desktop.engines.builtin.cvpoly import fill_poly, masked_mean
from desktop.engines.builtin.cvrect import (
    RectLike,
    RotatedRect,
    box_points,
    convex_hull,
    min_area_rect,
)
from desktop.engines.builtin.cvruns import connected_components_with_stats
from desktop.engines.builtin.cvwarp import get_perspective_transform, warp_perspective
from desktop.engines.builtin.cvwarp import invert as _invert3
from desktop.engines.builtin.cvwarp import resize as _resize

__all__ = [
    "ADAPTIVE_THRESH_MEAN_C",
    "BORDER_CONSTANT",
    "BORDER_REPLICATE",
    "CC_STAT_AREA",
    "CC_STAT_HEIGHT",
    "CC_STAT_LEFT",
    "CC_STAT_TOP",
    "CC_STAT_WIDTH",
    "CHAIN_APPROX_SIMPLE",
    "COLOR_BGR2GRAY",
    "COLOR_BGR2RGB",
    "COLOR_GRAY2BGR",
    "COLOR_GRAY2RGB",
    "COLOR_RGB2BGR",
    "COLOR_RGB2GRAY",
    "DECOMP_LU",
    "INTER_CUBIC",
    "INTER_LINEAR",
    "LINE_8",
    "MORPH_CLOSE",
    "MORPH_DILATE",
    "MORPH_ERODE",
    "MORPH_OPEN",
    "MORPH_RECT",
    "RETR_LIST",
    "ROTATE_90_CLOCKWISE",
    "ROTATE_90_COUNTERCLOCKWISE",
    "ROTATE_180",
    "THRESH_BINARY",
    "THRESH_BINARY_INV",
    "THRESH_OTSU",
    "WARP_INVERSE_MAP",
    "adaptiveThreshold",
    "add",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "boxPoints",
    "connectedComponentsWithStats",
    "convexHull",
    "copyMakeBorder",
    "cvtColor",
    "dilate",
    "erode",
    "fillPoly",
    "findContours",
    "getPerspectiveTransform",
    "getStructuringElement",
    "invert",
    "mean",
    "merge",
    "minAreaRect",
    "morphologyEx",
    "resize",
    "rotate",
    "split",
    "threshold",
    "warpPerspective",
]

__version__ = "cvlite (OpenCV 5.0 subset)"

COLOR_BGR2RGB = COLOR_RGB2BGR = 4
COLOR_BGR2GRAY = 6
COLOR_RGB2GRAY = 7
COLOR_GRAY2BGR = COLOR_GRAY2RGB = 8
CC_STAT_LEFT, CC_STAT_TOP, CC_STAT_WIDTH, CC_STAT_HEIGHT, CC_STAT_AREA = range(5)
RETR_LIST = 1
CHAIN_APPROX_SIMPLE = 2
INTER_LINEAR = 1
INTER_CUBIC = 2
BORDER_CONSTANT = 0
BORDER_REPLICATE = 1
ROTATE_90_CLOCKWISE = 0
ROTATE_180 = 1
ROTATE_90_COUNTERCLOCKWISE = 2
WARP_INVERSE_MAP = 16
DECOMP_LU = 0
LINE_8 = 8

# OpenCV's 15-bit fixed-point luma weights (R, G, B) and its rounding constant.
_GRAY_R, _GRAY_G, _GRAY_B, _GRAY_SHIFT = 9798, 19235, 3735, 15


def _u8(src: np.ndarray, what: str) -> np.ndarray:
    arr = np.asarray(src)
    if arr.dtype != np.uint8:
        raise ValueError(f"{what} supports 8-bit images only")
    return arr


# --- colour -----------------------------------------------------------------------------


def cvtColor(src: np.ndarray, code: int) -> np.ndarray:
    """BGR/RGB to grey (OpenCV's fixed point), grey to 3 channels, RGB <-> BGR."""
    img = _u8(src, "cvtColor")
    if code in (COLOR_BGR2GRAY, COLOR_RGB2GRAY):
        if img.ndim != 3 or img.shape[2] not in (3, 4):
            raise ValueError("cvtColor to grey needs a 3- or 4-channel image")
        r, b = (2, 0) if code == COLOR_BGR2GRAY else (0, 2)
        out = np.empty(img.shape[:2], np.uint8)
        for a in range(0, img.shape[0], 256):  # bands keep the 32-bit sums small
            band = img[a : a + 256]
            y = np.multiply(band[..., b], _GRAY_B, dtype=np.uint32)
            y += np.multiply(band[..., 1], _GRAY_G, dtype=np.uint32)
            y += np.multiply(band[..., r], _GRAY_R, dtype=np.uint32)
            y += np.uint32(1 << (_GRAY_SHIFT - 1))
            y >>= np.uint32(_GRAY_SHIFT)
            out[a : a + 256] = y
        return out
    if code == COLOR_GRAY2BGR:
        gray = img if img.ndim == 2 else img[..., 0]
        return np.repeat(gray[..., None], 3, axis=2)
    if code == COLOR_RGB2BGR:
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError("cvtColor RGB<->BGR needs a 3-channel image")
        return np.ascontiguousarray(img[..., ::-1])
    raise ValueError(f"cvtColor code {code} is not supported")


# --- per-pixel arithmetic and channels -----------------------------------------------------


def bitwise_or(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.bitwise_or(np.asarray(a), np.asarray(b))


def bitwise_not(a: np.ndarray) -> np.ndarray:
    return np.bitwise_not(np.asarray(a))


def bitwise_and(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    out = np.bitwise_and(np.asarray(a), np.asarray(b))
    if mask is not None:
        keep = np.asarray(mask) != 0
        out[~keep] = 0
    return out


def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Saturating add of two 8-bit images."""
    total = _u8(a, "add").astype(np.uint16) + _u8(b, "add")
    return np.minimum(total, 255).astype(np.uint8)


def split(img: np.ndarray) -> list[np.ndarray]:
    arr = np.asarray(img)
    return [np.ascontiguousarray(arr[..., i]) for i in range(arr.shape[2])]


def merge(channels: Sequence[np.ndarray]) -> np.ndarray:
    return np.ascontiguousarray(np.stack([np.asarray(c) for c in channels], axis=2))


def copyMakeBorder(
    src: np.ndarray,
    top: int,
    bottom: int,
    left: int,
    right: int,
    borderType: int,
    value: float | Sequence[float] = 0,
) -> np.ndarray:
    """BORDER_CONSTANT (with a scalar or per-channel value) or BORDER_REPLICATE."""
    img = np.asarray(src)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (img.ndim - 2)
    if borderType == BORDER_REPLICATE:
        return np.pad(img, widths, mode="edge")
    if borderType != BORDER_CONSTANT:
        raise ValueError(f"copyMakeBorder type {borderType} is not supported")
    out = np.empty(
        (img.shape[0] + top + bottom, img.shape[1] + left + right, *img.shape[2:]), img.dtype
    )
    fill = np.asarray(value, np.float64).ravel()
    if img.ndim == 3:
        fill = np.resize(np.pad(fill, (0, max(0, img.shape[2] - fill.size))), img.shape[2])
    out[...] = fill if img.ndim == 3 else fill[0]
    out[top : top + img.shape[0], left : left + img.shape[1]] = img
    return out


def rotate(src: np.ndarray, rotateCode: int) -> np.ndarray:
    img = np.asarray(src)
    turns = {ROTATE_90_CLOCKWISE: -1, ROTATE_180: 2, ROTATE_90_COUNTERCLOCKWISE: 1}
    if rotateCode not in turns:
        raise ValueError(f"rotate code {rotateCode} is not supported")
    return np.ascontiguousarray(np.rot90(img, turns[rotateCode]))


def mean(src: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, ...]:
    """Per-channel mean: exact for integer images; float images with a mask are summed in
    OpenCV's order (one channel)."""
    arr = np.asarray(src)
    if mask is not None or arr.dtype.kind == "f":
        return masked_mean(arr, mask)
    chans = arr.reshape(arr.shape[0], arr.shape[1], -1)
    n = chans.shape[0] * chans.shape[1]
    sums = chans.reshape(n, -1).astype(np.int64).sum(axis=0)
    values = [int(s) * (1.0 / n) for s in sums.tolist()]
    return tuple(values + [0.0] * (4 - len(values)))


# --- shapes and geometry (cvruns, cvborders, cvrect, cvpoly, cvwarp) ----------------


def connectedComponentsWithStats(
    image: np.ndarray, connectivity: int = 8
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    return connected_components_with_stats(image, connectivity)


def findContours(image: np.ndarray, mode: int, method: int) -> tuple[tuple[np.ndarray, ...], None]:
    """RETR_LIST + CHAIN_APPROX_SIMPLE, returning each border's hull corners (see
    cvborders.find_border_hulls); the hierarchy is not computed (None)."""
    if mode != RETR_LIST or method != CHAIN_APPROX_SIMPLE:
        raise ValueError("findContours supports RETR_LIST with CHAIN_APPROX_SIMPLE only")
    return tuple(find_border_hulls(np.asarray(image))), None


def convexHull(points: np.ndarray, clockwise: bool = False) -> np.ndarray:
    return convex_hull(points, clockwise)


def minAreaRect(points: np.ndarray) -> RotatedRect:
    return min_area_rect(points)


def boxPoints(box: RectLike) -> np.ndarray:
    return box_points(box)


def fillPoly(
    img: np.ndarray, pts: np.ndarray | list[np.ndarray], color: float | Sequence[float]
) -> np.ndarray:
    value = color[0] if isinstance(color, Sequence) else color
    return fill_poly(img, pts, value)


def resize(
    src: np.ndarray,
    dsize: tuple[int, int] | None,
    dst: None = None,
    fx: float = 0.0,
    fy: float = 0.0,
    interpolation: int = INTER_LINEAR,
) -> np.ndarray:
    return _resize(src, dsize, fx, fy, interpolation)


def warpPerspective(
    src: np.ndarray,
    M: np.ndarray,
    dsize: tuple[int, int],
    dst: None = None,
    flags: int = INTER_LINEAR,
    borderMode: int = BORDER_CONSTANT,
) -> np.ndarray:
    return warp_perspective(src, M, dsize, flags, borderMode)


def getPerspectiveTransform(
    src: np.ndarray, dst: np.ndarray, solveMethod: int = DECOMP_LU
) -> np.ndarray:
    if solveMethod != DECOMP_LU:
        raise ValueError("getPerspectiveTransform supports DECOMP_LU only")
    return get_perspective_transform(src, dst)


def invert(src: np.ndarray, dst: None = None, flags: int = DECOMP_LU) -> tuple[float, np.ndarray]:
    if flags != DECOMP_LU:
        raise ValueError("invert supports DECOMP_LU only")
    return _invert3(src)
