"""GIVEN the same input WHEN cvlite and the real OpenCV process it THEN the results match.

cvlite stands in for OpenCV in the built-in engine (the bundle leaves OpenCV out). The
real cv2 stays a dev dependency and is the reference here. Pixels are equal exactly,
except:
- warpPerspective: OpenCV's own bicubic kernel gives different last bits on CPUs without
  FMA, so one grey level is allowed there (on this machine no pixel differs);
- the shape code (hulls, minAreaRect, boxPoints, the perspective matrix) is computed in
  float64 by its own algorithms, so it is compared as geometry: the same corners within
  1e-3 px and the same area within 1e-5 (relative), where the smallest rectangle is
  unique; where several are equally small the two may pick different ones;
- fillPoly: equal for polygons inside the image; a polygon that leaves the image is cut to
  it exactly here, while OpenCV redraws its edges from rounded clipped end points, so about
  2.3% of such a mask differs (measured: 1109 of 47324 pixels over 385 random boxes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop.engines.builtin import cvlite

try:
    import cv2
except ImportError:  # pragma: no cover - cv2 is a dev dependency
    pytest.skip("the real OpenCV (cv2, a dev dependency) is not installed", allow_module_level=True)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = ["journal_page_tables.jpg", "russian_page.png"]  # the second is JPEG bytes


def page(name: str) -> np.ndarray:
    return np.asarray(Image.open(FIXTURES / name).convert("RGB"))


@pytest.fixture(scope="module", params=PAGES)
def rgb(request: pytest.FixtureRequest) -> np.ndarray:
    return page(request.param)


@pytest.fixture(scope="module")
def grey(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))


@pytest.fixture(scope="module")
def ink(grey: np.ndarray) -> np.ndarray:
    """The table finder's binarisation of the page (what find_rules starts from)."""
    return np.asarray(cv2.adaptiveThreshold(grey, 255, 0, cv2.THRESH_BINARY_INV, 25, 12))


def same(a: object, b: object) -> bool:
    x, y = np.asarray(a), np.asarray(b)
    return bool(np.array_equal(x, y, equal_nan=x.dtype.kind == "f" and y.dtype.kind == "f"))


def test_constants_have_opencvs_values() -> None:
    names = [n for n in dir(cvlite) if n.isupper() and not n.startswith("_")]
    assert len(names) > 30
    assert {n: getattr(cvlite, n) for n in names} == {n: getattr(cv2, n) for n in names}


def test_grey_conversion_is_identical_on_the_pages(rgb: np.ndarray) -> None:
    for code in (cv2.COLOR_RGB2GRAY, cv2.COLOR_BGR2GRAY):
        assert same(cvlite.cvtColor(rgb, code), cv2.cvtColor(rgb, code))


def test_adaptive_threshold_is_identical_on_the_pages(grey: np.ndarray) -> None:
    for kind in (cv2.THRESH_BINARY_INV, cv2.THRESH_BINARY):
        for block, c in ((25, 12), (11, -3.5)):
            mine = cvlite.adaptiveThreshold(grey, 255, 0, kind, block, c)
            assert same(mine, cv2.adaptiveThreshold(grey, 255, 0, kind, block, c))


def test_rule_morphology_is_identical_on_the_pages(ink: np.ndarray) -> None:
    h, w = ink.shape
    for size in ((max(40, w // 25), 1), (1, max(30, h // 60))):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
        assert same(cvlite.getStructuringElement(cvlite.MORPH_RECT, size), kernel)
        for op in (cv2.MORPH_OPEN, cv2.MORPH_CLOSE):
            assert same(cvlite.morphologyEx(ink, op, kernel), cv2.morphologyEx(ink, op, kernel))
    for shape in ((3, 9), (9, 3), (3, 3), (2, 2), (4, 1)):
        kernel = np.ones(shape, np.uint8)
        assert same(cvlite.dilate(ink, kernel), cv2.dilate(ink, kernel))
        assert same(cvlite.erode(ink, kernel), cv2.erode(ink, kernel))


def test_connected_components_number_and_measure_blobs_like_opencv(ink: np.ndarray) -> None:
    """Thousands of glyph blobs: labels (OpenCV's numbering), stats and centroids."""
    rng = np.random.default_rng(7)
    masks = [ink, (rng.random((97, 131)) < 0.4).astype(np.uint8), np.ones((5, 6), np.uint8)]
    for mask in masks:
        n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask)
        got = cvlite.connectedComponentsWithStats(mask)
        assert got[0] == n
        assert same(got[1], labels) and same(got[2], stats) and same(got[3], centroids)


def test_otsu_gives_the_same_ink_on_text_line_crops(grey: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    h, w = grey.shape
    checked = 0
    for _ in range(400):
        y, x = int(rng.integers(0, h - 60)), int(rng.integers(0, w - 400))
        crop = grey[y : y + int(rng.integers(8, 60)), x : x + int(rng.integers(20, 400))]
        if int(crop.max()) - int(crop.min()) < 40:
            continue  # the engine skips blank crops too
        checked += 1
        kind = cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU
        assert same(cvlite.threshold(crop, 0, 1, kind)[1], cv2.threshold(crop, 0, 1, kind)[1])
    assert checked > 100


def test_resize_is_identical_for_every_scale() -> None:
    rng = np.random.default_rng(11)
    big = page(PAGES[0])[:, :, ::-1]
    assert same(cvlite.resize(big, (1504, 1984)), cv2.resize(big, (1504, 1984)))
    for _ in range(150):
        sh, sw = (int(v) for v in rng.integers(1, 90, 2))
        dh, dw = (int(v) for v in rng.integers(1, 180, 2))
        if rng.random() < 0.15:
            dh, dw = max(1, sh // 2), max(1, sw // 2)  # OpenCV averages exact halvings
        shape = (sh, sw, 3) if rng.random() < 0.7 else (sh, sw)
        src = rng.integers(0, 256, shape).astype(np.uint8)
        assert same(cvlite.resize(src, (dw, dh)), cv2.resize(src, (dw, dh))), (shape, dw, dh)


def blob_masks(ink: np.ndarray) -> list[np.ndarray]:
    """Text blobs like the detector's mask (word-sized, with holes), random blobs, and
    speckle whose borders pinch through hull corners (traced pixel by pixel instead)."""
    rng = np.random.default_rng(5)
    masks = [cv2.dilate(ink, np.ones((3, 7), np.uint8))[:1200]]
    for i in range(60):
        h, w = (int(v) for v in rng.integers(3, 90, 2))
        if i % 3 == 0:
            masks.append((rng.random((h, w)) < rng.uniform(0.2, 0.6)).astype(np.uint8))
            continue
        seeds = (rng.random((h, w)) < rng.uniform(0.01, 0.2)).astype(np.uint8)
        k = int(rng.integers(1, 6))
        masks.append(cv2.dilate(seeds, np.ones((k, k), np.uint8)))
    return masks


def point_set(points: np.ndarray) -> set[tuple[float, float]]:
    return {(float(x), float(y)) for x, y in np.asarray(points).reshape(-1, 2).tolist()}


def signed_area(points: np.ndarray) -> float:
    p = np.asarray(points, np.float64).reshape(-1, 2)
    return float(np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1]) / 2)


def corners_match(a: np.ndarray, b: np.ndarray, tol: float = 1e-3) -> bool:
    """The same four corners, in any order, within tol px."""
    x, y = np.asarray(a, np.float64).reshape(4, 1, 2), np.asarray(b, np.float64).reshape(1, 4, 2)
    dist = np.hypot(*np.moveaxis(x - y, 2, 0))
    return bool((dist.min(axis=0) <= tol).all() and (dist.min(axis=1) <= tol).all())


def encloses(corners: np.ndarray, points: np.ndarray, tol: float = 1e-3) -> bool:
    """Whether every point lies inside the rectangle with these corners (within tol px)."""
    c = np.asarray(corners, np.float64).reshape(4, 2)
    p = np.asarray(points, np.float64).reshape(-1, 2)
    for a, b in ((c[0], c[1]), (c[1], c[2])):
        axis = b - a
        length = float(np.hypot(*axis))
        if length < 1e-9:
            continue
        t = (p - a) @ (axis / length)
        if t.min() < -tol or t.max() > length + tol:
            return False
    return True


def check_rect(points: np.ndarray, mine: cvlite.RectLike, ref: cvlite.RectLike) -> bool:
    """mine and ref (minAreaRect results) are the same rectangle; where they are not,
    both must be smallest enclosing rectangles (a tie): returns whether it was a tie."""
    (mw, mh), (rw, rh) = mine[1], ref[1]
    assert mw * mh == pytest.approx(rw * rh, rel=1e-5, abs=1e-6)
    got, want = cvlite.boxPoints(mine), cv2.boxPoints(ref)
    assert got.dtype == np.float32 and got.shape == (4, 2)
    if corners_match(got, want):
        assert min(mw, mh) == pytest.approx(min(rw, rh), rel=1e-5, abs=1e-6)
        return False
    assert encloses(got, points) and encloses(want, points)
    return True


def test_border_hulls_give_opencvs_rotated_boxes(ink: np.ndarray) -> None:
    """What the DB post-process does with contours: minAreaRect, then boxPoints. The
    contours here are each border's hull corners: the same hull as OpenCV's border."""
    ties = rects = 0
    for mask in blob_masks(ink):
        ref, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        got, _ = cvlite.findContours(mask * 255, cvlite.RETR_LIST, cvlite.CHAIN_APPROX_SIMPLE)
        assert len(got) == len(ref)
        for mine, theirs in zip(got, ref, strict=True):
            assert point_set(mine) == point_set(cv2.convexHull(theirs))
            ties += check_rect(theirs, cvlite.minAreaRect(mine), cv2.minAreaRect(theirs))
            rects += 1
    assert rects > 2000
    assert ties <= rects // 40  # measured: 80 of 5807 and 82 of 6529, mostly speckle


def test_hull_and_min_area_rect_match_on_random_points() -> None:
    rng = np.random.default_rng(1)
    ties = 0
    for i in range(600):
        pts = rng.integers(0, int(rng.integers(2, 300)), (int(rng.integers(1, 40)), 1, 2))
        pts = pts.astype(np.int32) if i % 3 else (pts + rng.random(pts.shape)).astype(np.float32)
        for clockwise in (False, True):
            mine, ref = cvlite.convexHull(pts, clockwise), cv2.convexHull(pts, clockwise=clockwise)
            assert mine.dtype == ref.dtype and mine.shape == ref.shape
            assert point_set(mine) == point_set(ref)
            assert np.sign(signed_area(mine)) == np.sign(signed_area(ref))
        rect = cv2.minAreaRect(pts)
        ties += check_rect(pts, cvlite.minAreaRect(pts), rect)
        assert np.allclose(cvlite.boxPoints(rect), cv2.boxPoints(rect), rtol=0, atol=1e-3)
    # Random triangles tie often: any acute one has three smallest rectangles.
    assert ties <= 40  # measured: 19 of 600


def test_upright_boxes_keep_exact_corners() -> None:
    """Most text lines are upright: their corners are whole or half pixels, exactly."""
    for pts in ([[3, 4], [13, 4], [13, 8], [3, 8]], [[0, 0], [4, 0], [4, 10], [0, 10]]):
        arr = np.array(pts, np.int32)
        rect = cvlite.minAreaRect(arr)
        assert rect == cv2.minAreaRect(arr)
        assert point_set(cvlite.boxPoints(rect)) == point_set(arr)


def test_polygon_fill_is_identical_inside_the_image_and_close_across_its_edges() -> None:
    rng = np.random.default_rng(2)
    crossing = differing = filled = 0
    for _ in range(400):
        h, w = (int(v) for v in rng.integers(1, 70, 2))
        centre, size = rng.uniform(-10, 70, 2), rng.uniform(1, 50, 2)
        box = cv2.boxPoints((tuple(centre), tuple(size), float(rng.uniform(-90, 0))))
        pts = box.reshape(1, -1, 2).astype(np.int32)
        ref, mine = np.zeros((h, w), np.uint8), np.zeros((h, w), np.uint8)
        cv2.fillPoly(ref, list(pts), 1)
        cvlite.fillPoly(mine, pts, 1)  # RapidOCR passes the (1, 4, 2) array itself
        p = pts[0]
        if p.min() >= 0 and p[:, 0].max() < w and p[:, 1].max() < h:
            assert same(mine, ref)
        else:
            crossing += 1
            differing += int((mine != ref).sum())
            filled += int(ref.sum())
        score = rng.random((h + 4, w + 4)).astype(np.float32)[2 : 2 + h, 1 : 1 + w]
        assert cvlite.mean(score, ref) == cv2.mean(score, ref)
    assert crossing > 300
    assert differing <= filled * 0.03  # measured: 1109 of 47324 pixels (2.3%)


def test_polygon_fill_is_identical_for_boxes_inside_the_image() -> None:
    """The DB box score's case: the box's polygon in a mask just large enough for it."""
    rng = np.random.default_rng(12)
    checked = 0
    for _ in range(600):
        h, w = (int(v) for v in rng.integers(5, 90, 2))
        box = cv2.boxPoints(((w / 2, h / 2), tuple(rng.uniform(1, 40, 2)), rng.uniform(-90, 0)))
        pts = box.astype(np.int32)
        if pts.min() < 0 or pts[:, 0].max() >= w or pts[:, 1].max() >= h:
            continue
        checked += 1
        ref, mine = np.zeros((h, w), np.uint8), np.zeros((h, w), np.uint8)
        cv2.fillPoly(ref, [pts], 1)
        cvlite.fillPoly(mine, pts.reshape(1, -1, 2), 1)
        assert same(mine, ref)
    assert checked > 200


def test_perspective_matrix_matches_and_its_inverse_is_identical() -> None:
    rng = np.random.default_rng(4)
    for _ in range(200):
        w, h = (float(v) for v in rng.integers(5, 400, 2))
        dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        src = (dst + rng.uniform(0, 1500, 2) + rng.normal(0, 3, (4, 2))).astype(np.float32)
        m = cv2.getPerspectiveTransform(src, dst)
        # Solved by numpy (LAPACK), not OpenCV's elimination: measured within 2e-11.
        assert np.allclose(cvlite.getPerspectiveTransform(src, dst), m, rtol=1e-9, atol=0)
        ok, inverse = cv2.invert(m)
        assert cvlite.invert(m)[0] == ok and same(cvlite.invert(m)[1], inverse)


def test_line_crops_warp_to_within_one_grey_level(rgb: np.ndarray) -> None:
    """RapidOCR's crop of each detected line (bicubic, edges replicated)."""
    rng = np.random.default_rng(6)
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    h, w = bgr.shape[:2]
    differing = total = 0
    for _ in range(60):
        cw, ch = int(rng.integers(10, 400)), int(rng.integers(8, 50))
        centre = (float(rng.uniform(0, w)), float(rng.uniform(0, h)))
        box = cv2.boxPoints((centre, (cw, ch), float(rng.choice([-90.0, rng.uniform(-90, 0)]))))
        dst = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
        m = cv2.getPerspectiveTransform(box, dst)
        mode, flags = cv2.BORDER_REPLICATE, cv2.INTER_CUBIC
        ref = cv2.warpPerspective(bgr, m, (cw, ch), borderMode=mode, flags=flags).astype(int)
        got = cvlite.warpPerspective(bgr, m, (cw, ch), borderMode=mode, flags=flags).astype(int)
        assert np.abs(got - ref).max() <= 1
        differing += int((got != ref).sum())
        total += ref.size
    assert differing <= total // 1000


def test_small_helpers_are_identical() -> None:
    rng = np.random.default_rng(8)
    img = rng.integers(0, 256, (17, 23, 3)).astype(np.uint8)
    gray = img[:, :, 1].copy()
    alpha = rng.integers(0, 256, (17, 23)).astype(np.uint8)
    assert same(cvlite.cvtColor(img, 4), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    assert same(cvlite.cvtColor(gray, 8), cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
    for border, value in ((cv2.BORDER_CONSTANT, (0, 0, 0)), (cv2.BORDER_CONSTANT, (9, 8, 7))):
        ref = cv2.copyMakeBorder(img, 3, 2, 0, 5, border, value=value)
        assert same(cvlite.copyMakeBorder(img, 3, 2, 0, 5, border, value=value), ref)
    ref = cv2.copyMakeBorder(img, 1, 4, 2, 0, cv2.BORDER_REPLICATE)
    assert same(cvlite.copyMakeBorder(img, 1, 4, 2, 0, cvlite.BORDER_REPLICATE), ref)
    for code in (0, 1, 2):
        assert same(cvlite.rotate(img, code), cv2.rotate(img, code))
    assert same(cvlite.bitwise_not(alpha), cv2.bitwise_not(alpha))
    assert same(cvlite.bitwise_or(gray, alpha), cv2.bitwise_or(gray, alpha))
    assert same(cvlite.bitwise_and(img, img, mask=alpha), cv2.bitwise_and(img, img, mask=alpha))
    assert same(cvlite.add(img, img), cv2.add(img, img))
    assert all(same(a, b) for a, b in zip(cvlite.split(img), cv2.split(img), strict=True))
    assert same(cvlite.merge(cvlite.split(img)), cv2.merge(cv2.split(img)))
    assert cvlite.mean(img) == cv2.mean(img)


def read_with_each_cv2(bgr: np.ndarray) -> dict[str, object]:
    """RapidOCR's raw result (boxes, text, scores, word boxes) with OpenCV, then cvlite."""
    from desktop.engines.builtin.rapid import rapidocr_module

    engine = rapidocr_module().RapidOCR()
    results = {}
    modules = [m for n, m in sys.modules.items() if n.startswith("rapidocr_onnxruntime.")]
    bound = [m for m in modules if getattr(m, "cv2", None) is cvlite]
    assert len(bound) >= 7
    try:
        for label, module in (("opencv", cv2), ("cvlite", cvlite)):
            for m in bound:
                vars(m)["cv2"] = module
            results[label] = engine(bgr, return_word_box=True)[0]
    finally:
        for m in bound:
            vars(m)["cv2"] = cvlite
    return results


def differences(results: dict[str, object]) -> tuple[int, int, int, float]:
    """(lines, identical lines, lines whose text differs other than in spaces, largest
    box corner offset in px) between the two reads; the lines must pair up one to one."""
    ref, got = results["opencv"], results["cvlite"]
    assert isinstance(ref, list) and isinstance(got, list) and len(got) == len(ref)
    identical = sum(repr(a) == repr(b) for a, b in zip(ref, got, strict=True))
    retexted = sum(
        a[1].replace(" ", "") != b[1].replace(" ", "") for a, b in zip(ref, got, strict=True)
    )
    offset = max(
        (float(np.abs(np.subtract(a[0], b[0])).max()) for a, b in zip(ref, got, strict=True)),
        default=0.0,
    )
    return len(ref), identical, retexted, offset


# Why the reads are not identical: RapidOCR truncates each box corner to whole pixels
# before growing the box. OpenCV computes minAreaRect in float32, so an upright box's
# corner often lands a hair below the whole pixel (e.g. 1416.9999 for 1417) and moves a
# pixel; cvlite computes it in float64 and keeps 1417. A pixel's shift of a line's box
# can change how the recogniser reads it (spaces, now and then a character).


def test_rapidocr_reads_a_page_region_like_with_opencv(need_builtin: None) -> None:
    """The left part of the journal page's first table (a few seconds). Measured: 35 of
    36 lines identical, the other 1 px higher and read without its spaces."""
    results = read_with_each_cv2(np.ascontiguousarray(page(PAGES[0])[390:1130, 120:620, ::-1]))
    lines, identical, retexted, offset = differences(results)
    assert lines > 20
    assert identical >= lines - 2 and retexted == 0 and offset <= 1.5


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_rapidocr_reads_the_whole_journal_page_like_with_opencv(need_builtin: None) -> None:
    """350 lines: boxes, text, scores and word boxes (about 60 s on 2 cores). Measured:
    343 of 350 lines identical, boxes within 1.14 px (one detector pixel), 2 texts with
    a character changed ("TABLE III" read "TABLE II", "95%CI" read upside down) and 1
    with a space lost."""
    results = read_with_each_cv2(np.ascontiguousarray(page(PAGES[0])[:, :, ::-1]))
    lines, identical, retexted, offset = differences(results)
    assert lines > 300
    assert identical >= lines * 0.97 and retexted <= lines // 100 and offset <= 1.5
