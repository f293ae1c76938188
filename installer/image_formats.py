"""One sample page in every format the app reads, and a check of what OCR made of them.

    python installer/image_formats.py make OUTDIR        # writes the samples, prints paths
    python installer/image_formats.py check RESULT.json  # `ocr --format json` of them

The bundle drops Pillow's AVIF, Tk, colour-management and font modules with their
libraries (installer/bundle_rules.py): the CI step runs the frozen ``ocr --engine builtin``
on these files to prove that PNG, JPEG, WebP, BMP, GIF, TIFF (LZW, JPEG, Deflate) and PDF
still decode. The page is a strip of the bundled sample invoice (its address line).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "sample" / "invoice.png"
#: The part of the invoice used: its address line (quick to OCR).
CROP = (60, 150, 800, 240)
#: file name -> (Pillow format, save options)
SAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "page.png": ("PNG", {}),
    "page.jpg": ("JPEG", {"quality": 92}),
    "page.webp": ("WEBP", {"quality": 92}),
    "page.bmp": ("BMP", {}),
    "page.gif": ("GIF", {}),
    "page-lzw.tif": ("TIFF", {"compression": "tiff_lzw"}),
    "page-jpeg.tif": ("TIFF", {"compression": "jpeg"}),
    "page-deflate.tif": ("TIFF", {"compression": "tiff_adobe_deflate"}),
    "page.pdf": ("PDF", {"resolution": 200.0}),
}
#: Words every sample's OCR must contain.
EXPECTED_WORDS = ("Northwind", "Harbour")


def make_samples(outdir: Path, source: Path = SOURCE) -> list[Path]:
    """Write every sample to ``outdir``; returns their paths in SAMPLES order."""
    from PIL import Image

    outdir.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as img:
        page = img.convert("RGB").crop(CROP)
    paths = []
    for name, (fmt, options) in SAMPLES.items():
        image = page.convert("P", palette=Image.Palette.ADAPTIVE) if fmt == "GIF" else page
        image.save(outdir / name, fmt, **options)
        paths.append(outdir / name)
    return paths


def check_results(result: Any, names: list[str] | None = None) -> list[str]:
    """Problems with ``ocr --format json`` output for the samples (empty when all read)."""
    docs = result if isinstance(result, list) else [result]
    wanted = names if names is not None else list(SAMPLES)
    problems = []
    by_name = {Path(str(d.get("source", ""))).name: d for d in docs if isinstance(d, dict)}
    for name in wanted:
        doc = by_name.get(name)
        if doc is None:
            problems.append(f"{name}: no result")
            continue
        text = " ".join(
            str(block.get("text") or "") for page in doc["pages"] for block in page["blocks"]
        )
        missing = [w for w in EXPECTED_WORDS if w.lower() not in text.lower()]
        if missing:
            problems.append(f"{name}: {missing} not read (got {text[:80]!r})")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "make":
        for path in make_samples(Path(argv[1])):
            print(path)
        return 0
    if len(argv) == 2 and argv[0] == "check":
        problems = check_results(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
        for problem in problems:
            print(f"image formats: {problem}", file=sys.stderr)
        if not problems:
            print(f"image formats: all {len(SAMPLES)} samples read ({', '.join(SAMPLES)})")
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
