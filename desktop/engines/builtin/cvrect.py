"""Convex hulls and minimum-area rectangles for the cv2 subset (float64 inside).

The hull is Andrew's monotone chain. The smallest enclosing rectangle of a convex polygon
has a side on one of the polygon's edges, so every edge direction is tried at once with
numpy and the first smallest area wins. Rectangles use cv2's RotatedRect form,
((cx, cy), (w, h), angle), with angle in [-90, 0) as OpenCV 5 reports it; RapidOCR only
reads the corners (boxPoints) and the shorter side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

RotatedRect = tuple[tuple[float, float], tuple[float, float], float]
#: What boxPoints accepts: ((cx, cy), (w, h), angle), as minAreaRect returns it.
RectLike = tuple[Sequence[float], Sequence[float], float]


def _cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def hull_indices(flat: np.ndarray) -> list[int]:
    """Indices of the strict convex hull's corners (no collinear points), starting at the
    smallest (x, y), counter-clockwise with the y axis pointing up (positive shoelace area)."""
    n = flat.shape[0]
    if n == 0:
        return []
    order = np.lexsort((np.arange(n), flat[:, 1], flat[:, 0])).tolist()
    coords = [(float(x), float(y)) for x, y in flat.tolist()]
    unique = [order[0]]
    for i in order[1:]:
        if coords[i] != coords[unique[-1]]:
            unique.append(i)
    if len(unique) < 3:
        return unique

    def chain(seq: list[int]) -> list[int]:
        out: list[int] = []
        for i in seq:
            while len(out) >= 2 and _cross(coords[out[-2]], coords[out[-1]], coords[i]) <= 0:
                out.pop()
            out.append(i)
        return out

    lower, upper = chain(unique), chain(unique[::-1])
    return lower[:-1] + upper[:-1]


def convex_hull(points: np.ndarray, clockwise: bool = False) -> np.ndarray:
    """cv2.convexHull(points, clockwise, returnPoints=True): the hull corners, shaped
    (n, 1, 2), in the input's dtype (int32 or float32). The orientation is meant with the
    y axis pointing up, as OpenCV documents it; the first corner is the smallest (x, y)."""
    arr = np.asarray(points)
    is_float = arr.dtype.kind == "f"
    flat = arr.reshape(-1, 2)
    idx = hull_indices(flat.astype(np.float64))
    if clockwise and len(idx) > 2:
        idx = idx[:1] + idx[:0:-1]
    return flat[idx].reshape(-1, 1, 2).astype(np.float32 if is_float else np.int32)


def _upright(ux: float, uy: float) -> tuple[float, float, bool]:
    """Of the four directions +-u and +-u turned by 90 degrees, the one at an angle in
    [-90, 0) degrees: (dx, dy, whether it is along u). Exactly one qualifies, since the
    four are a quarter turn apart and are formed without rounding (swaps and negations)."""
    for dx, dy, along in ((ux, uy, True), (-uy, ux, False), (-ux, -uy, True), (uy, -ux, False)):
        if dx >= 0 and dy < 0:
            return dx, dy, along
    return 0.0, -1.0, True  # u == (0, 0): a single point


def min_area_rect(points: np.ndarray) -> RotatedRect:
    """cv2.minAreaRect: ((cx, cy), (w, h), angle), angle in [-90, 0) degrees, w measured
    along the angle's direction and h across it."""
    flat = np.asarray(points).reshape(-1, 2).astype(np.float64)
    hull = flat[hull_indices(flat)]
    if hull.shape[0] == 0:
        return (0.0, 0.0), (0.0, 0.0), -90.0
    if hull.shape[0] == 1:
        return (float(hull[0, 0]), float(hull[0, 1])), (0.0, 0.0), -90.0
    edges = np.roll(hull, -1, axis=0) - hull
    if hull.shape[0] == 2:
        edges = edges[:1]
    dirs = edges / np.hypot(edges[:, 0], edges[:, 1])[:, None]
    normals = np.stack([-dirs[:, 1], dirs[:, 0]], axis=1)
    along = hull @ dirs.T  # (corner, edge): each corner projected on each edge direction
    across = hull @ normals.T
    lengths = along.max(axis=0) - along.min(axis=0)
    widths = across.max(axis=0) - across.min(axis=0)
    areas = lengths * widths
    # Several edges can give the same area (any acute triangle does): take the first one
    # within rounding of the smallest, so the choice does not hang on the last bit.
    k = int(np.argmax(areas <= areas.min() * (1 + 1e-12)))
    u, v = dirs[k], normals[k]
    mid_u = (along[:, k].max() + along[:, k].min()) / 2
    mid_v = (across[:, k].max() + across[:, k].min()) / 2
    centre = u * mid_u + v * mid_v
    dx, dy, is_u = _upright(float(u[0]), float(u[1]))
    w, h = (lengths[k], widths[k]) if is_u else (widths[k], lengths[k])
    angle = math.degrees(math.atan2(dy, dx))
    return (float(centre[0]), float(centre[1])), (float(w), float(h)), angle


# Exact cosine and sine for the angles that upright boxes use.
_QUARTER_TURNS = {0: (1.0, 0.0), 90: (0.0, 1.0), 180: (-1.0, 0.0), 270: (0.0, -1.0)}


def box_points(box: RectLike) -> np.ndarray:
    """cv2.boxPoints: the 4 corners (float32) in RotatedRect::points order (bottom-left,
    top-left, top-right, bottom-right for an unrotated box in y-up terms): the centre
    minus/plus half the width along (cos a, sin a) and half the height along (-sin a, cos a)."""
    (cx, cy), (bw, bh), angle = box
    turn = float(angle) % 360.0
    if turn.is_integer() and int(turn) in _QUARTER_TURNS:
        c, s = _QUARTER_TURNS[int(turn)]
    else:
        rad = math.radians(float(angle))
        c, s = math.cos(rad), math.sin(rad)
    centre = np.array([float(cx), float(cy)])
    half_w = np.array([c, s]) * (float(bw) / 2)
    half_h = np.array([-s, c]) * (float(bh) / 2)
    corners = [
        centre - half_w + half_h,
        centre - half_w - half_h,
        centre + half_w - half_h,
        centre + half_w + half_h,
    ]
    return np.array(corners, np.float64).astype(np.float32)
