"""Model-written Markdown made inert: it reads the same in any viewer and loads or runs nothing.

Two passes. The first keeps the text as written and neutralises, outside code spans and
fenced code (where an escape would show as written), what a viewer would make live: raw
HTML and autolinks (their ``<`` as ``&lt;``), images (their alt text), links and reference
definitions whose target is not http(s) or mailto (their words). The second is the check:
markdown-it-py, a CommonMark parser, reads the result as a careless viewer would (raw HTML
on, every link target accepted, with and without GFM tables). Where anything is still live
(nested brackets, a reference definition split over lines, a link around a code span), the
strict form is used instead: every ``<``, ``[`` and ``]`` as a character reference, which
no Markdown reads as syntax, so the text still reads the same.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
#: "<" where Markdown starts raw HTML or an autolink; backslashes before it counted.
_TAG_START = re.compile(r"(\\*)<(?=[A-Za-z/!?])")
_BACKTICKS = re.compile(r"(\\*)(`+)")
#: A fence opening, inside any block quotes and list items.
_FENCE_OPEN = re.compile(
    r"^(?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*(`{3,}|~{3,})(.*)$"
)
# Labels exclude "[" and targets are unambiguous, so a hostile line costs linear time.
_TARGET = r"\((?:[^()\n]|\([^()\n]*\))*\)"  # (url "title"), one level of (...) inside
_MD_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]" + _TARGET)
_MD_LINK = re.compile(r"\[([^\[\]\n]*)\]\(\s*<?([^()\s>]*+)(?:[^()\n]|\([^()\n]*\))*\)")
_MD_REFDEF = re.compile(
    r"^((?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*)\[([^\[\]\n]+)\]:[ \t]*<?(\S*)",
    re.MULTILINE,
)
_STRICT = str.maketrans({"<": "&lt;", "[": "&#91;", "]": "&#93;"})
#: Characters Markdown reads as syntax anywhere in a line, and at a line's start.
_SYNTAX = re.compile(r"([\\`*_\[\]<>&|~$])")
_LINE_START_SYNTAX = re.compile(r"^([#+=-]|\d{1,9}(?=[.)]))")


#: A block with more of "<", "[" and "]" than this is a looping model's, not prose: it goes
#: straight to the strict form (a parser reading 100,000 brackets takes seconds).
MAX_SYNTAX_CHARS = 2000


def inert_markdown(text: str, *, strict: bool = False) -> str:
    """``text`` (the model's Markdown) as Markdown that reads the same and loads nothing.

    ``strict`` skips straight to the strict form (see the module), for a document whose
    blocks are only live together (a reference definition in one, its use in another).
    """
    kept = text.translate(_STRICT) if strict else first_pass(text)
    return kept if is_inert(kept) else text.translate(_STRICT)


def first_pass(text: str) -> str:
    """The first pass alone (see the module), for text a caller checks with others."""
    if sum(text.count(ch) for ch in "<[]") > MAX_SYNTAX_CHARS:
        return text.translate(_STRICT)
    return _outside_code(text, _neutralise)


def plain_markdown(text: str) -> str:
    """Plain text (not the model's Markdown) as Markdown paragraphs that show it as it is:
    one paragraph per line, every character Markdown would read as syntax escaped."""
    lines = (line.strip() for line in text.split("\n"))
    escaped = (_LINE_START_SYNTAX.sub(_escape_start, _SYNTAX.sub(r"\\\1", ln)) for ln in lines)
    return "\n\n".join(line for line in escaped if line)


def _escape_start(m: re.Match[str]) -> str:
    mark = m.group(1)
    return mark + "\\" if mark[0].isdigit() else "\\" + mark  # "1\." / "\#": no list, heading


def is_inert(markdown: str) -> bool:
    """True when no CommonMark (or GFM table) reading of ``markdown`` has raw HTML, an
    image, or a link whose target is not http(s) or mailto."""
    if not any(ch in markdown for ch in "<[]"):
        return True  # no HTML, autolink, link or image without these: the common case
    plain, tables = _parsers()
    parsers = (plain, tables) if "|" in markdown else (plain,)  # no "|": no GFM table
    return not any(_live(token) for md in parsers for token in _walk(md.parse(markdown)))


def _live(token: Token) -> bool:
    if token.type in ("html_block", "html_inline", "image"):
        return True
    return token.type == "link_open" and not _safe(str(token.attrGet("href") or ""))


def _safe(href: str) -> bool:
    """Read as a browser reads a scheme: entities and %-escapes decoded, control characters
    and spaces dropped (browsers drop tabs and newlines anywhere in a URL)."""
    decoded = re.sub(r"[\x00-\x20\x7f]", "", unquote(html.unescape(href))).lower()
    return decoded.startswith(_SAFE_SCHEMES)


def _walk(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


@functools.cache
def _parsers() -> tuple[MarkdownIt, ...]:
    plain = MarkdownIt("commonmark", {"html": True})
    tables = MarkdownIt("commonmark", {"html": True}).enable("table")
    for md in (plain, tables):
        # markdown-it drops javascript: targets itself; most viewers do not, so neither may we.
        md.validateLink = lambda url: True  # type: ignore[method-assign]
    return plain, tables


def _neutralise(text: str) -> str:
    """The first pass on text outside code (see the module)."""

    def tag(m: re.Match[str]) -> str:
        slashes = m.group(1)
        return slashes + ("<" if len(slashes) % 2 else "&lt;")  # "\<" is already text

    def link(m: re.Match[str]) -> str:
        return m.group(0) if m.group(2).lower().startswith(_SAFE_SCHEMES) else m.group(1)

    def refdef(m: re.Match[str]) -> str:
        if m.group(3).lower().startswith(_SAFE_SCHEMES):
            return m.group(0)
        lead = m.group(1)
        return lead + "\\" + m.group(0)[len(lead) :]  # "\[": plain text, no definition

    text = _TAG_START.sub(tag, text)
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(link, text)
    return _MD_REFDEF.sub(refdef, text)


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied to the text outside fenced code and code spans, by line."""
    out: list[str] = []
    paragraph: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if paragraph:
            out.append(_outside_spans("\n".join(paragraph), change))
            paragraph.clear()

    for line in text.split("\n"):
        if fence is not None:
            out.append(line)
            closing = line.lstrip(" \t>")
            if closing.startswith(fence) and not closing.rstrip().strip(fence[0]):
                fence = None
            continue
        opening = _FENCE_OPEN.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            flush()
            out.append(line)
            fence = opening.group(1)
        elif not line.strip():
            flush()
            out.append(line)
        else:
            paragraph.append(line)
    flush()
    return "\n".join(out)


def _outside_spans(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied outside code spans (CommonMark: a run of n backticks up to the
    next run of exactly n); linear time whatever the runs."""
    runs = list(_BACKTICKS.finditer(text))
    by_length: dict[int, list[int]] = {}
    for k, run in enumerate(runs):
        by_length.setdefault(len(run.group(2)), []).append(k)
    pieces: list[str] = []
    pos = k = 0
    while k < len(runs):
        run = runs[k]
        start, length = run.start(2), len(run.group(2))
        if len(run.group(1)) % 2:  # "\`": the first backtick is text
            start, length = start + 1, length - 1
        same = by_length.get(length, [])
        after = bisect.bisect_right(same, k)
        if length == 0 or after == len(same):
            k += 1
            continue
        close = same[after]
        end = runs[close].end(2)
        pieces.append(change(text[pos:start]))
        pieces.append(text[start:end])
        pos, k = end, close + 1
    pieces.append(change(text[pos:]))
    return "".join(pieces)
