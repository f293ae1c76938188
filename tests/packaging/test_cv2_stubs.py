"""OpenCV with stub FFmpeg/AVIF libraries and numpy's OpenBLAS: images and linear algebra
still work, video and AVIF fail softly."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "installer" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stubs = _load("cv2_stubs")
rules = _load("bundle_rules")


def test_a_stub_exports_each_symbol_under_the_version_cv2_asks_for() -> None:
    source, script = stubs.stub_source(
        "libavutil-x.so.60", {"av_malloc": "LIBAVUTIL_60", "av_free": "LIBAVUTIL_60"}, False
    )
    assert "long av_free(void)" in source and 'missing("av_malloc")' in source
    assert script == "LIBAVUTIL_60 { global: av_free; av_malloc; local: *; };\n"


def test_a_silent_stub_returns_zero_instead_of_aborting() -> None:
    source, script = stubs.stub_source("libavif-x.so.16", {"avifDecoderCreate": ""}, True)
    assert "long avifDecoderCreate(void) { return 0; }" in source
    assert script == "{ global: avifDecoderCreate; local: *; };\n"


def test_a_symbol_that_is_not_a_c_identifier_is_refused() -> None:
    with pytest.raises(ValueError):
        stubs.stub_source("libx.so", {"bad name": ""}, True)


def test_only_ffmpeg_and_avif_libraries_are_stubbable() -> None:
    assert stubs.STUBBABLE.match("libavcodec-c4204469.so.62.28.101")
    assert stubs.STUBBABLE.match("libavif-43e630fc.so.16.4.2")
    assert not stubs.STUBBABLE.match("libopenblasp-r0-59ffcd50.3.15.so")
    assert not stubs.STUBBABLE.match("libpng16-529cb57a.so.16.58.0")


def test_libraries_of_the_folder_nobody_links_any_more_are_pruned_with_their_links() -> None:
    libs = stubs.OPENCV_LIBS
    toc = [
        ("cv2/cv2.abi3.so", "/s/cv2.so", "EXTENSION"),
        (f"{libs}/libavcodec-1.so", "/stub/libavcodec-1.so", "BINARY"),
        (f"{libs}/libaom-2.so", "/s/libaom-2.so", "BINARY"),
        (f"{libs}/libpng16-3.so", "/s/libpng16-3.so", "BINARY"),
        (f"{libs}/libz-4.so", "/s/libz-4.so", "BINARY"),
        ("libaom-2.so", f"{libs}/libaom-2.so", "SYMLINK"),
        ("libpng16-3.so", f"{libs}/libpng16-3.so", "SYMLINK"),
    ]
    links = {
        "/s/cv2.so": ["libavcodec-1.so", "libpng16-3.so"],
        "/s/libpng16-3.so": ["libz-4.so"],  # needed through another kept library
        "/s/libaom-2.so": [],
        "/stub/libavcodec-1.so": [],  # the stub needs nothing: libaom is orphaned
    }
    kept = {d for d, _s, _k in rules.prune_folder(toc, libs, lambda src: links.get(src, []))}
    assert f"{libs}/libaom-2.so" not in kept and "libaom-2.so" not in kept
    assert {f"{libs}/libavcodec-1.so", f"{libs}/libpng16-3.so", f"{libs}/libz-4.so"} <= kept
    assert "libpng16-3.so" in kept


def _opencv_site() -> Path | None:
    spec = importlib.util.find_spec("cv2")
    if spec is None or spec.origin is None:
        return None
    site = Path(spec.origin).resolve().parents[1]
    found = (site / stubs.OPENCV_LIBS).is_dir() and any(
        (site / stubs.NUMPY_LIBS).glob("libscipy_openblas64_*.so")
    )
    return site if found else None


SITE = _opencv_site()

CHECK = """
import cv2, numpy as np, sys
img = (np.arange(6000) % 251).astype(np.uint8).reshape(60, 100)
for ext in ('.png', '.jpg', '.tiff', '.bmp', '.webp'):
    ok, buf = cv2.imencode(ext, img)
    assert ok and cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE).shape == (60, 100), ext
avif = bytes.fromhex('0000001c667479706176696600000000617669666d6966316d696166')
assert cv2.imdecode(np.frombuffer(avif, np.uint8), 1) is None
assert not cv2.VideoCapture(sys.argv[1]).isOpened()
print('images ok, avif none, video closed')
# 160 rows: above OpenCV's thresholds, so LAPACK/BLAS (the adapter) does the work.
rng = np.random.default_rng(7)
for dt in (np.float32, np.float64):
    a = rng.random((160, 160)).astype(dt) + 5 * np.eye(160, dtype=dt)
    spd = (a @ a.T).astype(dt)
    b = rng.random((160, 2)).astype(dt)
    ref = np.linalg.solve(a.astype(np.float64), b)
    for flag in (cv2.DECOMP_LU, cv2.DECOMP_SVD, cv2.DECOMP_QR):
        ok, x = cv2.solve(a, b, flags=flag)
        assert ok and np.allclose(x, ref, rtol=1e-3, atol=1e-3), (dt, flag)
    ok, x = cv2.solve(spd, b, flags=cv2.DECOMP_CHOLESKY)
    assert ok and np.allclose(x, np.linalg.solve(spd.astype(np.float64), b), rtol=1e-2, atol=1e-3)
    assert np.allclose(cv2.gemm(a, a, 1.0, None, 0.0), a @ a, rtol=1e-4)
    w = cv2.SVDecomp(a[:, :150])[0].ravel()
    assert np.allclose(w, np.linalg.svd(a[:, :150].astype(np.float64), compute_uv=False), rtol=1e-3)
    assert np.isclose(cv2.determinant(a / 5), np.linalg.det(a.astype(np.float64) / 5), rtol=1e-3)
c = rng.random((130, 130))
ev = np.sort(cv2.eigenNonSymmetric(c)[0].ravel())
assert np.allclose(ev, np.sort(np.linalg.eigvals(c).real), rtol=1e-6, atol=1e-6)
print('linear algebra ok')
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or SITE is None or not shutil.which("cc"),
    reason="needs Linux, cc and opencv-python-headless's own libraries",
)
def test_cv2_with_stubbed_codecs_and_numpys_blas_works_and_refuses_video(
    tmp_path: Path,
) -> None:
    """GIVEN cv2 with stub FFmpeg/AVIF libraries, the BLAS adapter onto numpy's OpenBLAS
    and the runtime hook's setting WHEN images are encoded/decoded, large systems solved
    and a video is opened THEN images round-trip, solutions match numpy's, an AVIF header
    gives None and the video reports not opened (no crash)."""
    assert SITE is not None
    site = tmp_path / "site"
    shutil.copytree(SITE / "cv2", site / "cv2", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SITE / stubs.OPENCV_LIBS, site / stubs.OPENCV_LIBS)
    toc = [
        (str(p.relative_to(site)), str(p), "EXTENSION" if p.parent.name == "cv2" else "BINARY")
        for p in [*sorted((site / "cv2").glob("cv2*.so")), *(site / stubs.OPENCV_LIBS).iterdir()]
    ]
    numpy_blas = next((SITE / stubs.NUMPY_LIBS).glob("libscipy_openblas64_*.so"))
    (site / stubs.NUMPY_LIBS).mkdir()
    shutil.copy2(numpy_blas, site / stubs.NUMPY_LIBS / numpy_blas.name)
    toc.append((f"{stubs.NUMPY_LIBS}/{numpy_blas.name}", str(numpy_blas), "BINARY"))
    new, stubbed = stubs.stub_opencv_codecs(toc, tmp_path / "stubs")
    assert any(name.startswith("libavcodec-") for name in stubbed)
    assert any(name.startswith("libavif-") for name in stubbed)
    new, adapted = stubs.adapt_opencv_blas(new, tmp_path / "blas")
    assert adapted is not None and adapted.startswith("libopenblas")
    kept = rules.prune_folder(new, stubs.OPENCV_LIBS, stubs.direct_needs)
    kept_dest = {dest for dest, _s, _k in kept}
    for dest, src, _kind in new:
        target = site / dest
        if dest not in kept_dest:
            target.unlink()
        elif Path(src) != target:
            shutil.copy2(src, target)
    left = {p.name.split("-")[0] for p in (site / stubs.OPENCV_LIBS).iterdir()}
    assert "libaom" not in left and "libvpx" not in left  # only FFmpeg needed them
    assert "libgfortran" not in left  # only cv2's real OpenBLAS needed it
    assert "libopenblasp" in left and "libpng16" in left  # cv2 itself needs them
    assert (site / stubs.OPENCV_LIBS / adapted).stat().st_size < 1_000_000

    env = {**os.environ, "PYTHONPATH": str(site), "OPENCV_VIDEOIO_PRIORITY_FFMPEG": "0"}
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\0\0\0\x18ftypmp42" + bytes(64))
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(video)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "images ok, avif none, video closed" in result.stdout
    assert "linear algebra ok" in result.stdout


def test_the_adapter_source_defines_every_function_it_claims() -> None:
    source = stubs.ADAPTER_SOURCE.read_text(encoding="utf-8")
    for name in stubs.ADAPTED_BLAS:
        if name.startswith("cblas_"):
            assert f"GEMM({name[6]}," in source, name
        elif name == "dgeev_":
            assert "void dgeev_(" in source
        else:
            assert f"{name[1:-1].upper()}({name[0]}," in source, name
