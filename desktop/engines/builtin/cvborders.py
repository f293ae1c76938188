"""The borders of a binary mask, as the text detector's post-process needs them.

findContours(RETR_LIST, CHAIN_APPROX_SIMPLE) on the detector's mask feeds minAreaRect,
whose result depends only on each border's convex hull. So instead of tracing every border
pixel by pixel, components and holes are found from run lengths and each border is
returned as its hull corners.
"""

from __future__ import annotations

import itertools

import numpy as np

from desktop.engines.builtin.cvrect import hull_indices
from desktop.engines.builtin.cvruns import Runs, label_runs, row_runs


def _hull_points(cand: np.ndarray) -> np.ndarray:
    """The convex hull corners of candidate border pixels, as an (n, 1, 2) int32 contour."""
    pts = np.asarray(cand, np.int64).reshape(-1, 2)
    return pts[hull_indices(pts.astype(np.float64))].astype(np.int32).reshape(-1, 1, 2)


def _grouped(runs: Runs, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run indices grouped by component (ascending run order inside), and group bounds."""
    idx = np.flatnonzero(keep[runs.comp])
    order = idx[np.argsort(runs.comp[idx], kind="stable")]
    comps = runs.comp[order]
    bounds = np.flatnonzero(np.diff(comps)) + 1
    return order, np.concatenate([[0], bounds, [order.size]])


def find_border_hulls(mask: np.ndarray) -> list[np.ndarray]:
    """findContours(RETR_LIST, CHAIN_APPROX_SIMPLE) as the DB post-process uses it.

    Differs from OpenCV on purpose: each border is returned as its convex-hull corners only,
    not every turn of the border. minAreaRect and boxPoints give the same result from these;
    area or fill of a concave border would not.
    Borders come in OpenCV's order: by their first pixel in raster order, last first. Holes
    (4-connected background enclosed by a blob) are borders too, as in OpenCV.
    """
    fg = np.asarray(mask) != 0
    h, w = fg.shape
    found: list[tuple[int, np.ndarray]] = []

    runs = label_runs(row_runs(fg), w, diagonal=True)
    if runs.count:
        order, bounds = _grouped(runs, np.ones(runs.count, bool))
        for a, b in itertools.pairwise(bounds):
            sel = order[a:b]
            r, s, e = runs.row[sel], runs.start[sel], runs.end[sel]
            cand = np.concatenate([np.stack([s, r], 1), np.stack([e - 1, r], 1)])
            found.append((int(r[0]) * w + int(s[0]), _hull_points(cand)))

    bg = label_runs(row_runs(~fg), w, diagonal=False)
    if bg.count:
        edge = (bg.row == 0) | (bg.row == h - 1) | (bg.start == 0) | (bg.end == w)
        outside = np.zeros(bg.count, bool)
        outside[bg.comp[edge]] = True
        order, bounds = _grouped(bg, ~outside)
        for a, b in itertools.pairwise(bounds):
            if a == b:
                continue
            sel = order[a:b]
            r, s, e = bg.row[sel], bg.start[sel], bg.end[sel]
            # The hull of the blob pixels beside the hole: points just outside each run.
            cand = np.concatenate(
                [
                    np.stack([s - 1, r], 1),
                    np.stack([e, r], 1),
                    np.stack([s, r - 1], 1),
                    np.stack([e - 1, r - 1], 1),
                    np.stack([s, r + 1], 1),
                    np.stack([e - 1, r + 1], 1),
                ]
            )
            found.append((int(r[0]) * w + int(s[0]), _hull_points(cand)))
    found.sort(key=lambda kv: -kv[0])
    return [pts for _, pts in found]
