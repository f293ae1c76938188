"""The one chat policy: when the page travels with a question, what the model is sent,
and what of a conversation is kept.

A conversation is a document's list of ``ChatMessage``: the user's questions (the one
that carried the page keeps it), the model's answers and system notes the window shows
(errors, "Answer stopped."). The window asks here before each question; engines send
what they are given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from desktop.core.document import BBox
from desktop.engines.base import ChatMessage


def page_wanted(history: Sequence[ChatMessage], region: BBox | None) -> bool:
    """Whether the next question must carry the page (or ``region`` of it).

    The page travels with the first question, and again when the question is about
    another part of it (a region attached or cleared), or after a restart (images are
    not kept in the saved history).
    """
    holder = next((m for m in reversed(history) if m.image is not None), None)
    return holder is None or holder.region != region


def sendable(history: Sequence[ChatMessage]) -> list[ChatMessage]:
    """The turns a model sees: no system notes, and only the newest image (one per request)."""
    turns = [m for m in history if m.role != "system"]
    newest = max((i for i, m in enumerate(turns) if m.image is not None), default=-1)
    return [
        m if m.image is None or i == newest else dataclasses.replace(m, image=None, region=None)
        for i, m in enumerate(turns)
    ]


def kept_turns(history: Sequence[ChatMessage]) -> list[dict[str, str]]:
    """What the history store keeps of a conversation: each turn's role and text, no image."""
    return [{"role": m.role, "text": m.text} for m in history]


def restored(turns: Sequence[object]) -> list[ChatMessage]:
    """A kept conversation as messages again; what is not a turn is skipped."""
    return [
        ChatMessage(role=str(turn.get("role", "user")), text=str(turn.get("text", "")))
        for turn in turns
        if isinstance(turn, dict)
    ]
