"""A page's reason (why it is partial, recovered or failed), or an error, in the UI language.

The engines and the core write these sentences in English (they also go to the CLI and the
JSON). Each known fragment is translated where it appears, so combined reasons ("A loop was
stopped …; the page was re-read as …") translate piece by piece; unknown text stays as is.
Error sentences (a file that cannot be read, a server that does not answer) have their
rules in errortext.py.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

from desktop.ui.words.errortext import error_rules


def t(text: str) -> str:
    return QCoreApplication.translate("PageReason", text)


_N = r"(\d+)"
_BLOCKS = r"blocks?"
_TAIL = r"( and the cut-off last one)?"


def _rules() -> tuple[tuple[str, str, str], ...]:
    """(English fragment as the engines and the core write it, its translation, the
    translation's form for a last group "and the cut-off last one", or ""). %1, %2 are the
    fragment's groups. Translated at each call: the language can change while the app runs."""
    return (
        (r"read with Tesseract \(([^)]+)\)", t("read with Tesseract (%1)"), ""),
        (
            r"A repetition loop was stopped after (\d+) characters",
            t("A repetition loop was stopped after %1 characters"),
            "",
        ),
        (r"A repetition loop was cut", t("A repetition loop was cut"), ""),
        (
            r"the same (\S+) block was repeated (\d+) times",
            t("the same %1 block was repeated %2 times"),
            "",
        ),
        (r"the text (.+?) repeated (\d+) times", t("the text %1 repeated %2 times"), ""),
        (
            r"the page was re-read as layout plus (\d+) regions",
            t("the page was re-read as layout plus %1 regions"),
            "",
        ),
        (r"re-reading failed:", t("re-reading failed:"), ""),
        (
            rf"{_N} {_BLOCKS} without a usable box left out",
            t("blocks without a usable box left out: %1"),
            "",
        ),
        (
            r"The model's answer has no block with a usable box",
            t("The model's answer has no block with a usable box"),
            "",
        ),
        (r"The model returned an empty answer", t("The model returned an empty answer"), ""),
        (
            r"The answer hit the token limit before any block",
            t("The answer hit the token limit before any block"),
            "",
        ),
        (
            rf"The answer hit the token limit; {_N} complete {_BLOCKS} kept{_TAIL}",
            t("The answer hit the token limit; complete blocks kept: %1"),
            t("The answer hit the token limit; complete blocks kept: %1, and the cut-off last one"),
        ),
        (r"The answer was cut at the token limit", t("The answer was cut at the token limit"), ""),
        (
            r"The model's answer contains no readable layout blocks",
            t("The model's answer contains no readable layout blocks"),
            "",
        ),
        (
            rf"The model's JSON was malformed; {_N} {_BLOCKS} recovered{_TAIL}",
            t("The model's JSON was malformed; blocks recovered: %1"),
            t("The model's JSON was malformed; blocks recovered: %1, and the cut-off last one"),
        ),
        (
            rf"{_N} repeated {_BLOCKS} removed \(the model looped\)",
            t("Repeated blocks removed (the model looped): %1"),
            "",
        ),
        (r"The answer stopped early \(([^)]+)\)", t("The answer stopped early (%1)"), ""),
        (
            r"image reduced to (\d+x\d+) to fit the server's (\d+)-token context",
            t("image reduced to %1 to fit the server's %2-token context"),
            "",
        ),
        (
            r"answer limited to (\d+) tokens \(asked for (\d+)\)",
            t("answer limited to %1 tokens (asked for %2)"),
            "",
        ),
        # The page reader's own (engines/batch/pipeline.py).
        (r"^Cancelled(?=\.)", t("Cancelled"), ""),
        (r"An earlier page could not be read", t("An earlier page could not be read"), ""),
        (r"The page could not be rendered", t("The page could not be rendered"), ""),
        (r"The engine ended without a result", t("The engine ended without a result"), ""),
    )


def reason_words(reason: str) -> str:
    """``reason`` (or an error sentence) with every known fragment in the UI language."""
    if not reason:
        return reason
    errors = tuple((pattern, words, "") for pattern, words in error_rules())
    for pattern, one, with_tail in _rules() + errors:

        def fill(m: re.Match[str], one: str = one, with_tail: str = with_tail) -> str:
            groups = [g for g in m.groups() if g is not None]
            text = one
            if with_tail and groups and groups[-1].startswith(" and the cut-off"):
                text, groups = with_tail, groups[:-1]
            for n, value in enumerate(groups, start=1):
                text = text.replace(f"%{n}", value)
            return text

        reason = re.sub(pattern, fill, reason)  # re caches the compiled patterns
    return reason
