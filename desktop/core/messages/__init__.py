"""Facts as data: a stable code per fact a user can be told, its parameters, and its words.

Errors and page reasons travel up as ``Msg(code, params)`` values; they become a sentence
only at the edge (the window, the CLI, a log line), in that edge's language, through
``render``. ``str(error)`` and ``Page.reason`` stay the English rendering (logs, JSON).

Why plain Python templates and not gettext or Qt's ``tr()``: the core, the engines, the
runtime and the CLI must not import Qt, and gettext keys by the English sentence, so a
reworded sentence silently loses its translation (the defect this replaces). Here the key
is the code: a template per code per language, checked by a test (every code has every
language, with the same placeholders). Templates are ``str.format`` strings with named
fields, two additions: a parameter that is itself a ``Msg`` (or a tuple of them) is
rendered in the same language, ``{n:plural:one|few|many}`` picks the plural form
(English uses two forms, Russian three) and ``{items:join:; }`` joins a tuple.
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.core.messages.codes import Code

__all__ = [
    "LANGUAGES",
    "Code",
    "Msg",
    "facts_from_json",
    "facts_to_json",
    "language_from_env",
    "render",
    "say",
]

#: The languages the catalogue speaks; the first is the fallback.
LANGUAGES = ("en", "ru")


@dataclass(frozen=True, slots=True)
class Msg:
    """One fact: what happened (``code``) and its particulars (file name, HTTP status, ...)."""

    code: Code
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.code, Code):
            raise TypeError(f"Msg needs a Code, got {self.code!r}")

    @classmethod
    def of(cls, code: Code, **params: Any) -> Msg:
        return cls(code, params)

    def __str__(self) -> str:
        return render(self, "en")

    def to_json(self) -> dict[str, Any]:
        """``{"code": ..., "params": {...}}``; parameters that are facts nest the same way."""
        return {"code": self.code.value, "params": {k: _to_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Msg:
        """The fact ``to_json`` wrote (ValueError for an unknown code)."""
        params = data.get("params") or {}
        return cls(Code(str(data["code"])), {k: _from_json(v) for k, v in params.items()})


def _to_json(value: Any) -> Any:
    if isinstance(value, Msg):
        return value.to_json()
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and "code" in value:
        return Msg.from_json(value)
    if isinstance(value, list):
        return tuple(_from_json(v) for v in value)
    return value


def facts_to_json(facts: Iterable[Msg]) -> list[dict[str, Any]]:
    return [f.to_json() for f in facts]


def facts_from_json(data: Any) -> tuple[Msg, ...]:
    """Facts stored by ``facts_to_json``; unknown codes (a newer version wrote them) are skipped."""
    out = []
    for item in data if isinstance(data, list) else ():
        try:
            out.append(Msg.from_json(item))
        except (ValueError, KeyError, TypeError):
            continue
    return tuple(out)


def _plural_ru(n: int, forms: list[str]) -> str:
    if len(forms) != 3:
        return forms[-1]
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def _plural_en(n: int, forms: list[str]) -> str:
    return forms[0] if abs(n) == 1 else forms[-1]


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("plural:"):
            forms = format_spec.removeprefix("plural:").split("|")
            pick = _plural_ru if self.lang == "ru" else _plural_en
            return pick(int(value), forms)
        if format_spec.startswith("join:"):
            return format_spec.removeprefix("join:").join(
                render(v, self.lang) if isinstance(v, Msg) else str(v) for v in value
            )
        if isinstance(value, Msg):
            return render(value, self.lang)
        if isinstance(value, tuple | list) and all(isinstance(v, Msg) for v in value):
            return say(value, self.lang)
        return super().format_field(value, format_spec)


def _templates(lang: str) -> Mapping[Code, str]:
    if lang == "ru":
        from desktop.core.messages.ru import TEMPLATES as RU

        return RU
    from desktop.core.messages.en import TEMPLATES as EN

    return EN


def render(msg: Msg, lang: str = "en") -> str:
    """``msg`` as a sentence in ``lang`` (English when the language or the code is unknown)."""
    lang = lang if lang in LANGUAGES else "en"
    template = _templates(lang).get(msg.code) or _templates("en")[msg.code]
    try:
        return _Formatter(lang).vformat(template, (), dict(msg.params))
    except (KeyError, IndexError, ValueError) as exc:  # a missing parameter: a bug, show the code
        raise ValueError(f"cannot render {msg.code.value} with {dict(msg.params)}") from exc


def say(facts: Iterable[Msg | None], lang: str = "en") -> str:
    """Several facts (a problem and its fix, a page's reasons) as one text, space-separated."""
    return " ".join(render(f, lang) for f in facts if f is not None)


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The catalogue language of the system locale (LC_ALL, LC_MESSAGES, LANG), or English."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            lang = value.split(".")[0].split("_")[0].lower()
            return lang if lang in LANGUAGES else "en"
    return "en"
