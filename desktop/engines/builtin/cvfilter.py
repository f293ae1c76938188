"""Thresholds and rectangular morphology of the cv2 subset (8-bit images), OpenCV's way.

Otsu's threshold maximises the between-class variance, compared exactly in integers; the
adaptive threshold's window mean is rounded to 8 bits as OpenCV's box filter rounds it;
erosion and dilation ignore pixels outside the image, as OpenCV's default border does.
"""

# The functions keep cv2's names and argument names.
# ruff: noqa: N803, PLR0917

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

THRESH_BINARY = 0
THRESH_BINARY_INV = 1
THRESH_OTSU = 8
ADAPTIVE_THRESH_MEAN_C = 0
MORPH_RECT = 0
MORPH_ERODE = 0
MORPH_DILATE = 1
MORPH_OPEN = 2
MORPH_CLOSE = 3


def _u8(src: np.ndarray, what: str) -> np.ndarray:
    arr = np.asarray(src)
    if arr.dtype != np.uint8:
        raise ValueError(f"{what} supports 8-bit images only")
    return arr


# --- thresholds ---------------------------------------------------------------------------


def _otsu(img: np.ndarray) -> float:
    """Otsu's threshold: the grey level t that maximises the between-class variance of
    the pixels <= t and > t (the smallest such t; 0 for a one-level image).

    With n0 pixels summing to s0 at or below t, out of N summing to S, that variance is
    (n0 * S - N * s0)^2 / (n0 * (N - n0)) up to a constant factor; it is compared exactly
    in integers, one candidate per grey level present.
    """
    counts = np.bincount(img.ravel(), minlength=256).astype(np.int64)
    levels = np.flatnonzero(counts)
    n0 = np.cumsum(counts[levels]).tolist()
    s0 = np.cumsum(counts[levels] * levels).tolist()
    total, total_sum = n0[-1], s0[-1]
    best_num, best_den, best_t = 0, 1, 0
    for t, below, below_sum in zip(levels.tolist(), n0, s0, strict=True):
        if below == total:
            break
        num = (below * total_sum - total * below_sum) ** 2
        den = below * (total - below)
        if num * best_den > best_num * den:
            best_num, best_den, best_t = num, den, t
    return float(best_t)


def threshold(src: np.ndarray, thresh: float, maxval: float, type: int) -> tuple[float, np.ndarray]:
    """THRESH_BINARY / THRESH_BINARY_INV on 8-bit images, optionally with THRESH_OTSU."""
    img = _u8(src, "threshold")
    kind = type & 7
    if kind not in (THRESH_BINARY, THRESH_BINARY_INV) or type & ~(7 | THRESH_OTSU):
        raise ValueError(f"threshold type {type} is not supported")
    if type & THRESH_OTSU:
        thresh = _otsu(img)
    level = int(np.floor(thresh))
    top = np.uint8(min(255, max(0, round(maxval))))
    above = img > level
    out = np.where(above, top, np.uint8(0)) if kind == THRESH_BINARY else np.where(above, 0, top)
    return float(thresh), out.astype(np.uint8)


def _window_sums(a: np.ndarray, size: int) -> np.ndarray:
    """Sums of each ``size``-long window along the rows (axis 1, the fast one for numpy)."""
    run = np.cumsum(a, axis=1, dtype=np.int32)
    out = run[:, size - 1 :].copy()
    out[:, 1:] -= run[:, :-size]
    return out


def _box_mean(padded: np.ndarray, size: int) -> np.ndarray:
    """Mean of each size x size window of an edge-padded band, rounded to 8 bits like
    OpenCV's normalised box filter; exact integer sums, summed along rows twice with a
    transpose between (cumulative sums down columns are several times slower)."""
    vertical = _window_sums(np.ascontiguousarray(padded.T), size)
    box = _window_sums(np.ascontiguousarray(vertical.T), size)
    area = size * size
    # round(sum / area): area is odd, so there is never a tie to break.
    box += area // 2
    box //= area
    return box


def adaptiveThreshold(
    src: np.ndarray,
    maxValue: float,
    adaptiveMethod: int,
    thresholdType: int,
    blockSize: int,
    C: float,
) -> np.ndarray:
    """ADAPTIVE_THRESH_MEAN_C with THRESH_BINARY or THRESH_BINARY_INV on a grey image."""
    img = _u8(src, "adaptiveThreshold")
    if adaptiveMethod != ADAPTIVE_THRESH_MEAN_C or img.ndim != 2:
        raise ValueError("adaptiveThreshold supports ADAPTIVE_THRESH_MEAN_C on grey images")
    if blockSize % 2 != 1 or blockSize < 3:
        raise ValueError("adaptiveThreshold needs an odd blockSize of 3 or more")
    if thresholdType not in (THRESH_BINARY, THRESH_BINARY_INV):
        raise ValueError(f"adaptiveThreshold type {thresholdType} is not supported")
    out = np.zeros_like(img)
    if maxValue < 0:
        return out
    top = np.uint8(min(255, max(0, round(maxValue))))
    padded = np.pad(img, blockSize // 2, mode="edge")
    # Bands of rows keep the int32 sums small (a whole page would need ~150 MiB).
    for a in range(0, img.shape[0], 256):
        b = min(img.shape[0], a + 256)
        diff = img[a:b].astype(np.int32) - _box_mean(padded[a : b + blockSize - 1], blockSize)
        if thresholdType == THRESH_BINARY:
            out[a:b][diff > -int(np.ceil(C))] = top
        else:
            out[a:b][diff <= -int(np.floor(C))] = top
    return out


# --- morphology ---------------------------------------------------------------------------


def getStructuringElement(shape: int, ksize: Sequence[int]) -> np.ndarray:
    """MORPH_RECT only: a block of ones, ksize = (width, height)."""
    if shape != MORPH_RECT:
        raise ValueError("getStructuringElement supports MORPH_RECT only")
    return np.ones((int(ksize[1]), int(ksize[0])), np.uint8)


def _slide(a: np.ndarray, k: int, anchor: int, axis: int, grow: bool) -> np.ndarray:
    """Max (grow) or min of each k-long window along ``axis``, starting ``anchor`` before
    each pixel; pixels outside the image are ignored, as OpenCV's default border does."""
    if k == 1:
        return a
    op = np.maximum if grow else np.minimum
    neutral = np.iinfo(a.dtype).min if grow else np.iinfo(a.dtype).max
    n = a.shape[axis]
    pad = [(0, 0)] * a.ndim
    pad[axis] = (anchor, k - 1 - anchor)
    cur = np.pad(a, pad, constant_values=neutral)

    def cut(arr: np.ndarray, start: int, stop: int) -> np.ndarray:
        index = [slice(None)] * arr.ndim
        index[axis] = slice(start, stop)
        return arr[tuple(index)]

    span = 1
    while span * 2 <= k:  # cur[i] = op over the span values starting at i
        size = cur.shape[axis]
        cur = op(cut(cur, 0, size - span), cut(cur, span, size))
        span *= 2
    rest = k - span
    head = cut(cur, 0, n)
    return op(head, cut(cur, rest, rest + n)) if rest else head


def _morph(
    src: np.ndarray, kernel: np.ndarray, anchor: Sequence[int], iterations: int, grow: bool
) -> np.ndarray:
    img = _u8(src, "erode/dilate")
    kern = np.asarray(kernel)
    if kern.ndim != 2 or not kern.all():
        raise ValueError("erode/dilate support rectangular kernels (all ones) only")
    kh, kw = kern.shape
    ax = kw // 2 if anchor[0] < 0 else int(anchor[0])
    ay = kh // 2 if anchor[1] < 0 else int(anchor[1])
    out = img
    for _ in range(max(1, iterations)):
        out = _slide(_slide(out, kw, ax, 1, grow), kh, ay, 0, grow)
    return np.ascontiguousarray(out)


def erode(
    src: np.ndarray, kernel: np.ndarray, anchor: Sequence[int] = (-1, -1), iterations: int = 1
) -> np.ndarray:
    return _morph(src, kernel, anchor, iterations, grow=False)


def dilate(
    src: np.ndarray, kernel: np.ndarray, anchor: Sequence[int] = (-1, -1), iterations: int = 1
) -> np.ndarray:
    return _morph(src, kernel, anchor, iterations, grow=True)


def morphologyEx(
    src: np.ndarray,
    op: int,
    kernel: np.ndarray,
    anchor: Sequence[int] = (-1, -1),
    iterations: int = 1,
) -> np.ndarray:
    """MORPH_ERODE, MORPH_DILATE, MORPH_OPEN and MORPH_CLOSE with a rectangular kernel."""
    steps = {
        MORPH_ERODE: (False,),
        MORPH_DILATE: (True,),
        MORPH_OPEN: (False, True),
        MORPH_CLOSE: (True, False),
    }
    if op not in steps:
        raise ValueError(f"morphologyEx op {op} is not supported")
    out = np.asarray(src)
    for grow in steps[op]:
        out = _morph(out, kernel, anchor, iterations, grow)
    return out
