"""Errors, page reasons and model-runtime facts in the UI language (the catalogue's words).

The core, the engines and the runtime hand facts up as ``Msg`` values; this is the one
place the window turns them into sentences, in the language the settings chose.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop.core.document import Page
from desktop.core.messages import LANGUAGES, Msg, render, say

_current = ["en"]


def set_ui_language(language: str) -> None:
    """The language facts are worded in from now on (i18n.install_language calls this)."""
    _current[0] = language if language in LANGUAGES else "en"


def ui_language() -> str:
    return _current[0]


def fact_words(fact: Msg) -> str:
    """One fact in the UI language."""
    return render(fact, _current[0])


def facts_words(facts: Iterable[Msg | None]) -> str:
    """Several facts (a problem and its fix, a page's reasons) as one text."""
    return say(facts, _current[0])


def page_reason_words(page: Page) -> str:
    """Why ``page`` is as it is; pages stored before facts existed keep their English."""
    return facts_words(page.facts) if page.facts else page.reason
