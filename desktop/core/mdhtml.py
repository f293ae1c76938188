"""The model's Markdown and LaTeX as inert HTML: emphasis, code and links rendered, nothing live.

markdown-it-py (the CommonMark reference implementation for Python) renders the Markdown with
raw HTML off; links become their text followed by the address as text (only http(s) and
mailto addresses are kept at all), images their alt text, so the page still loads and runs
nothing. Formulas become MathML through latex2mathml where it converts them, else LaTeX text.
"""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

logger = logging.getLogger(__name__)

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_HEADING_MARKS = re.compile(r"^\s{0,3}#{1,6}\s+")
_DISPLAY_DELIMITERS = re.compile(r"^\s*(?:\$\$(.*)\$\$|\\\[(.*)\\\]|\$(.*)\$)\s*$", re.DOTALL)
#: MathML attributes that would make a viewer fetch or open something (\href, images).
_LIVE_ATTRIBUTE = re.compile(r"\s(?:href|src|xlink:href|xmlns:xlink)\s*=", re.IGNORECASE)
_XMLNS = re.compile(r'\sxmlns="[^"]*"')


def _is_safe(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_SCHEMES)


def _link_open(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    env.setdefault("links", []).append(str(tokens[idx].attrGet("href") or ""))
    return '<span class="link">'


def _link_close(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    links: list[str] = env.get("links", [])
    url = links.pop() if links else ""
    shown = f" ({html.escape(url)})" if _is_safe(url) else ""
    return f"</span>{shown}"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    return html.escape(tokens[idx].content)


def _math(latex: str, options: dict[str, Any]) -> str:
    """Inline "$...$" (or "$$...$$") inside text: MathML where it converts, else the LaTeX."""
    display = bool(options.get("display_mode"))
    mathml = _mathml(latex, display=display)
    if mathml is not None:
        return mathml
    marks = "$$" if display else "$"
    return f'<code class="math">{html.escape(marks + latex + marks)}</code>'


@functools.cache
def _markdown() -> MarkdownIt:
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    # "$5 and $10" stays money: no space inside the dollars, no digit right after them.
    dollarmath_plugin(
        md,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        double_inline=True,
        renderer=_math,
    )
    # Only safe targets become links at all; others stay the literal Markdown text.
    md.validateLink = _is_safe  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    md.add_render_rule("image", _image)
    return md


def inline_html(markdown: str, *, heading: bool = False) -> str:
    """One block's Markdown as inline HTML (no raw HTML, no live links or images).

    ``heading`` drops the leading ``#`` marks a heading block may repeat.
    """
    text = markdown.strip()
    if heading:
        text = _HEADING_MARKS.sub("", text)
    return _markdown().renderInline(text, {}).strip()


#: Characters without which a text has no inline Markdown to render or strip.
_MARKDOWN_CHARS = re.compile(r"[*_`\[\\&<$]")


def plain_text(markdown: str) -> str:
    """Inline Markdown as the plain text it shows ("*p*-value" -> "p-value"); line breaks
    kept, links as their text, images as their alt text."""
    if not _MARKDOWN_CHARS.search(markdown):
        return markdown  # the common case, and linear whatever the length
    tokens = _markdown().parseInline(markdown, {})
    parts: list[str] = []
    for token in tokens[0].children or () if tokens else ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("math_inline", "math_inline_double"):
            marks = "$$" if token.type == "math_inline_double" else "$"
            parts.append(marks + token.content + marks)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "image":
            parts.append(token.content)
    return "".join(parts)


def inline_html_or_escaped(text: str) -> str:
    """``inline_html`` where the text has Markdown in it, else the text escaped."""
    if not _MARKDOWN_CHARS.search(text):
        return html.escape(text).replace("\n", "<br>")
    return inline_html(text)


def _mathml(latex: str, *, display: bool) -> str | None:
    """latex2mathml's MathML, or None where it fails or would carry an address."""
    if not latex.strip():
        return None
    try:
        from latex2mathml.converter import convert

        mathml = convert(latex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many types on LaTeX it cannot read
        logger.info("formula kept as LaTeX text: %s", type(exc).__name__)
        return None
    if _LIVE_ATTRIBUTE.search(mathml):
        return None  # \href: a page that loads nothing carries no address in an attribute
    return _XMLNS.sub("", mathml, count=1)  # HTML5 knows <math> without a namespace


def formula_html(latex: str) -> str:
    """Display math as MathML where latex2mathml converts it, else the LaTeX as text."""
    body = latex.strip()
    match = _DISPLAY_DELIMITERS.match(body)
    if match:
        body = next(g for g in match.groups() if g is not None).strip()
    mathml = _mathml(body, display=True)
    if mathml is not None:
        return f'<div class="formula">{mathml}</div>'
    return f'<pre class="formula">{html.escape(latex)}</pre>'
