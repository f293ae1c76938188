"""Seconds per page and peak memory of the built-in CPU engine on the real fixtures.

Reference, measured in the same process on the same page: one raw RapidOCR call with the
library's defaults (no word spacing, tables or layout). ``ratio`` = engine / raw, so it
shows what the engine adds (spacing, rules, tables, layout, calmer ONNX threads).
``post`` is the engine's own work after OCR (rules + tables + layout), timed on the same
lines. ``--repeat N`` reads each page N times per column and keeps the best of each.

``cv2 s`` reads the page with the same engine on the real OpenCV instead of cvlite (the
numpy stand-in the bundle ships; RapidOCR and the table finder are switched over in this
process) and ``lite/cv2`` is engine s / cv2 s: what leaving OpenCV out costs; ``cpu`` is
the same ratio of the process's CPU seconds (all threads), steadier than wall time when
other jobs share the box. Each page is read once untimed by each (the first read of a
new image size is slower: ONNX Runtime plans and allocates for the new shapes). The raw
references come after all engine reads: RapidOCR's default sessions keep their threads
spinning after a call, which would slow (and bill CPU to) whatever runs next. Use
``--repeat 2`` or more for the A/B column on a busy machine.

The ``tess-rus`` row reads the full Russian page with the Tesseract backend
(``languages="rus"``); its reference is one plain ``tesseract -l rus`` call on the same
page (text only, no TSV, rules or layout), and ``child RSS`` is Tesseract's own peak.

Run: ``uv run python benchmarks/bench_builtin.py [--only journal,russian,pdf1,pdf2,tess-rus]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.pageimage import PageImage  # noqa: E402
from desktop.engines.base import PageDone, RecognizeMode  # noqa: E402
from desktop.engines.builtin import (  # noqa: E402
    BuiltinEngine,
    installed_languages,
    tesseract_binary,
)
from desktop.engines.builtin.engine import analyse_page  # noqa: E402
from desktop.engines.builtin.ocr import OcrLine  # noqa: E402
from desktop.engines.builtin.rapid import rapidocr_class  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pages(only: set[str]) -> Iterator[tuple[str, PageImage]]:
    if "journal" in only:
        img = Image.open(FIXTURES / "journal_page_tables.jpg").convert("RGB")
        yield "journal jpg", PageImage("journal_page_tables.jpg", 0, img)
    if "russian" in only:
        img = Image.open(FIXTURES / "russian_page.png").convert("RGB")  # JPEG bytes
        yield "russian png", PageImage("russian_page.png", 0, img)
    wanted = [i for i, key in enumerate(("pdf1", "pdf2")) if key in only]
    if wanted:
        pdf = FIXTURES / "two_page_report.pdf"
        try:
            from desktop.core.images import iter_pages

            for page in iter_pages(pdf, dpi=200, pages=wanted):
                yield f"pdf p{page.index + 1} @200dpi", page
        except ImportError:
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(str(pdf))
            for i in wanted:
                bitmap = doc[i].render(scale=200 / 72)
                yield (
                    f"pdf p{i + 1} @200dpi",
                    PageImage(pdf.name, i, bitmap.to_pil().convert("RGB")),
                )


@contextlib.contextmanager
def real_opencv() -> Iterator[bool]:
    """Point RapidOCR and the engine's own modules at the real cv2 (if installed) instead
    of cvlite, for the A/B column; yields whether it could."""
    try:
        import cv2
    except ImportError:
        yield False
        return
    from desktop.engines.builtin import engine as engine_module
    from desktop.engines.builtin import ocr, tables

    targets = [
        (module, "cv2")
        for name, module in sys.modules.items()
        if name.startswith("rapidocr_onnxruntime") and hasattr(module, "cv2")
    ]
    targets += [(ocr, "cvlite"), (engine_module, "cvlite"), (tables, "cv")]
    saved = [(module, attr, vars(module)[attr]) for module, attr in targets]
    for module, attr in targets:
        vars(module)[attr] = cv2
    try:
        yield True
    finally:
        for module, attr, value in saved:
            vars(module)[attr] = value


class _Recorder:
    """Wraps the engine's reader and keeps the last page's lines."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.lines: list[OcrLine] = []

    def load(self) -> None:
        self.inner.load()

    def read(self, rgb: np.ndarray, *, respace: bool = True) -> list[OcrLine]:
        self.lines = self.inner.read(rgb, respace=respace)
        return self.lines


class _Replay:
    """A reader that returns lines already read, to time the post-OCR work alone."""

    def __init__(self, lines: list[OcrLine]) -> None:
        self._lines = lines

    def load(self) -> None:
        pass

    def read(self, rgb: np.ndarray, *, respace: bool = True) -> list[OcrLine]:
        return self._lines


async def engine_page(engine: BuiltinEngine, page: PageImage) -> tuple[float, int, int, str]:
    start = time.perf_counter()
    done: PageDone | None = None
    async for ev in engine.recognize(page, RecognizeMode.LAYOUT):
        if isinstance(ev, PageDone):
            done = ev
    took = time.perf_counter() - start
    assert done is not None
    return took, len(done.page.blocks), len(done.page.tables), done.page.status.value


def cpu_seconds() -> float:
    """CPU time of this process so far, all threads (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_peak_rss_mib() -> float:
    """Peak resident memory of the largest finished child process (Tesseract)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def tesseract_row(repeat: int) -> None:
    """The full Russian page read by the Tesseract backend vs a plain ``tesseract`` call."""
    exe = tesseract_binary()
    if exe is None or "rus" not in installed_languages():
        print("tess-rus: skipped (needs tesseract and tesseract-ocr-rus)")
        return
    page = next(pages({"russian"}))[1]
    engine = BuiltinEngine(languages="rus")
    recorder = _Recorder(engine._reader)
    engine._reader = recorder
    asyncio.run(engine.ensure_ready())
    env = {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "page.png"
        page.image.save(png)
        raw_s = eng_s = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            cmd = [exe, str(png), "stdout", "-l", "rus"]
            subprocess.run(cmd, capture_output=True, check=True, env=env)
            raw_s = min(raw_s, time.perf_counter() - t)
            took, nblocks, ntables, status = asyncio.run(engine_page(engine, page))
            eng_s = min(eng_s, took)
    rgb = np.asarray(page.image)
    t = time.perf_counter()
    analyse_page(_Replay(recorder.lines), rgb, RecognizeMode.LAYOUT, check_script=False)
    post_s = time.perf_counter() - t
    size = f"{page.width}x{page.height}"
    print(
        f"{'russian tess rus':<18}{size:>11}{raw_s:>8.1f}{eng_s:>10.1f}{eng_s / raw_s:>7.2f}"
        f"{post_s:>8.2f}{nblocks:>8}{ntables:>8}  {status:<8} {peak_rss_mib():>8.0f}"
        f"  (child RSS {child_peak_rss_mib():.0f} MiB; raw = plain tesseract -l rus)"
    )
    asyncio.run(engine.aclose())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="journal,russian,pdf1,pdf2,tess-rus")
    parser.add_argument("--repeat", type=int, default=1, help="runs per page; best is kept")
    args = parser.parse_args()
    only = set(args.only.split(","))

    RapidOCR = rapidocr_class()  # noqa: N806 - the library's class

    proc = psutil.Process()
    load = os.getloadavg()[0]
    print(f"cpus={os.cpu_count()} loadavg(1m)={load:.1f} python={sys.version.split()[0]}")
    rss0 = proc.memory_info().rss / 2**20
    t = time.perf_counter()
    raw = RapidOCR()
    raw_load = time.perf_counter() - t
    engine = BuiltinEngine()
    recorder = _Recorder(engine._reader)
    engine._reader = recorder
    t = time.perf_counter()
    asyncio.run(engine.ensure_ready())
    eng_load = time.perf_counter() - t
    print(
        f"model load: raw RapidOCR {raw_load:.2f}s, engine {eng_load:.2f}s; "
        f"RSS {rss0:.0f} -> {proc.memory_info().rss / 2**20:.0f} MiB"
    )
    header = (
        f"{'page':<18}{'size':>11}{'raw s':>8}{'engine s':>10}{'ratio':>7}{'post s':>8}"
        f"{'blocks':>8}{'tables':>8}  status   peak RSS MiB{'cv2 s':>8}{'lite/cv2':>9}{'cpu':>6}"
    )
    print(header)
    print("-" * len(header))
    totals = [0.0] * 5
    # Every engine read first, the raw references last: RapidOCR's default sessions keep
    # their threads spinning after a call, which would slow (and bill CPU to) the next run.
    rows = []
    for label, page in pages(only):
        eng_s = cv2_s = float("inf")
        cpu = {False: float("inf"), True: float("inf")}
        lite_lines: list[OcrLine] = []
        cv2_lines: list[OcrLine] = []
        # The first read of a new page size is slower (ONNX Runtime plans and allocates for
        # the new shapes): one untimed read, so neither column pays it.
        asyncio.run(engine_page(engine, page))
        for i in range(args.repeat):  # alternate, keep the best: the box may be shared
            for use_cv2 in (False, True) if i % 2 == 0 else (True, False):
                with real_opencv() if use_cv2 else contextlib.nullcontext(True) as ready:
                    if not ready:
                        continue
                    spent = cpu_seconds()
                    took, nblocks, ntables, status = asyncio.run(engine_page(engine, page))
                    cpu[use_cv2] = min(cpu[use_cv2], cpu_seconds() - spent)
                if use_cv2:
                    cv2_s, cv2_lines = min(cv2_s, took), recorder.lines
                else:
                    eng_s, lite_lines = min(eng_s, took), recorder.lines
        rgb = np.asarray(page.image)
        t = time.perf_counter()
        analyse_page(_Replay(lite_lines), rgb, RecognizeMode.LAYOUT, check_script=True)
        post_s = time.perf_counter() - t
        same = cv2_s == float("inf") or cv2_lines == lite_lines
        rows.append((label, page, eng_s, cv2_s, cpu, post_s, nblocks, ntables, status, same))
    for label, page, eng_s, cv2_s, cpu, post_s, nblocks, ntables, status, same in rows:
        rgb = np.asarray(page.image)
        raw_s = float("inf")
        raw(np.ascontiguousarray(rgb[:, :, ::-1]))  # untimed first read, as for the engine
        for _ in range(args.repeat):
            t = time.perf_counter()
            raw(np.ascontiguousarray(rgb[:, :, ::-1]))
            raw_s = min(raw_s, time.perf_counter() - t)
        totals[0] += raw_s
        totals[1] += eng_s
        totals[2] += cv2_s
        totals[3] += cpu[False]
        totals[4] += cpu[True]
        size = f"{page.width}x{page.height}"
        versus = (
            f"{cv2_s:>8.1f}{eng_s / cv2_s:>9.2f}{cpu[False] / cpu[True]:>6.2f}"
            if cv2_s < float("inf")
            else "  no cv2"
        )
        print(
            f"{label:<18}{size:>11}{raw_s:>8.1f}{eng_s:>10.1f}{eng_s / raw_s:>7.2f}{post_s:>8.2f}"
            f"{nblocks:>8}{ntables:>8}  {status:<8} {peak_rss_mib():>8.0f}    {versus}"
            + ("" if same else "  (lines differ from cv2's!)")
        )
    if totals[0]:
        versus = (
            f"{totals[2]:>8.1f}{totals[1] / totals[2]:>9.2f}{totals[3] / totals[4]:>6.2f}"
            if totals[2] < float("inf")
            else ""
        )
        print(
            f"{'total':<18}{'':>11}{totals[0]:>8.1f}{totals[1]:>10.1f}{totals[1] / totals[0]:>7.2f}"
            f"{'':>47}{versus}"
        )
    if "tess-rus" in only:
        tesseract_row(args.repeat)
    load = os.getloadavg()[0]
    print(f"peak RSS of the whole run: {peak_rss_mib():.0f} MiB; loadavg(1m) now {load:.1f}")
    asyncio.run(engine.aclose())


if __name__ == "__main__":
    main()
