"""Accuracy of the built-in engine against exact ground truth, next to raw RapidOCR and Tesseract.

Pages: benchmarks/fixtures/accuracy/{en,ru,zh}.pdf, typeset by LibreOffice from real
translators' text (see that folder's README), so each PDF carries its own text layer:
that layer is the truth. Each page is rendered at 200 DPI with pypdfium2 and read as an
image by, in one run:

- ``ours``: ``BuiltinEngine()`` (what ``--engine builtin`` uses; auto languages, layout
  mode), its blocks' text in reading order;
- ``rapidocr``: raw RapidOCR 3.x with the library's defaults (the bundled models);
- ``tesseract``: plain ``tesseract IMAGE - -l LANG`` (eng, rus+eng, chi_sim), skipped
  where the pack is missing.

Columns: ``char F1`` (order-free bag of non-space characters, NFKC-normalised),
``CER`` (edit distance in reading order over the truth's length, whitespace runs as one
space), seconds per page (best of ``--repeat``, after an untimed first read) and peak
resident memory of the process that read the page (each reader runs in its own child
process, so peaks do not mix; Tesseract's own process for its row). Where ours reads a page
with Tesseract it also runs one Tesseract per band of the page at once (bands.py), each
about the size the tesseract row shows; a child's own peak cannot be told apart from the
forked Python in ``RUSAGE_CHILDREN``, so it is not added here. The last column
reads the page with ours and raw RapidOCR taking turns in one more process (best of
``--repeat`` each, after one untimed read) and gives their seconds and ratio: the
acceptance asks <= 1.15.

Run: ``uv run python benchmarks/bench_builtin_accuracy.py [--only en,ru,zh] [--repeat N]``
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import html
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._util import measure_interleaved, print_table  # noqa: E402

PAGES = ROOT / "benchmarks" / "fixtures" / "accuracy"
DPI = 200
#: Tesseract's languages for each page (what a user of plain Tesseract would pick).
TESS_LANGS = {"en": "eng", "ru": "rus+eng", "zh": "chi_sim"}
READERS = ("ours", "rapidocr", "tesseract")


def render(name: str) -> np.ndarray:
    """The page's first page as RGB at DPI."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(PAGES / f"{name}.pdf")
    try:
        return np.asarray(doc[0].render(scale=DPI / 72).to_pil().convert("RGB"))
    finally:
        doc.close()


def truth(name: str) -> str:
    """The PDF's own text layer of its first page."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(PAGES / f"{name}.pdf")
    try:
        return str(doc[0].get_textpage().get_text_range())
    finally:
        doc.close()


def normalise(text: str) -> str:
    """NFKC (full-width punctuation = ASCII), whitespace runs as one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def char_f1(got: str, want: str) -> float:
    """F1 of the two bags of non-space characters."""
    a = Counter(c for c in normalise(got) if not c.isspace())
    b = Counter(c for c in normalise(want) if not c.isspace())
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def cer(got: str, want: str) -> float:
    """Levenshtein distance over the truth's length, in reading order."""
    a, b = normalise(got), normalise(want)
    if not b:
        return float(bool(a))
    prev = np.arange(len(b) + 1)
    codes = np.array([ord(c) for c in b])
    for i, ch in enumerate(a, 1):
        cost = (codes != ord(ch)).astype(np.int64)
        # Substitution/deletion first, then insertions as a running minimum along the row.
        cur = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        cur = np.concatenate(([i], cur))
        cur = np.minimum.accumulate(cur - np.arange(len(b) + 1)) + np.arange(len(b) + 1)
        prev = cur
    return float(prev[-1]) / len(b)


def _ours() -> Callable[[np.ndarray], str]:
    """A loaded BuiltinEngine (auto languages) as a page -> text function."""
    from PIL import Image

    from desktop.core.pageimage import PageImage
    from desktop.engines.base import PageDone, RecognizeMode
    from desktop.engines.builtin import BuiltinEngine

    loop = asyncio.new_event_loop()
    engine = BuiltinEngine()
    loop.run_until_complete(engine.ensure_ready())

    async def go(rgb: np.ndarray) -> str:
        page = PageImage("bench", 0, Image.fromarray(rgb))
        async for event in engine.recognize(page, RecognizeMode.LAYOUT):
            if isinstance(event, PageDone):
                parts = [
                    html.unescape(re.sub(r"<[^>]+>", " ", b.text or ""))
                    if b.is_table
                    else (b.text or "")
                    for b in event.page.blocks
                ]
                return "\n".join(p for p in parts if p.strip())
        return ""

    return lambda rgb: loop.run_until_complete(go(rgb))


def _rapidocr() -> Callable[[np.ndarray], str]:
    """Raw RapidOCR 3 with the library's defaults as a page -> text function."""
    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.log_level": "warning"})

    def read(rgb: np.ndarray) -> str:
        out = engine(np.ascontiguousarray(rgb[:, :, ::-1]))
        return "\n".join(getattr(out, "txts", None) or ())

    return read


def _read_tesseract(rgb: np.ndarray, langs: str) -> str:
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.png"
        Image.fromarray(rgb).save(path)
        done = subprocess.run(
            ["tesseract", str(path), "-", "-l", langs],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
    return done.stdout


def worker(reader: str, name: str, repeat: int) -> None:
    """Read one page ``repeat`` times in this process; print JSON (text, seconds, peak).

    The models are loaded and the page read once untimed first (RapidOCR loads its models
    on the first call, and ONNX Runtime plans for each new image size), so the seconds are
    those of every later page.
    """
    rgb = render(name)
    read: Callable[[np.ndarray], str]
    if reader == "ours":
        read = _ours()
    elif reader == "rapidocr":
        read = _rapidocr()
    else:
        read = functools.partial(_read_tesseract, langs=TESS_LANGS[name])
    if reader != "tesseract":
        read(rgb)
    best = float("inf")
    text = ""
    for _ in range(repeat):
        start = time.perf_counter()
        text = read(rgb)
        best = min(best, time.perf_counter() - start)
    who = resource.RUSAGE_CHILDREN if reader == "tesseract" else resource.RUSAGE_SELF
    peak_kb = resource.getrusage(who).ru_maxrss
    print(json.dumps({"text": text, "seconds": best, "peak_mb": peak_kb / 1024}))


def interleaved(name: str, repeat: int) -> None:
    """Seconds per page of ours and raw RapidOCR read in turn in one process (JSON).

    Taking turns exposes both to the same background load, so their ratio is fair on a
    shared machine; each is read once untimed first.
    """
    rgb = render(name)
    ours, raw = _ours(), _rapidocr()
    ms = measure_interleaved([lambda: ours(rgb), lambda: raw(rgb)], repeat=repeat, warmup=1)
    print(json.dumps({"ours": ms[0] / 1000, "rapidocr": ms[1] / 1000}))


def _tess_has(langs: str) -> bool:
    if shutil.which("tesseract") is None:
        return False
    out = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True, check=False
    ).stdout
    have = set(out.split())
    return all(lang in have for lang in langs.split("+"))


def run_one(reader: str, name: str, repeat: int) -> dict[str, object] | None:
    if reader == "tesseract" and not _tess_has(TESS_LANGS[name]):
        return None
    cmd = [sys.executable, __file__, "--worker", reader, name, "--repeat", str(repeat)]
    done = subprocess.run(
        cmd, capture_output=True, text=True, check=False, timeout=3600, cwd=ROOT, env=os.environ
    )
    if done.returncode != 0:
        print(f"{reader} on {name} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="en,ru,zh")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--show", action="store_true", help="print each reading")
    parser.add_argument("--worker", nargs=2, metavar=("READER", "PAGE"))
    parser.add_argument("--interleaved", metavar="PAGE")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.repeat)
        return 0
    if args.interleaved:
        interleaved(args.interleaved, args.repeat)
        return 0
    rows: list[list[object]] = []
    for name in args.only.split(","):
        want = truth(name)
        seconds: dict[str, float] = {}
        for reader in READERS:
            got = run_one(reader, name, args.repeat)
            if got is None:
                rows.append([name, reader, "-", "-", "-", "-", "-"])
                continue
            text = str(got["text"])
            if args.show:
                print(f"--- {reader} on {name} ---\n{text}\n")
            seconds[reader] = float(got["seconds"])  # type: ignore[arg-type]
            ratio = ""
            if reader == "ours":
                ratio = "(below)"
            rows.append(
                [
                    name,
                    reader,
                    round(char_f1(text, want), 4),
                    round(cer(text, want), 4),
                    round(seconds[reader], 2),
                    round(float(got["peak_mb"]), 0),  # type: ignore[arg-type]
                    ratio,
                ]
            )
        cmd = [sys.executable, __file__, "--interleaved", name, "--repeat", str(args.repeat)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
        if done.returncode == 0 and "ours" in seconds and "rapidocr" in seconds:
            turns = json.loads(done.stdout.strip().splitlines()[-1])
            ours_row = next(r for r in rows if r[0] == name and r[1] == "ours")
            a, b = turns["ours"], turns["rapidocr"]
            ours_row[6] = f"{a:.2f}/{b:.2f}={a / b:.2f}"
    print_table(
        f"Built-in engine accuracy at {DPI} DPI (truth: each PDF's own text layer)",
        rows,
        ["page", "reader", "char F1", "CER", "s/page", "peak MB", "ours/raw s (in turns)"],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
