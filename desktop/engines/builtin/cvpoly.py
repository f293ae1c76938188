"""Polygon filling and masked means for the cv2 subset (the DB detector's box score).

The detector scores a box by the mean of its probability map inside the polygon, so which
pixels the fill covers decides whether a faint line is kept. A filled polygon here is its
outline, each edge drawn as an 8-connected line, plus the pixels whose centres lie between
a left and a right edge crossing on their row (even-odd rule, exact integer arithmetic).
Lines are drawn whole and then cut to the image, so an edge that leaves the image may differ
by a pixel from OpenCV there (tests/builtin/test_cvlite.py measures it).
"""

from __future__ import annotations

import numpy as np


def line_pixels(w: int, h: int, a: tuple[int, int], b: tuple[int, int]) -> np.ndarray:
    """(y, x) of the in-image pixels of the 8-connected line from a to b (both included):
    one pixel per step along the longer axis, the other coordinate rounded to nearest
    (halves towards the start when drawn left to right)."""
    (x0, y0), (x1, y1) = a, b
    if x1 < x0:  # always drawn left to right
        x0, y0, x1, y1 = x1, y1, x0, y0
    dx, dy = x1 - x0, y1 - y0
    step_y = -1 if dy < 0 else 1
    major, minor = max(dx, abs(dy)), min(dx, abs(dy))
    k = np.arange(major + 1, dtype=np.int64)
    # round(k * minor / major) with halves rounded down, in integers.
    m = (2 * minor * k + major - 1) // (2 * major) if major else k
    if abs(dy) > dx:
        ys, xs = y0 + step_y * k, x0 + m
    else:
        ys, xs = y0 + step_y * m, x0 + k
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    return np.stack([ys[inside], xs[inside]], axis=1)


def _crossings(
    edges: list[tuple[int, int, int, int]], h: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each non-horizontal edge's crossing with every image row it spans: (row, numerator,
    denominator) of the crossing's x. An edge counts for rows from its upper end up to,
    not including, its lower end, so a vertex between two edges is counted once."""
    rows, nums, dens = [], [], []
    for edge in edges:
        if edge[1] == edge[3]:
            continue
        xa, ya, xb, yb = edge if edge[1] < edge[3] else (edge[2], edge[3], edge[0], edge[1])
        r = np.arange(max(ya, 0), min(yb, h), dtype=np.int64)
        rows.append(r)
        nums.append(xa * (yb - ya) + (r - ya) * (xb - xa))
        dens.append(np.full(r.size, yb - ya, np.int64))
    if not rows:
        empty = np.empty(0, np.int64)
        return empty, empty, empty
    return np.concatenate(rows), np.concatenate(nums), np.concatenate(dens)


def fill_poly(img: np.ndarray, polygons: np.ndarray | list[np.ndarray], color: float) -> np.ndarray:
    """cv2.fillPoly(img, pts, color) with 8-connected outlines (lineType 8, shift 0);
    fills in place and returns img."""
    if isinstance(polygons, np.ndarray):
        polys = [polygons] if polygons.ndim == 2 else list(polygons)
    else:
        polys = list(polygons)
    h, w = img.shape[:2]
    edges: list[tuple[int, int, int, int]] = []
    for poly in polys:
        pts = np.asarray(poly, np.int64).reshape(-1, 2).tolist()
        for i in range(len(pts)):
            (ax, ay), (bx, by) = pts[i - 1], pts[i]
            edges.append((ax, ay, bx, by))
            px = line_pixels(w, h, (ax, ay), (bx, by))
            if px.size:
                img[px[:, 0], px[:, 1]] = color
    row, num, den = _crossings(edges, h)
    if row.size < 2:
        return img
    order = np.lexsort((num / den, row))
    row, num, den = row[order], num[order], den[order]
    # Every row crosses an even number of edges: pair them up left to right and fill the
    # pixel centres from ceil(left) to floor(right).
    r = row[0::2]
    left = -(-num[0::2] // den[0::2])
    right = num[1::2] // den[1::2]
    left, right = np.maximum(left, 0), np.minimum(right, w - 1)
    keep = left <= right
    if keep.any():
        r, left, right = r[keep], left[keep], right[keep]
        span = np.zeros((h, w + 1), np.int32)
        np.add.at(span, (r, left), 1)
        np.add.at(span, (r, right + 1), -1)
        img[np.cumsum(span[:, :w], axis=1) > 0] = color
    return img


def masked_mean(src: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, ...]:
    """cv2.mean(src, mask) for one channel: values summed in raster order in double, then
    times 1/count, as OpenCV's scalar loop does (numpy's pairwise sum rounds differently)."""
    values = np.asarray(src, np.float64)
    if values.ndim == 3 and values.shape[2] > 1:
        raise ValueError("mean with this helper takes one channel")
    values = values.reshape(values.shape[:2])
    picked = values[np.asarray(mask) != 0] if mask is not None else values.ravel()
    if picked.size == 0:
        return (0.0, 0.0, 0.0, 0.0)
    total = float(np.cumsum(picked)[-1])
    return (total * (1.0 / picked.size), 0.0, 0.0, 0.0)
