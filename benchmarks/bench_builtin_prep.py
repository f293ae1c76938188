"""What making a page fit to read costs the built-in engine on ordinary upright pages.

``pageprep.prepare_page`` runs before every page in layout and text modes: the size check,
the light-on-dark check and the orientation check (``orient.py``: line pieces found, one
piece read by the recogniser). This prints, for the benchmark's accuracy pages (rendered
at 200 DPI) and the journal scan, its best time next to the whole page's best time
(``analyse_page`` after it), the two taking turns in one process, and their ratio; and, for
comparison, Tesseract's orientation detection (``--psm 0``) on the same page, which the
check replaces (None where Tesseract is not installed).

Run: ``uv run python benchmarks/bench_builtin_prep.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._util import measure_interleaved, print_table  # noqa: E402


def _pages() -> dict[str, Image.Image]:
    import pypdfium2 as pdfium

    out = {}
    for name in ("en", "ru", "zh"):
        doc = pdfium.PdfDocument(ROOT / "benchmarks" / "fixtures" / "accuracy" / f"{name}.pdf")
        out[name] = doc[0].render(scale=200 / 72).to_pil().convert("RGB")
        doc.close()
    journal = Image.open(ROOT / "tests" / "fixtures" / "journal_page_tables.jpg")
    out["journal"] = journal.convert("RGB")
    return out


def _osd_ms(rgb: np.ndarray, repeat: int) -> float | None:
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    from desktop.engines.builtin.tesseract import _png

    png = _png(rgb)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [exe, "stdin", "stdout", "--psm", "0"], input=png, capture_output=True, check=False
        )
        best = min(best, (time.perf_counter() - start) * 1000.0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from desktop.engines.base import RecognizeMode
    from desktop.engines.builtin.analysis import analyse_page
    from desktop.engines.builtin.ocr import RapidReader
    from desktop.engines.builtin.pageprep import prepare_page, scorer

    reader = RapidReader()
    reader.load()
    rows = []
    for name, image in _pages().items():
        prep = prepare_page(image, scorer(reader))
        assert prep.turns == 0 and prep.facts == (), (name, prep.facts)  # upright pages
        rgb = np.asarray(image)

        def prepare(image: Image.Image = image) -> object:
            return prepare_page(image, scorer(reader))

        def read(rgb: np.ndarray = rgb) -> object:
            return analyse_page(reader, rgb, RecognizeMode.LAYOUT, check_script=False)

        prep_ms, page_ms = measure_interleaved([prepare, read], repeat=args.repeat)
        osd = _osd_ms(rgb, args.repeat)
        h, w = rgb.shape[:2]
        rows.append(
            (
                f"{name} {w}x{h}",
                round(prep_ms, 1),
                round(page_ms),
                f"{prep_ms / page_ms:.3f}",
                None if osd is None else round(osd),
            )
        )
    print_table(
        f"Page preparation on upright pages (best of {args.repeat}, taking turns)",
        rows,
        ["page", "prepare ms", "page read ms", "prepare / read", "tesseract OSD ms"],
    )


if __name__ == "__main__":
    main()
