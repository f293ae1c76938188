"""Which writing systems the bundled models read, and spotting a page they cannot.

The bundled PP-OCRv6 recogniser knows Latin letters, Chinese characters, digits and
punctuation. A page in another script (Cyrillic, Greek, Arabic...) still yields "text":
look-alike Latin letters with digits and capitals scattered inside words ("o6paTHo",
"NeBcKnn"). That pattern is rare in real Latin text, so a high share of such words
means the page is probably in a script the models do not read.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable

from desktop.core.messages import Code, Msg
from desktop.engines.builtin.languages import (
    SCRIPT_LANGUAGES,
    OsFamily,
    install_clause,
    language_name,
)

#: Scripts the bundled RapidOCR models read.
BUNDLED_SCRIPTS: tuple[str, ...] = ("Latin", "Han (Chinese)", "digits", "punctuation")

#: Tesseract language packs worth suggesting for scripts the bundled models lack.
TESSERACT_HINTS: dict[str, str] = SCRIPT_LANGUAGES

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


def looks_unsupported(texts: Iterable[str], *, min_words: int = 20) -> bool:
    """Whether the bundled models' text looks like another script read as Latin."""
    texts = list(texts)
    words = sum(len(_WORD.findall(t)) for t in texts)
    return words >= min_words and garbled_ratio(texts) >= 0.3


def script_message(
    script: str = "Cyrillic", *, have_tesseract: bool, family: OsFamily | None = None
) -> Msg:
    """Why the page is partial and exactly what to install to read it."""
    lang = SCRIPT_LANGUAGES.get(script, "rus")
    how = install_clause(lang, have_tesseract=have_tesseract, family=family)
    named = _SCRIPT_CODES.get(script)
    return Msg.of(
        Code.FOREIGN_SCRIPT,
        script=Msg(named) if named else script,
        language=language_name(lang),
        how=how,
    )


_SCRIPT_CODES = {
    "Cyrillic": Code.SCRIPT_CYRILLIC,
    "Greek": Code.SCRIPT_GREEK,
    "Arabic": Code.SCRIPT_ARABIC,
    "Hebrew": Code.SCRIPT_HEBREW,
    "Devanagari": Code.SCRIPT_DEVANAGARI,
}


def unsupported_script_message(
    texts: Iterable[str], *, min_words: int = 20, family: OsFamily | None = None
) -> Msg | None:
    """Why the page looks unreadable for the bundled models, or None."""
    if not looks_unsupported(texts, min_words=min_words):
        return None
    return script_message(have_tesseract=tesseract_binary() is not None, family=family)


def tesseract_binary() -> str | None:
    """Path of the ``tesseract`` executable, or None when it is not installed."""
    return shutil.which("tesseract")
