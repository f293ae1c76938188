"""Errors, page reasons and model-runtime facts in the UI language (the catalogue's words).

The core, the engines and the runtime hand facts up as ``Msg`` values; this is the one
place the window turns them into sentences, in the language the settings chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from desktop.core.messages import LANGUAGES, Msg, render, say
from desktop.ui.words.language import set_ui_language, ui_language

if TYPE_CHECKING:
    from desktop.core.document import Page

__all__ = ["fact_words", "facts_words", "page_reason_words", "set_ui_language", "ui_language"]


def _language() -> str:
    language = ui_language()
    return language if language in LANGUAGES else "en"


def fact_words(fact: Msg) -> str:
    """One fact in the UI language."""
    return render(fact, _language())


def facts_words(facts: Iterable[Msg | None]) -> str:
    """Several facts (a problem and its fix, a page's reasons) as one text."""
    return say(facts, _language())


def page_reason_words(page: Page) -> str:
    """Why ``page`` is as it is; pages stored before facts existed keep their English."""
    return facts_words(page.facts) if page.facts else page.reason
