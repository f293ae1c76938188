"""Run-length connected components of a binary image, vectorised with numpy.

A page mask has far fewer horizontal runs than pixels, so runs are linked row to row and
merged with a vectorised union-find (hook each root under the smaller one, then jump
pointers until every run points at its root). connected_components_with_stats numbers and
measures components exactly as OpenCV's connectedComponentsWithStats does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Runs:
    """Horizontal runs in raster order; ``end`` is exclusive; ``comp`` numbers components
    by their first run (so by their first pixel in raster order)."""

    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    comp: np.ndarray
    count: int


def row_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, start, end) of every run of True pixels, in raster order."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rises = np.flatnonzero(steps == 1)
    falls = np.flatnonzero(steps == -1)
    return rises // (w + 1), rises % (w + 1), falls % (w + 1)


def _roots(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest run index of each run's component, given linked run pairs (a, b)."""
    parent = np.arange(count)
    while a.size:
        pa, pb = parent[a], parent[b]
        split = pa != pb
        if not split.any():
            break
        a, b, pa, pb = a[split], b[split], pa[split], pb[split]
        np.minimum.at(parent, np.maximum(pa, pb), np.minimum(pa, pb))
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    return parent


def label_runs(runs: tuple[np.ndarray, np.ndarray, np.ndarray], width: int, diagonal: bool) -> Runs:
    """Components of runs: 8-connected when ``diagonal`` else 4-connected."""
    row, start, end = runs
    n = row.size
    stride = width + 2
    start_key = row * stride + start
    end_key = row * stride + end
    below = (row + 1) * stride
    # Runs of the next row that touch this one: start <= end (+1 with diagonals) and
    # end >= start (-1 with diagonals); keys are sorted, so two searches bound them.
    reach = 0 if diagonal else 1
    hi = np.searchsorted(start_key, below + end - reach, side="right")
    lo = np.searchsorted(end_key, below + start + reach, side="left")
    links = np.maximum(hi - lo, 0)
    total = int(links.sum())
    a = np.repeat(np.arange(n), links)
    b = np.repeat(lo, links) + np.arange(total) - np.repeat(np.cumsum(links) - links, links)
    roots = _roots(n, a, b)
    uniq, comp = np.unique(roots, return_inverse=True)
    return Runs(row, start, end, comp.reshape(-1), int(uniq.size))


def connected_components_with_stats(
    image: np.ndarray, connectivity: int = 8
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Labels numbered like OpenCV's block-based labelling: in raster order of each
    component's first 2x2 block. Returns (n, labels, stats x/y/w/h/area, centroids)."""
    fg = np.asarray(image) != 0
    if fg.ndim != 2:
        raise ValueError("connectedComponentsWithStats needs a single-channel image")
    h, w = fg.shape
    runs = label_runs(row_runs(fg), w, diagonal=connectivity == 8)
    count = runs.count
    lens = runs.end - runs.start
    # OpenCV's label of a component: rank of its first 2x2 block in block-raster order.
    block = (runs.row // 2) * (w // 2 + 2) + runs.start // 2
    first_block = np.full(count, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first_block, runs.comp, block)
    rank = np.empty(count, np.int64)
    rank[np.argsort(first_block, kind="stable")] = np.arange(1, count + 1)
    run_label = rank[runs.comp]

    labels = np.zeros(h * w, np.int32)
    if lens.size:
        offsets = np.repeat(runs.row * w + runs.start - np.cumsum(lens) + lens, lens)
        labels[offsets + np.arange(int(lens.sum()))] = np.repeat(run_label, lens)
    labels = labels.reshape(h, w)

    n = count + 1
    stats = np.zeros((n, 5), np.int32)
    cent = np.zeros((n, 2), np.float64)
    if count:
        left = np.full(n, w, np.int64)
        right = np.zeros(n, np.int64)
        top = np.full(n, h, np.int64)
        bottom = np.zeros(n, np.int64)
        np.minimum.at(left, run_label, runs.start)
        np.maximum.at(right, run_label, runs.end)
        np.minimum.at(top, run_label, runs.row)
        np.maximum.at(bottom, run_label, runs.row + 1)
        area = np.bincount(run_label, weights=lens, minlength=n).astype(np.int64)
        # Sums of x and y over each run, exact integers.
        sx = np.bincount(run_label, weights=(runs.start + runs.end - 1) * lens // 2, minlength=n)
        sy = np.bincount(run_label, weights=runs.row * lens, minlength=n)
        stats[1:] = np.stack([left, top, right - left, bottom - top, area], axis=1)[1:].astype(
            np.int32
        )
        cent[1:, 0] = sx[1:] / area[1:]
        cent[1:, 1] = sy[1:] / area[1:]
    bg = ~fg
    bg_area = h * w - int(lens.sum())
    if bg_area:
        cols = np.flatnonzero(bg.any(axis=0))
        rows = np.flatnonzero(bg.any(axis=1))
        stats[0] = (cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1, bg_area)
        # Background coordinate sums: the whole image's minus the components' (exact).
        all_x, all_y = h * (w * (w - 1) // 2), w * (h * (h - 1) // 2)
        fg_x = int(((runs.start + runs.end - 1) * lens // 2).sum())
        fg_y = int((runs.row * lens).sum())
        cent[0] = ((all_x - fg_x) / bg_area, (all_y - fg_y) / bg_area)
    else:  # what OpenCV reports for a label without pixels
        stats[0] = (-1, np.iinfo(np.int32).max, 0, 0, 0)
        cent[0] = (np.nan, np.nan)
    return n, labels, stats, cent
