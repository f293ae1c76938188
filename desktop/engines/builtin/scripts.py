"""Which writing systems the bundled models read, and spotting a page they cannot.

The bundled PP-OCRv4 recogniser knows Latin letters, Chinese characters, digits and
punctuation. A page in another script (Cyrillic, Greek, Arabic...) still yields "text":
look-alike Latin letters with digits and capitals scattered inside words ("o6paTHo",
"NeBcKnn"). That pattern is rare in real Latin text, so a high share of such words
means the page is probably in a script the models do not read.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable

#: Scripts the bundled RapidOCR models read.
BUNDLED_SCRIPTS: tuple[str, ...] = ("Latin", "Han (Chinese)", "digits", "punctuation")

#: Tesseract language packs worth suggesting for scripts the bundled models lack.
TESSERACT_HINTS: dict[str, str] = {
    "Cyrillic": "rus",
    "Greek": "ell",
    "Arabic": "ara",
    "Hebrew": "heb",
    "Devanagari": "hin",
}

_WORD = re.compile(r"[^\s]{3,}")
_LOWER_UPPER = re.compile(r"[a-z][A-Z]")
_DIGIT_INSIDE = re.compile(r"[A-Za-z][0-9][A-Za-z]")
_LATIN = re.compile(r"[A-Za-z]")


def garbled_ratio(texts: Iterable[str]) -> float:
    """Share of Latin words with a lower->upper switch or a digit between letters."""
    words = [w for t in texts for w in _WORD.findall(t) if len(_LATIN.findall(w)) >= 3]
    if not words:
        return 0.0
    odd = sum(1 for w in words if _LOWER_UPPER.search(w) or _DIGIT_INSIDE.search(w))
    return odd / len(words)


def unsupported_script_message(texts: Iterable[str], *, min_words: int = 20) -> str | None:
    """A sentence telling the user the page looks unreadable for the bundled models, or None."""
    texts = list(texts)
    words = sum(len(_WORD.findall(t)) for t in texts)
    if words < min_words or garbled_ratio(texts) < 0.3:
        return None
    return (
        "This page looks like it is written in a script the built-in models do not read "
        "(they read Latin and Chinese), for example Cyrillic; install Tesseract with the "
        "language pack (e.g. 'tesseract-ocr-rus' for Russian) and choose the Tesseract "
        "backend with that language in the settings."
    )


def tesseract_binary() -> str | None:
    """Path of the ``tesseract`` executable, or None when it is not installed."""
    return shutil.which("tesseract")
