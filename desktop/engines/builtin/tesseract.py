"""Optional Tesseract backend for languages the bundled models do not read (e.g. Russian).

Runs the system's ``tesseract`` binary (argument list, never a shell) on a PNG fed via
stdin and reads its TSV output back as lines with word extents.
"""

from __future__ import annotations

import csv
import io
import logging
import subprocess
from dataclasses import dataclass

import numpy as np

from desktop.engines.builtin.ocr import OcrLine, Word
from desktop.engines.builtin.scripts import tesseract_binary

logger = logging.getLogger(__name__)

TIMEOUT_S = 300


class TesseractFailedError(Exception):
    """Tesseract is missing or failed on a page."""


def installed_languages(binary: str | None = None) -> list[str]:
    """Language packs the installed Tesseract reports ([] when there is no Tesseract)."""
    exe = binary or tesseract_binary()
    if exe is None:
        return []
    try:
        done = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    out = (done.stdout or "") + (done.stderr or "")
    return [ln.strip() for ln in out.splitlines()[1:] if ln.strip() and " " not in ln.strip()]


def parse_tsv(tsv: str, min_conf: float = 0.0) -> list[OcrLine]:
    """Tesseract TSV (level 5 = words) -> one OcrLine per (block, paragraph, line)."""
    groups: dict[tuple[str, str, str], list[tuple[int, int, int, int, str, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        try:
            conf = float(row.get("conf") or -1)
            left, top = int(row["left"]), int(row["top"])
            width, height = int(row["width"]), int(row["height"])
        except (KeyError, ValueError):
            continue
        if not text or conf < min_conf:
            continue
        key = (row.get("block_num", ""), row.get("par_num", ""), row.get("line_num", ""))
        groups.setdefault(key, []).append((left, top, left + width, top + height, text, conf))
    lines: list[OcrLine] = []
    for words in groups.values():
        words.sort(key=lambda w: w[0])
        bbox = (
            min(w[0] for w in words),
            min(w[1] for w in words),
            max(w[2] for w in words),
            max(w[3] for w in words),
        )
        score = sum(w[5] for w in words) / len(words) / 100.0
        text = " ".join(w[4] for w in words)
        lines.append(OcrLine(bbox, text, score, tuple(Word(w[4], w[0], w[2]) for w in words)))
    lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return lines


@dataclass
class TesseractReader:
    """Reads pages with ``tesseract -l <languages>``; same ``read`` shape as RapidReader."""

    languages: str = "eng"
    binary: str | None = None

    def load(self) -> None:
        """Nothing to load; checked by the engine's ``ensure_ready``."""

    def read(self, rgb: np.ndarray, *, respace: bool = True) -> list[OcrLine]:
        from PIL import Image

        exe = self.binary or tesseract_binary()
        if exe is None:
            raise TesseractFailedError("tesseract is not installed")
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, format="PNG", compress_level=1)
        args = [exe, "stdin", "stdout", "-l", self.languages, "--psm", "3", "tsv"]
        done = subprocess.run(
            args, input=buf.getvalue(), capture_output=True, timeout=TIMEOUT_S, check=False
        )
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise TesseractFailedError(err[-1] if err else f"tesseract exited {done.returncode}")
        return parse_tsv(done.stdout.decode("utf-8", "replace"))
