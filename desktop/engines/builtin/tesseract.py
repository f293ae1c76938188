"""Optional Tesseract backend for languages the bundled models do not read (e.g. Russian).

Runs the system's ``tesseract`` binary (argument list, never a shell) on a PNG fed via
stdin and reads its TSV output back as lines with word extents.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import cv2
import numpy as np

from desktop.engines.builtin.bands import band_count, bands
from desktop.engines.builtin.mixedwords import fix_mixed_words
from desktop.engines.builtin.ocr import OcrLine, Word
from desktop.engines.builtin.scripts import tesseract_binary

logger = logging.getLogger(__name__)

TIMEOUT_S = 300

#: Packs ``--list-langs`` shows that are not languages (orientation/script detection).
_NOT_LANGUAGES = frozenset({"osd"})


def _env() -> dict[str, str]:
    """Tesseract's environment: one OpenMP thread unless the user chose otherwise.

    Its OpenMP threads spin while waiting; on a 2-core box under load a page took 8x
    longer with the default than with one thread.
    """
    env = dict(os.environ)
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


def _lowered(line: OcrLine, dy: int) -> OcrLine:
    """A band's line in page coordinates (the band starts ``dy`` rows down)."""
    x0, y0, x1, y1 = line.bbox
    return replace(line, bbox=(x0, y0 + dy, x1, y1 + dy))


class TesseractFailedError(Exception):
    """Tesseract is missing or failed on a page."""


def installed_languages(binary: str | None = None) -> list[str]:
    """Language packs the installed Tesseract reports (``tesseract --list-langs``).

    [] when there is no Tesseract; ``osd`` (script detection, not a language) is left out.
    ``TESSDATA_PREFIX`` is honoured, as Tesseract itself honours it.
    """
    exe = binary or tesseract_binary()
    if exe is None:
        return []
    try:
        done = subprocess.run(
            [exe, "--list-langs"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env=_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    out = (done.stdout or "") + (done.stderr or "")
    return [
        ln.strip()
        for ln in out.splitlines()
        if ln.strip() and " " not in ln.strip() and ln.strip() not in _NOT_LANGUAGES
    ]


def _png(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


#: Tesseract's orientation confidence from which its "Rotate" is believed (upright and
#: turned test pages: 8.9-10.5).
OSD_SURE = 2.0


@dataclass(frozen=True, slots=True)
class Osd:
    """What Tesseract's orientation and script detection says of a page."""

    script: str | None = None
    #: Degrees clockwise that set the page upright (0, 90, 180 or 270).
    rotate: int = 0
    confidence: float = 0.0

    @property
    def quarter_turns(self) -> int:
        """``np.rot90``'s k that sets the page upright; 0 when Tesseract is unsure."""
        if self.confidence < OSD_SURE or self.rotate % 90:
            return 0
        return (4 - self.rotate // 90) % 4


def detect_script(rgb: np.ndarray, binary: str | None = None) -> str | None:
    """The page's script by Tesseract's OSD ("Cyrillic", "Latin"...), or None if unknown.

    Needs the ``osd`` pack (shipped with Tesseract by most distributions); about 1 s a page.
    """
    return detect_osd(rgb, binary).script


def detect_osd(rgb: np.ndarray, binary: str | None = None) -> Osd:
    """Tesseract's OSD of the page: its script and which way up it lies (blocking)."""
    exe = binary or tesseract_binary()
    if exe is None:
        return Osd()
    try:
        done = subprocess.run(
            [exe, "stdin", "stdout", "--psm", "0"],
            input=_png(rgb),
            capture_output=True,
            timeout=60,
            check=False,
            env=_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return Osd()
    said: dict[str, str] = {}
    for raw in done.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = raw.partition(":")
        said[key.strip()] = value.strip()
    try:
        rotate = int(said.get("Rotate", "0"))
        confidence = float(said.get("Orientation confidence", "0"))
    except ValueError:
        rotate, confidence = 0, 0.0
    return Osd(said.get("Script") or None, rotate, confidence)


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
    #: Bands of the page read side by side, each by its own Tesseract (bands.py); 0 is
    #: one per core.
    parts: int = 0

    def load(self) -> None:
        """Nothing to load; checked by the engine's ``ensure_ready``."""

    def read(self, rgb: np.ndarray, *, respace: bool = True) -> list[OcrLine]:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
        spans = bands(gray, self.parts or band_count())
        if len(spans) == 1:
            return self._read_band(rgb)
        with ThreadPoolExecutor(len(spans), thread_name_prefix="tesseract") as pool:
            parts = list(pool.map(lambda span: self._read_band(rgb[span[0] : span[1]]), spans))
        lines = [
            _lowered(ln, top) for (top, _), part in zip(spans, parts, strict=True) for ln in part
        ]
        lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        return lines

    def _read_band(self, rgb: np.ndarray) -> list[OcrLine]:
        tsv = self._run(_png(rgb), ["--psm", "3", "tsv"])
        if "+" in self.languages:  # e.g. rus+eng: words may change script at an "="
            tsv = fix_mixed_words(tsv, rgb, self._run, _png)
        return parse_tsv(tsv)

    def _run(self, png: bytes, extra: list[str]) -> str:
        """Tesseract's stdout for one PNG read with ``-l languages`` and ``extra``."""
        exe = self.binary or tesseract_binary()
        if exe is None:
            raise TesseractFailedError("tesseract is not installed")
        args = [exe, "stdin", "stdout", "-l", self.languages, *extra]
        try:
            done = subprocess.run(
                args, input=png, capture_output=True, timeout=TIMEOUT_S, check=False, env=_env()
            )
        except subprocess.TimeoutExpired as exc:
            raise TesseractFailedError(f"tesseract took over {TIMEOUT_S} s on a page") from exc
        except OSError as exc:
            raise TesseractFailedError(f"tesseract could not start ({exc})") from exc
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise TesseractFailedError(err[-1] if err else f"tesseract exited {done.returncode}")
        return done.stdout.decode("utf-8", "replace")
