"""The Markdown and HTML exports, read by a real CommonMark parser: nothing live, text kept.

markdown-it-py renders our Markdown export as a careless viewer would: raw HTML on and every
link target accepted (markdown-it's own ``validateLink`` filter switched off, as most
renderers have none), with and without GFM tables. No rendered link or image may point at
a dangerous scheme, no raw HTML may survive, and what a reader sees stays the model's text;
code spans and fenced code show ``<`` as ``<``.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from desktop.core.document import Block, Document, Page
from desktop.core.exports import document_to_html, document_to_markdown, inert_markdown

_SAFE = ("http://", "https://", "mailto:")


def _parsers() -> list[MarkdownIt]:
    plain = MarkdownIt("commonmark", {"html": True})
    gfm = MarkdownIt("commonmark", {"html": True}).enable("table")
    for md in (plain, gfm):
        md.validateLink = lambda url: True  # type: ignore[method-assign]
    return [plain, gfm]


PARSERS = _parsers()


def _walk(tokens: list[Token]) -> list[Token]:
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_walk(token.children or []))
    return out


def _scheme_text(href: str) -> str:
    """The href as a browser reads its scheme: entities and %-escapes decoded, tabs,
    newlines and control characters dropped, lower case."""
    decoded = unquote(html.unescape(href))
    return re.sub(r"[\x00-\x20\x7f]", "", decoded).lower()


def live_parts(markdown: str) -> list[str]:
    """What in ``markdown`` would go live: raw HTML, images, links off http(s)/mailto."""
    found = []
    for md in PARSERS:
        for token in _walk(md.parse(markdown)):
            if token.type in ("html_block", "html_inline"):
                found.append(f"html {token.content!r}")
            elif token.type == "image":
                found.append(f"image {token.attrGet('src')!r}")
            elif token.type == "link_open":
                href = str(token.attrGet("href") or "")
                if not _scheme_text(href).startswith(_SAFE):
                    found.append(f"link {href!r}")
    return found


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def seen(markdown: str) -> str:
    """The text a reader sees once ``markdown`` is rendered, spaces collapsed."""
    reader = _Visible()
    reader.feed(PARSERS[0].render(markdown))
    return " ".join("".join(reader.parts).split())


def _doc(*texts: str) -> Document:
    blocks = tuple(Block("Text", (0, 0, 9, 9), t, i) for i, t in enumerate(texts))
    return Document("d.png", (Page(0, 10, 10, blocks),))


HOSTILE = [
    "<javascript:alert(1)>",
    "<JaVaScRiPt:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html;base64,PHNjcmlwdD4=>",
    "[a [b] c](javascript:alert(1))",
    "[a [b [c] d] e](javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "> [r]: javascript:alert(1)\n\n[x][r]",
    "> > [r]: javascript:alert(1)\n\n[x][r]",
    "- [r]: javascript:alert(1)\n\n[x][r]",
    "1. [r]: javascript:alert(1)\n\n[x][r]",
    "[x]:\njavascript:alert(1)\n\n[x]",
    "[x\ny]: javascript:alert(1)\n\n[x y]",
    "[x]: <javascript:alert(1)>\n\n[x]",
    "[x]:javascript:alert(1)\n\n[x]",
    "[a](jav&#x61;script:alert(1))",
    "[a](jav&#97;script:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](<java script:alert(1)>)",
    "[a](<java\tscript:alert(1)>)",
    "[a](  <javascript:alert(1)>  )",
    "[a](\njavascript:alert(1))",
    '[a](javascript:alert(1) "title")',
    "[A](JAVASCRIPT:alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "![i](data:image/png;base64,iVBORw0KGgo=)",
    "[![i](x.png)](javascript:alert(1))",
    "\\\\[a](javascript:alert(1))",
    "[<b>](javascript:alert(1))",
    "[`a`](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    "\\\\<img src=x onerror=alert(1)>",
    "<!-- c --> <?php x ?> <![CDATA[ x ]]> <!DOCTYPE html> </script>",
    "| a | b |\n|---|---|\n| `x | <img src=x onerror=alert(1)>` |",
    "``` \n<script>alert(1)</script>",
    "`<b>` and ``<i>`` and `unclosed <script>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_block_exports_to_markdown_that_runs_and_loads_nothing(text: str) -> None:
    out = document_to_markdown(_doc(text))
    assert live_parts(out) == [], out


@pytest.mark.parametrize(
    "blocks",
    [
        ("[x]", "[x]: javascript:alert(1)"),
        ("[x]: javascript:alert(1)", "see [x]"),
        ("```", "<script>alert(1)</script>\n```\n<img src=x onerror=alert(1)>"),
        ("- item", "    [a [b] c](javascript:alert(1))"),
    ],
)
def test_blocks_that_are_harmless_alone_are_harmless_together(blocks: tuple[str, ...]) -> None:
    out = document_to_markdown(_doc(*blocks))
    assert live_parts(out) == [], out


def test_code_spans_and_fenced_code_show_angle_brackets_as_written() -> None:
    text = 'Wrap it in `<think>` tags, or ``<a href="x">``.'
    fenced = '```html\n<div class="x">&amp;</div>\n```'
    out = document_to_markdown(_doc(text, fenced))
    assert live_parts(out) == []
    assert "`<think>`" in out and '``<a href="x">``' in out
    assert '<div class="x">&amp;</div>' in out
    shown = seen(out)
    assert 'Wrap it in <think> tags, or <a href="x">.' in shown
    assert '<div class="x">&amp;</div>' in shown


def test_outside_code_html_and_autolinks_read_as_their_text() -> None:
    text = "Press <b>Enter</b> at <javascript:alert(1)>, 1 < 2 & 3 > 2"
    out = document_to_markdown(_doc(text))
    assert live_parts(out) == []
    assert seen(out) == "Press <b>Enter</b> at <javascript:alert(1)>, 1 < 2 & 3 > 2"


def test_safe_links_stay_links_and_unsafe_ones_keep_their_words() -> None:
    out = document_to_markdown(_doc("See [the site](https://example.org) or [that](javascript:x)."))
    assert "[the site](https://example.org)" in out
    assert seen(out) == "See the site or that."


FRAGMENTS = [
    "[", "]", "(", ")", "<", ">", "!", "`", "``", "\\", ":", " ", "\n", "\n\n", "> ", "- ",
    "1. ", "    ", "|", "---", '"', "&", "#", "x", "javascript:", "JavaScript:", "jav&#x61;script:",
    "java\tscript:", "vbscript:", "data:text/html,", "alert(1)", "&#58;", "&colon;", "]:",
    "https://ok.example", "img src=x onerror=alert(1)", "script", "```", "~~~",
]  # fmt: skip


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join), max_size=3))
def test_any_mix_of_link_and_html_syntax_exports_inert(texts: list[str]) -> None:
    out = document_to_markdown(_doc(*texts))
    assert live_parts(out) == [], out
    for text in texts:
        assert live_parts(inert_markdown(text)) == []


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "img", "script", "iframe", "object", "embed", "form", "base", "link"):
            self.live.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name in ("href", "src", "action", "formaction"):
                self.live.append(f"{tag} {name}={value!r}")


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_block_exports_to_html_that_runs_and_loads_nothing(text: str) -> None:
    tags = _Tags()
    tags.feed(document_to_html(_doc(text)))
    assert tags.live == []


def test_the_html_export_shows_code_spans_as_written() -> None:
    out = document_to_html(_doc("Wrap it in `<think>` tags, then <b>x</b>."))
    assert "<code>&lt;think&gt;</code>" in out
    assert "&amp;lt;" not in out and "&lt;b&gt;x&lt;/b&gt;" in out
