"""RapidOCR options against exact ground truth: which detector settings read best, how fast.

Reads the accuracy pages (benchmarks/fixtures/accuracy, rendered at 200 DPI) with the
built-in engine's RapidReader under each option set and prints char F1, CER and seconds
per page (best of ``--repeat``, models loaded beforehand). The chosen set is
``desktop/engines/builtin/rapid.py: OPTIONS``; each row changes one thing from it.

Run: ``uv run python benchmarks/tune_rapidocr.py [--only en,zh] [--repeat N]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._util import print_table  # noqa: E402
from benchmarks.bench_builtin_accuracy import cer, char_f1, render, truth  # noqa: E402
from desktop.engines.builtin.layout import join_lines, reading_order  # noqa: E402
from desktop.engines.builtin.ocr import RapidReader  # noqa: E402

#: (label, options changed from rapid.OPTIONS).
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("chosen", {}),
    ("classifier on", {"Global.use_cls": True}),
    ("page cap 4000 px (A4 at 200 DPI not scaled down)", {"Global.max_side_len": 4000}),
    ("box_thresh 0.6", {"Det.box_thresh": 0.6}),
    ("unclip_ratio 2.0", {"Det.unclip_ratio": 2.0}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="en,zh")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    pages = {name: (render(name), truth(name)) for name in args.only.split(",")}
    rows: list[list[object]] = []
    for label, changes in VARIANTS:
        reader = RapidReader(**changes)
        reader.load()
        for name, (rgb, want) in pages.items():
            best, text = float("inf"), ""
            for _ in range(args.repeat):
                start = time.perf_counter()
                lines = reader.read(rgb)
                best = min(best, time.perf_counter() - start)
                text = "\n".join(join_lines(p.lines) for p in reading_order(lines))
            rows.append(
                [
                    label,
                    name,
                    round(char_f1(text, want), 4),
                    round(cer(text, want), 4),
                    round(best, 2),
                ]
            )
    print_table("RapidOCR options (200 DPI)", rows, ["options", "page", "char F1", "CER", "s/page"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
