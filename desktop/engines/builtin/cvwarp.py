"""Geometric image transforms of the cv2 subset: resize, perspective warp and its matrix.

resize reproduces OpenCV's 8-bit bilinear exactly: half-pixel centres, 11-bit fixed-point
weights, and its rounding of the vertical pass. warpPerspective follows OpenCV 5.0's bicubic
kernel (float32 coordinates and weights, fused multiply-adds as its AVX2 build does them);
a CPU without FMA makes OpenCV itself differ by one grey level here and there.
"""

from __future__ import annotations

import functools
import struct

import numpy as np

INTER_LINEAR = 1
INTER_CUBIC = 2
INTER_AREA = 3
WARP_INVERSE_MAP = 16
BORDER_REPLICATE = 1
_COEF_SCALE = 2048  # OpenCV's INTER_RESIZE_COEF_SCALE for 8-bit images
_FLOAT = struct.Struct("f")


@functools.lru_cache(maxsize=1024)
def _taps(dst_len: int, src_len: int, scale: float, edge_weights: bool) -> tuple[np.ndarray, ...]:
    """Per output position: the two source indices (clamped to the image) and OpenCV's
    11-bit weights. Columns past an edge take the edge pixel alone (``edge_weights``);
    rows keep their weights and read the edge row twice, as OpenCV does. Cached: the
    recogniser resizes many crops of the same size."""
    pos = ((np.arange(dst_len, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    idx = np.floor(pos).astype(np.int64)
    frac = pos - idx.astype(np.float32)
    if edge_weights:
        frac[(idx < 0) | (idx >= src_len - 1)] = 0
    w0 = np.rint((np.float32(1.0) - frac) * np.float32(_COEF_SCALE)).astype(np.int32)
    w1 = np.rint(frac * np.float32(_COEF_SCALE)).astype(np.int32)
    first = np.minimum(np.maximum(idx, 0), src_len - 1)
    second = np.minimum(np.maximum(idx + 1, 0), src_len - 1)
    if edge_weights:
        second = np.minimum(first + 1, src_len - 1)
    out = (first, second, w0, w1)
    for arr in out:
        arr.setflags(write=False)
    return out


def resize(
    src: np.ndarray,
    dsize: tuple[int, int] | None,
    fx: float = 0.0,
    fy: float = 0.0,
    interpolation: int = INTER_LINEAR,
) -> np.ndarray:
    """cv2.resize for 8-bit images with INTER_LINEAR (the only mode RapidOCR uses)."""
    src = np.asarray(src)
    if src.dtype != np.uint8 or interpolation != INTER_LINEAR:
        raise ValueError("resize supports 8-bit images with INTER_LINEAR only")
    sh, sw = src.shape[:2]
    if dsize and dsize[0] > 0 and dsize[1] > 0:
        dw, dh = int(dsize[0]), int(dsize[1])
        inv_x, inv_y = dw / sw, dh / sh
    else:
        dw, dh = int(np.rint(sw * fx)), int(np.rint(sh * fy))
        inv_x, inv_y = fx, fy
    if dw <= 0 or dh <= 0:
        raise ValueError("resize: the output size must be positive")
    if (dw, dh) == (sw, sh):
        return src.copy()
    scale_x, scale_y = 1.0 / inv_x, 1.0 / inv_y
    if scale_x == 2.0 and scale_y == 2.0:
        # OpenCV switches an exact halving to its "area" average of each 2x2 block.
        s = src.astype(np.uint16)
        total = s[0::2, 0::2] + s[0::2, 1::2] + s[1::2, 0::2] + s[1::2, 1::2]
        return ((total + 2) >> 2).astype(np.uint8)[:dh, :dw]

    xi, xj, ax0, ax1 = _taps(dw, sw, scale_x, True)
    rows0, rows1, by0, by1 = _taps(dh, sh, scale_y, False)
    extra = (1,) * (src.ndim - 2)
    ax0, ax1 = ax0.reshape(1, -1, *extra), ax1.reshape(1, -1, *extra)
    by0, by1 = by0.reshape(-1, 1, *extra), by1.reshape(-1, 1, *extra)
    out = np.empty((dh, dw, *src.shape[2:]), np.uint8)
    # Row bands keep the int32 intermediates in cache; rows only ever move down.
    for a in range(0, dh, 64):
        b = min(dh, a + 64)
        lo, hi = int(rows0[a]), int(rows1[b - 1]) + 1
        band = src[lo:hi]
        horiz = np.take(band, xi, axis=1).astype(np.int32)
        horiz *= ax0
        right = np.take(band, xj, axis=1).astype(np.int32)
        right *= ax1
        horiz += right
        horiz >>= 4  # OpenCV's vertical pass works on the horizontal sums / 16
        top = horiz[rows0[a:b] - lo] * by0[a:b]
        top >>= 16
        bottom = horiz[rows1[a:b] - lo] * by1[a:b]
        bottom >>= 16
        top += bottom
        top += 2
        top >>= 2
        out[a:b] = np.clip(top, 0, 255)
    return out


# --- perspective -------------------------------------------------------------------------


def _f32(x: float) -> float:
    return float(_FLOAT.unpack(_FLOAT.pack(x))[0])


def get_perspective_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """cv2.getPerspectiveTransform(src, dst) for 4 float32 point pairs: the 8 unknowns of
    the homography (its last entry is 1) from the 8 linear equations the pairs give."""
    if np.asarray(src).dtype != np.float32 or np.asarray(dst).dtype != np.float32:
        raise TypeError("getPerspectiveTransform takes float32 points, as OpenCV does")
    s = np.asarray(src, np.float32).reshape(4, 2).tolist()
    d = np.asarray(dst, np.float32).reshape(4, 2).tolist()
    a = [[0.0] * 8 for _ in range(8)]
    rhs = [0.0] * 8
    for i, ((sx, sy), (dx, dy)) in enumerate(zip(s, d, strict=True)):
        a[i][0:3] = [sx, sy, 1.0]
        a[i + 4][3:6] = [sx, sy, 1.0]
        # These products are rounded to float32, as OpenCV's are (it keeps the matrix
        # within a few ulps of OpenCV's, hence the same line crops).
        a[i][6:8] = [-_f32(sx * dx), -_f32(sy * dx)]
        a[i + 4][6:8] = [-_f32(sx * dy), -_f32(sy * dy)]
        rhs[i], rhs[i + 4] = dx, dy
    matrix, rhs_arr = np.array(a, np.float64), np.array(rhs, np.float64)
    # Four points with three on a line (or repeated) leave no unique projective map.
    cond = np.linalg.cond(matrix)
    if not np.isfinite(cond) or cond > 1e13:
        raise ValueError("getPerspectiveTransform: the four points are degenerate")
    x = np.linalg.solve(matrix, rhs_arr).tolist()
    return np.array([*x, 1.0], np.float64).reshape(3, 3)


def invert(src: np.ndarray) -> tuple[float, np.ndarray]:
    """cv2.invert(m) for a 3x3 double matrix (OpenCV's closed form for DECOMP_LU, n <= 3)."""
    m = np.asarray(src, np.float64)
    if m.shape != (3, 3):
        raise ValueError("invert supports 3x3 matrices only")
    (a, b, c), (d, e, f), (g, h, k) = m.tolist()
    det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g)
    if det == 0.0:
        return 0.0, np.zeros((3, 3), np.float64)
    r = 1.0 / det
    out = [
        [(e * k - f * h) * r, (c * h - b * k) * r, (b * f - c * e) * r],
        [(f * g - d * k) * r, (a * k - c * g) * r, (c * d - a * f) * r],
        [(d * h - e * g) * r, (b * g - a * h) * r, (a * e - b * d) * r],
    ]
    return 1.0, np.array(out, np.float64)


def _cubic_weights(t: np.ndarray) -> np.ndarray:
    """OpenCV 5.0's SIMD bicubic weights (A = -0.75) for fractional offsets t (float32),
    stacked as (4, ...) and widened to float64 (exactly) for the sums that follow."""
    f32 = np.float32
    a = f32(-0.75)
    t2 = t * t
    u = f32(1.0) - t
    w0 = a * (t * (u * u))
    w3 = a * (t2 * u)
    inner = (t.astype(np.float64) * float(a + f32(2.0)) - float(a + f32(3.0))).astype(f32)
    w1 = (t2.astype(np.float64) * inner + 1.0).astype(f32)
    w2 = ((f32(1.0) - w0) - w1) - w3
    return np.stack([w0, w1, w2, w3]).astype(np.float64)


def warp_perspective(
    src: np.ndarray,
    matrix: np.ndarray,
    dsize: tuple[int, int],
    flags: int = INTER_CUBIC,
    border_mode: int = BORDER_REPLICATE,
) -> np.ndarray:
    """cv2.warpPerspective for 8-bit images, INTER_CUBIC and BORDER_REPLICATE (RapidOCR's
    line crops)."""
    src = np.asarray(src)
    if src.dtype != np.uint8 or flags & 7 != INTER_CUBIC or border_mode != BORDER_REPLICATE:
        raise ValueError("warpPerspective supports 8-bit INTER_CUBIC with BORDER_REPLICATE only")
    m = np.asarray(matrix, np.float64)
    if not flags & WARP_INVERSE_MAP:
        m = invert(m)[1]
    mf = m.astype(np.float32)
    dw, dh = int(dsize[0]), int(dsize[1])
    sh, sw = src.shape[:2]
    f32 = np.float32
    # Source position of each output pixel: float32 per row, then double per pixel.
    ys = np.arange(dh, dtype=np.float32)[:, None]
    row_x = (ys * mf[0, 1] + mf[0, 2]).astype(np.float64)
    row_y = (ys * mf[1, 1] + mf[1, 2]).astype(np.float64)
    row_z = (ys * mf[2, 1] + mf[2, 2]).astype(np.float64)
    xs = np.arange(dw, dtype=np.float64)
    inv_z = 1.0 / (row_z + float(mf[2, 0]) * xs)
    sx = ((row_x + float(mf[0, 0]) * xs) * inv_z).astype(np.float32)
    sy = ((row_y + float(mf[1, 0]) * xs) * inv_z).astype(np.float32)
    big_w, big_h = max(sw, 16), max(sh, 16)
    sx = np.minimum(np.maximum(sx, f32(-big_w)), f32(big_w * 2))
    sy = np.minimum(np.maximum(sy, f32(-big_h)), f32(big_h * 2))
    if (sx == sx[:1]).all() and (sy == sy[:, :1]).all():
        return _warp_separable(src, sx[0], sy[:, 0])
    ix, iy = np.floor(sx), np.floor(sy)
    both = _cubic_weights(np.stack([sx - ix, sy - iy]))
    wx, wy = both[:, 0], both[:, 1]
    # The 4x4 neighbourhoods (edges replicated), taken from a small window of the page.
    taps = np.arange(-1, 3)[:, None, None]
    ry = np.minimum(np.maximum(iy.astype(np.int64) + taps, 0), sh - 1)
    rx = np.minimum(np.maximum(ix.astype(np.int64) + taps, 0), sw - 1)
    top, left = int(ry.min()), int(rx.min())
    img = src.reshape(sh, sw, -1)
    window = img[top : int(ry.max()) + 1, left : int(rx.max()) + 1]
    flat = np.moveaxis(window, 2, 0).astype(np.float64).reshape(img.shape[2], -1)
    index = (rx - left)[:, None] + (ry - top)[None, :] * window.shape[1]
    near = np.take(flat, index, axis=1)  # channel, column, row, y, x
    # OpenCV's order of fused multiply-adds: along each row, then down the rows.
    line = (near[:, 0] * wx[0]).astype(f32)
    for c in range(1, 4):
        line = (near[:, c] * wx[c] + line).astype(f32)
    acc = (line[:, 0] * wy[0]).astype(f32)
    for r in range(1, 4):
        acc = (line[:, r] * wy[r] + acc).astype(f32)
    acc = np.moveaxis(acc, 0, 2)
    out = np.clip(np.rint(acc), 0, 255).astype(np.uint8)
    return out.reshape((dh, dw, *src.shape[2:]))


def _warp_separable(src: np.ndarray, sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """The bicubic warp when each output column reads one source x and each row one
    source y (upright boxes, most text lines): each source row's horizontal sums are
    shared by the output rows that need it. Same operations on the same values as the
    general case, so the same result, for a quarter of the work."""
    f32 = np.float32
    sh, sw = src.shape[:2]
    ix, iy = np.floor(sx), np.floor(sy)
    wx = _cubic_weights(sx - ix)  # (4, columns)
    wy = _cubic_weights(sy - iy)  # (4, rows)
    taps = np.arange(-1, 3)[:, None]
    cols = np.minimum(np.maximum(ix.astype(np.int64) + taps, 0), sw - 1)
    rows = np.minimum(np.maximum(iy.astype(np.int64) + taps, 0), sh - 1)
    used, where = np.unique(rows, return_inverse=True)
    img = src.reshape(sh, sw, -1)[used].astype(np.float64)  # (source rows, x, channels)
    line = (img[:, cols[0]] * wx[0][:, None]).astype(f32)
    for c in range(1, 4):
        line = (img[:, cols[c]] * wx[c][:, None] + line).astype(f32)
    where = where.reshape(rows.shape)
    acc = (line[where[0]] * wy[0][:, None, None]).astype(f32)
    for r in range(1, 4):
        acc = (line[where[r]] * wy[r][:, None, None] + acc).astype(f32)
    out = np.clip(np.rint(acc), 0, 255).astype(np.uint8)
    return out.reshape((sy.size, sx.size, *src.shape[2:]))
