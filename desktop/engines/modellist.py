"""Reading an OpenAI-compatible ``/v1/models`` answer, whatever odd values a server puts in.

One reader for the page reader (``remote/client.py``) and the doctor's probe
(``serverprobe.py``): an entry is a dict with a non-empty ``id`` (a number is read as its
text); ``max_model_len`` counts only as a whole number of tokens in a plausible range
(a huge, negative, fractional, boolean or infinite value, or a word, is "not reported", and
the usual default is assumed). Nothing here raises on a hostile body.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: More tokens than any model serves (largest contexts are ~10M): a bigger value is junk.
MAX_PLAUSIBLE_CONTEXT = 1 << 27


@dataclass(frozen=True, slots=True)
class ListedModel:
    """One served model: its name and context length (None: not reported or nonsense)."""

    name: str
    context: int | None


def context_length(raw: Any) -> int | None:
    """``max_model_len`` as a token count, or None when it is not a plausible one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        raw = int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None
    if isinstance(raw, float):
        raw = int(raw) if math.isfinite(raw) and raw.is_integer() else None
    if isinstance(raw, int) and 0 < raw <= MAX_PLAUSIBLE_CONTEXT:
        return raw
    return None


def listed_models(payload: Any) -> list[ListedModel] | None:
    """The models of a ``/v1/models`` body; None when it is not a model list at all."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        return None
    models = []
    for entry in data:
        if not isinstance(entry, dict):
            continue
        raw_id = entry.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, str | int | float):
            continue
        name = str(raw_id).strip()
        if name:
            models.append(ListedModel(name, context_length(entry.get("max_model_len"))))
    return models
