"""A model's chat answer as safe, balanced HTML: Markdown rendered, markup on an allow-list.

An answer is untrusted text that may mix Markdown, HTML tables, stray tags and, from an OCR
model asked a free question, its layout JSON. markdown-it-py renders the Markdown (raw HTML
passed on), then an ``html.parser`` walk keeps only allow-listed tags without attributes,
closes whatever the answer left open and drops what it closes without opening. A table is
rebuilt from its cells only when the answer closed it; an unclosed one is shown as its text,
row by row. So one answer's markup can never reach past its own fragment.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from desktop.core.document import Block
from desktop.core.parse import parse_layout
from desktop.core.resize import BoxMapping
from desktop.core.tables import parse_table_html

#: Tags kept (without any attribute); everything else is dropped and its text kept.
_ALLOWED = frozenset(
    [
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "del",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "hr",
        "sub",
        "sup",
        "span",
        "div",
    ]
)
_VOID = frozenset({"br", "hr"})
#: Tags whose content is not text to show at all.
_HIDDEN = frozenset({"script", "style", "head", "title", "iframe", "object", "template"})
_TABLE_PARTS = frozenset({"thead", "tbody", "tfoot", "tr", "th", "td", "caption"})
_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*|\s*```\s*$")
_LAYOUT_START = re.compile(r'^\s*[\[{]\s*\{?\s*"(?:bbox|category)"')
#: A layout answer's boxes are model pixels of an unknown page: a mapping big enough to keep all.
_ANY_PAGE = BoxMapping.identity(1_000_000, 1_000_000)


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "breaks": True, "linkify": False})
    md.enable("table")
    md.validateLink = lambda url: False  # type: ignore[method-assign]  # links stay text
    return md


class _Sanitiser(HTMLParser):
    """Writes allow-listed, balanced HTML; tables are buffered until they close."""

    def __init__(self, *, tables: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.tables = tables
        self.out: list[str] = []
        self.open: list[str] = []
        self.hidden = 0
        self.table_depth = 0
        self.table: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.hidden:
            self.hidden += tag in _HIDDEN
            return
        if tag in _HIDDEN:
            self.hidden = 1
        elif self.table_depth:
            self.table_depth += tag == "table"
            self.table.append(self._table_tag(tag, attrs))
        elif tag == "table" and self.tables:
            self.table_depth = 1
            self.table = ["<table>"]
        elif tag in ("tr", "li", "p", "div") and not self.tables:
            self.out.append("<br>")
        elif tag in ("td", "th") and not self.tables:
            self.out.append(" | " if self.out and self.out[-1] != "<br>" else "")
        elif tag in _ALLOWED:
            self.out.append(f"<{tag}>")
            if tag not in _VOID:
                self.open.append(tag)

    @staticmethod
    def _table_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
        if tag not in _TABLE_PARTS and tag != "table":
            return "<br>" if tag == "br" else ""
        spans = "".join(
            f' {k}="{html.escape(v or "")}"' for k, v in attrs if k in ("rowspan", "colspan")
        )
        return f"<{tag}{spans}>"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            self.hidden -= tag in _HIDDEN
            return
        if self.table_depth:
            self.table_depth -= tag == "table"
            if tag in _TABLE_PARTS or tag == "table":
                self.table.append(f"</{tag}>")
            if not self.table_depth:
                self._flush_table(closed=True)
            return
        if tag in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.table_depth:
            self.table.append(html.escape(data))
        else:
            self.out.append(html.escape(data))

    def _flush_table(self, *, closed: bool) -> None:
        markup, self.table, self.table_depth = "".join(self.table), [], 0
        grid = parse_table_html(markup) if closed else None
        if grid is not None and grid.rows and grid.cols:
            self.out.append(grid.to_html())
            return
        # Not a table a reader can trust: its text, a row a line, and nothing left open.
        text = sanitise_html(markup, tables=False).removeprefix("<br>")
        self.out.append("<p>" + text + "</p>")

    def finish(self) -> str:
        self.close()
        if self.table_depth:
            self._flush_table(closed=False)
        self.out.extend(f"</{tag}>" for tag in reversed(self.open))
        self.open.clear()
        return "".join(self.out)


def sanitise_html(markup: str, *, tables: bool = True) -> str:
    """``markup`` with allow-listed tags only, balanced; tables only where well-formed."""
    sanitiser = _Sanitiser(tables=tables)
    sanitiser.feed(markup)
    return sanitiser.finish()


def answer_html(text: str) -> str:
    """A chat answer (Markdown with perhaps HTML in it) as a safe, self-contained fragment."""
    return sanitise_html(_markdown().render(text))


@dataclass(frozen=True, slots=True)
class LayoutAnswer:
    """An answer that is a page's layout JSON rather than a reply."""

    blocks: tuple[Block, ...]


def layout_answer(text: str) -> LayoutAnswer | None:
    """The blocks of an answer written as dots.ocr layout JSON; None for any other answer."""
    body = _FENCE.sub("", text.strip()) if "```" in text else text
    if not _LAYOUT_START.match(body):
        return None
    result = parse_layout(body, _ANY_PAGE, finish_reason=None)
    return LayoutAnswer(tuple(result.blocks))


def layout_html(layout: LayoutAnswer) -> str:
    """The layout's text in reading order: tables as tables, other blocks as paragraphs."""
    parts = []
    for block in layout.blocks:
        text = (block.text or "").strip()
        if not text or block.category == "Picture":
            continue
        parts.append(answer_html(text))
    return "".join(parts)
