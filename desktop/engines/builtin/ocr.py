"""Text lines from RapidOCR (PP-OCRv6 ONNX models shipped in its wheel), with word spacing.

The bundled recognizer sometimes drops the space between English words (e.g. capitals in
headings: "TABLEII-ODDSRATIO"). It can report where each character sits, so spaces are
recovered from the page itself: a blank pixel run between two letters that is wider than
a fifth of the line height is a word gap.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from desktop.core.document import BBox

logger = logging.getLogger(__name__)

#: A blank run at least this many line heights wide between two letters is a word gap.
SPACE_GAP_RATIO = 0.2


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a line and its horizontal extent in original pixels."""

    text: str
    x0: int
    x1: int


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One detected text line: axis-aligned box (original pixels), text, confidence, words."""

    bbox: BBox
    text: str
    score: float
    words: tuple[Word, ...] = ()

    @property
    def height(self) -> int:
        return self.bbox[3] - self.bbox[1]

    @property
    def width(self) -> int:
        return self.bbox[2] - self.bbox[0]

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2


def even_words(text: str, bbox: BBox) -> tuple[Word, ...]:
    """Words of ``text`` with x extents spread by character count (no geometry known)."""
    tokens = text.split()
    if not tokens:
        return ()
    x0, _, x1, _ = bbox
    total = max(1, len(text))
    step = (x1 - x0) / total
    out: list[Word] = []
    pos = 0
    for tok in tokens:
        start = text.index(tok, pos)
        pos = start + len(tok)
        out.append(Word(tok, int(x0 + start * step), int(x0 + pos * step)))
    return tuple(out)


def line_from_words(words: Sequence[Word], y0: int, y1: int, score: float) -> OcrLine:
    """A line made of some words of another line (e.g. the part inside one table cell)."""
    x0 = min(w.x0 for w in words)
    x1 = max(w.x1 for w in words)
    return OcrLine((x0, y0, x1, y1), " ".join(w.text for w in words), score, tuple(words))


def _is_cjk(ch: str) -> bool:
    """CJK ideographs, kana, CJK punctuation and full-width forms."""
    code = ord(ch)
    return 0x3000 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def _gap_allowed(left: str, right: str) -> bool:
    """Whether a space may be inserted between two characters (not in numbers or CJK)."""
    if _is_cjk(left) or _is_cjk(right):
        return False  # Chinese/Japanese are written without spaces; gaps are layout
    if left.isdigit() and (right.isdigit() or right in ".,"):
        return False
    if left in ".," and right.isdigit():
        return False
    return left not in "-(/" and right not in "-)/.,;:%"


def _longest_blank(ink: np.ndarray, a: int, b: int) -> int:
    """Longest run of columns without ink in ``ink[a:b]``."""
    seg = ink[max(0, a) : max(0, b)]
    if seg.size == 0:
        return 0
    best = cur = 0
    for has_ink in seg.tolist():
        cur = 0 if has_ink else cur + 1
        best = max(best, cur)
    return best


def otsu_ink(gray: np.ndarray) -> np.ndarray | None:
    """1 where a grey image has ink (Otsu threshold), 0 elsewhere; None when it is empty or
    too flat to hold print (less than 40 grey levels between its darkest and lightest)."""
    if gray.size == 0 or int(gray.max()) - int(gray.min()) < 40:
        return None
    _, ink = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return np.asarray(ink)


def _ink_columns(gray: np.ndarray, bbox: BBox) -> np.ndarray | None:
    """Per-column "has ink" flags of the line crop (Otsu), or None on a blank crop."""
    x0, y0, x1, y1 = bbox
    ink = otsu_ink(gray[y0:y1, x0:x1])
    if ink is None:
        return None
    flags: np.ndarray = ink.sum(axis=0) > 0
    return flags


def _gap_threshold(
    chars: Sequence[str], centres: Sequence[float], ink: np.ndarray, x0: int, height: int
) -> float:
    """Blank-run width that separates words on this line.

    At least a fifth of the line height; more where letters are set loosely (wide
    side bearings in sans fonts) or where the spaces the recogniser did find are wide.
    """
    letter_gaps: list[int] = []
    space_gaps: list[int] = []
    prev: int | None = None
    spaced = False
    for i, ch in enumerate(chars):
        if ch.isspace():
            spaced = True
            continue
        if prev is not None:
            gap = _longest_blank(ink, int(centres[prev]) - x0, int(centres[i]) - x0)
            if spaced:
                space_gaps.append(gap)
            elif _gap_allowed(chars[prev], ch):
                letter_gaps.append(gap)
        prev, spaced = i, False
    threshold = SPACE_GAP_RATIO * height
    if letter_gaps:
        threshold = max(threshold, 2.5 * float(np.median(letter_gaps)))
    if space_gaps:
        threshold = max(threshold, 0.6 * float(np.median(space_gaps)))
    return threshold


def spaced_words(
    chars: Sequence[str], char_x: Sequence[tuple[float, float]], bbox: BBox, gray: np.ndarray
) -> tuple[Word, ...]:
    """Group characters into words, using recognised spaces and blank pixel gaps."""
    ink = _ink_columns(gray, bbox)
    height = max(1, bbox[3] - bbox[1])
    centres = [(a + b) / 2 for a, b in char_x]
    min_gap = _gap_threshold(chars, centres, ink, bbox[0], height) if ink is not None else 0.0
    words: list[Word] = []
    cur: list[str] = []
    cur_x0 = cur_x1 = 0.0
    prev_centre: float | None = None
    for ch, (cx0, cx1), centre in zip(chars, char_x, centres, strict=True):
        if ch.isspace():
            if cur:
                words.append(Word("".join(cur), int(cur_x0), int(cur_x1)))
            cur, prev_centre = [], None
            continue
        if cur and prev_centre is not None and ink is not None and _gap_allowed(cur[-1], ch):
            gap = _longest_blank(ink, int(prev_centre) - bbox[0], int(centre) - bbox[0])
            if gap >= min_gap:
                words.append(Word("".join(cur), int(cur_x0), int(cur_x1)))
                cur = []
        if not cur:
            cur_x0 = cx0
        cur.append(ch)
        cur_x1 = max(cur_x1, cx1) if len(cur) > 1 else cx1
        prev_centre = centre
    if cur:
        words.append(Word("".join(cur), int(cur_x0), int(cur_x1)))
    return tuple(words)


def _to_line(
    quad: np.ndarray, text: str, score: float, chars: Sequence[Any] | None, gray: np.ndarray
) -> OcrLine | None:
    """One RapidOCR line (its quad, text, score and per-character boxes) as an OcrLine."""
    text = text.strip()
    if not text:
        return None
    h, w = gray.shape[:2]
    quad = np.asarray(quad, dtype=np.float32)
    x0 = int(np.clip(quad[:, 0].min(), 0, w))
    x1 = int(np.clip(np.ceil(quad[:, 0].max()), 0, w))
    y0 = int(np.clip(quad[:, 1].min(), 0, h))
    y1 = int(np.clip(np.ceil(quad[:, 1].max()), 0, h))
    bbox: BBox = (x0, y0, x1, y1)
    words: tuple[Word, ...] = ()
    if chars and x1 - x0 > y1 - y0:
        placed = _with_spaces(text, chars)
        if placed is not None:
            words = spaced_words([g for g, _ in placed], [x for _, x in placed], bbox, gray)
    if not words:
        words = even_words(text, bbox)
    if not words:
        return None
    return OcrLine(bbox, " ".join(wd.text for wd in words), float(score), words)


def _with_spaces(text: str, chars: Sequence[Any]) -> list[tuple[str, tuple[float, float]]] | None:
    """The line's characters with their x extents, spaces put back where the text has them.

    RapidOCR's per-character boxes leave the recognised spaces out; a space gets an empty
    extent at the end of the character before it. None if the two disagree.
    """
    boxes = [(float(min(p[0] for p in c[2])), float(max(p[0] for p in c[2]))) for c in chars]
    glyphs = [str(c[0]) for c in chars]
    if "".join(glyphs) != "".join(text.split()):
        return None
    out: list[tuple[str, tuple[float, float]]] = []
    i = 0
    for ch in text:
        if ch.isspace():
            end = out[-1][1][1] if out else boxes[0][0]
            out.append((" ", (end, end)))
            continue
        while i < len(glyphs) and glyphs[i] == "":
            i += 1
        # A glyph may hold more than one character (RapidOCR groups some); share its box.
        glyph = glyphs[i]
        out.append((ch, boxes[i]))
        glyphs[i] = glyph[1:]
        if not glyphs[i]:
            i += 1
    return out


def _char_boxes(result: Any) -> list[Any] | None:
    """Per-line character boxes, or None when they do not line up with the lines.

    RapidOCR drops lines it could not place characters in from ``word_results``, which
    would shift every later line onto the wrong characters.
    """
    per_line = list(result.word_results or ())
    if len(per_line) != len(result.txts or ()):
        return None
    for line in per_line:
        if any(c is None or len(c) < 3 or c[2] is None for c in line):
            return None
    return per_line


#: Seconds without a read after which the reader lets its models and their working memory
#: go (the process holds about 0.7 GB after a 200 DPI page, 0.25 GB of it the loaded
#: models); the next read loads them again in well under a second.
IDLE_RELEASE_S = 60.0


class RapidReader:
    """RapidOCR loaded on first use and let go when idle; calls are serialised (the
    library keeps state)."""

    def __init__(self, idle_release_s: float = IDLE_RELEASE_S, **params: Any) -> None:
        from desktop.engines.builtin.rapid import OPTIONS

        self._params = {**OPTIONS, **params}
        self._use_cls = bool(self._params.get("Global.use_cls", True))
        self._engine: Any = None
        self._lock = threading.Lock()
        self._idle_release_s = idle_release_s
        self._idle_timer: threading.Timer | None = None
        self._reads = 0

    @property
    def loaded(self) -> bool:
        """Whether the models are in memory now."""
        return self._engine is not None

    def release(self, *, after_reads: int | None = None) -> None:
        """Let the models and their memory go (the next read loads them again); waits for a
        read in progress. ``after_reads``: only if no read came since that many."""
        with self._lock:
            if after_reads is not None and after_reads != self._reads:
                return  # read again since the countdown started
            if self._engine is not None:
                logger.info("releasing RapidOCR models after %.0f s idle", self._idle_release_s)
            self._engine = None

    def _idle_again(self) -> None:
        """Count a read and (re)start the countdown to release() (called under the lock)."""
        self._reads += 1
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        timer = threading.Timer(
            self._idle_release_s, self.release, kwargs={"after_reads": self._reads}
        )
        timer.daemon = True
        timer.name = "builtin-ocr-idle"
        timer.start()
        self._idle_timer = timer

    def load(self) -> None:
        """Load the ONNX models (blocking; call from a worker thread)."""
        with self._lock:
            self._loaded_engine()

    def _loaded_engine(self) -> Any:
        """The RapidOCR engine, loaded now if it is not (called under the lock)."""
        if self._engine is None:
            from desktop.engines.builtin.rapid import calm_sessions, load_models, rapidocr_class

            logger.info("loading RapidOCR models")
            engine = rapidocr_class()(params=self._params)
            load_models(engine)
            calm_sessions(engine)
            self._engine = engine
        return self._engine

    def _call(self, bgr: np.ndarray, **steps: bool) -> Any:
        """One RapidOCR call with the models loaded, under the lock; restarts the idle
        countdown (blocking)."""
        with self._lock:
            result = self._loaded_engine()(bgr, **steps)
            self._idle_again()
        return result

    def read(self, rgb: np.ndarray, *, respace: bool = True) -> list[OcrLine]:
        """OCR an RGB array; lines in the array's pixel coordinates (blocking)."""
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        # The steps are named on every call: the library keeps the last call's choice
        # (``score_piece`` turns the detector off).
        result = self._call(
            bgr,
            use_det=True,
            use_cls=self._use_cls,
            use_rec=True,
            return_word_box=respace,
            return_single_char_box=respace,
        )
        txts = getattr(result, "txts", None)
        if not txts:
            return []
        chars = _char_boxes(result) if respace else None
        lines: list[OcrLine] = []
        for i, (quad, text, score) in enumerate(
            zip(result.boxes, txts, result.scores, strict=True)
        ):
            line = _to_line(quad, text, score, chars[i] if chars else None, gray)
            if line is not None:
                lines.append(line)
        return lines

    def read_piece(self, crop: np.ndarray) -> str:
        """The recogniser alone on an RGB crop of a single line: its text (blocking)."""
        return self.score_piece(crop)[0]

    def score_piece(self, crop: np.ndarray) -> tuple[str, float]:
        """The recogniser alone on an RGB line crop: its text and confidence (blocking)."""
        bgr = np.ascontiguousarray(crop[:, :, ::-1])
        result = self._call(bgr, use_det=False, use_cls=False, use_rec=True)
        got, scores = getattr(result, "txts", None), getattr(result, "scores", None)
        return (str(got[0]), float(scores[0])) if got and scores else ("", 0.0)
