"""Documents out: Markdown, JSON (the CLI contract), text, HTML, XLSX, CSV; atomic writes."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop.core.clipboard import typed_table_html
from desktop.core.document import Block, Document, Page
from desktop.core.mdhtml import formula_html, inline_html
from desktop.core.mdinert import first_pass, inert_markdown, is_inert, plain_markdown
from desktop.core.messages import facts_to_json
from desktop.core.numbers import NumberConvention
from desktop.core.sheets import (
    ENGLISH_INDEX,
    IndexWords,
    SheetTable,
    document_convention,
    document_sheet_tables,
    sheet_csv,
    sheet_title,
    workbook_bytes,
)
from desktop.core.tableblock import BlockTable, read_table_block
from desktop.core.tables import TableGrid

__all__ = ["inert_markdown", "sheet_title"]  # homes: core/mdinert.py, core/sheets.py

_HEADER_FOOTER = frozenset({"Page-header", "Page-footer"})
#: Blocks whose Markdown this module writes itself, never the model's text.
_OURS = frozenset({"Picture", "Table"})
_DISPLAY_MATH = re.compile(r"^\\\[(.*)\\\]$", re.DOTALL)


# ---------------------------------------------------------------- atomic writes


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write all of ``data`` or nothing: temp file beside ``path``, fsync, os.replace."""
    target = Path(path)
    # A short fixed prefix: ".<name>.XXXX.tmp" passes 255 bytes when the name is long.
    fd, tmp = tempfile.mkstemp(prefix=".dots-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private; exports should get the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        # Persist the rename itself; not possible on every platform or filesystem.
        with contextlib.suppress(OSError):
            dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """``atomic_write_bytes`` for text (UTF-8, newlines as given)."""
    try:
        # A non-UTF-8 file name quoted in the text is written back as its own bytes.
        data = text.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:  # another lone surrogate (a model's "\\ud800"): never fail
        data = text.encode(encoding, "replace")
    atomic_write_bytes(path, data)


# ---------------------------------------------------------------- Markdown


def formula_markdown(latex: str) -> str:
    """Display math as ``$$ ... $$`` (``\\[ ... \\]`` converted; existing ``$$`` kept)."""
    body = latex.strip()
    if body.startswith("$$") and body.endswith("$$") and len(body) >= 4:
        return body
    match = _DISPLAY_MATH.match(body)
    if match:
        body = match.group(1).strip()
    return f"$$\n{body}\n$$"


def picture_name(page: Page, block: Block) -> str:
    """File name a picture crop is exported under: page and block numbers from 1."""
    return f"page-{page.index + 1}-block-{block.index + 1}.png"


def table_markdown(markup: str) -> str:
    """A Table block as Markdown: its text and captions as paragraphs shown as written, each
    table rebuilt from its parsed grid as clean HTML (no raw HTML of the model survives)."""
    out = []
    for part in read_table_block(markup):
        if isinstance(part, BlockTable):
            out.append(plain_markdown(part.caption))
            out.append(part.grid.to_html())
        else:
            out.append(plain_markdown(part))
    return "\n\n".join(p for p in out if p)


#: How much care the model's Markdown gets: the first pass alone (a caller checks the whole
#: document), the first pass checked by a parser, or the strict form (``core/mdinert.py``).
_CARE = {
    "first": first_pass,
    "checked": inert_markdown,
    "strict": lambda text: inert_markdown(text, strict=True),
}


def block_markdown(
    page: Page, block: Block, *, pictures: str = "reference", care: str = "checked"
) -> str:
    """One block as Markdown; ``pictures`` is "reference" or "omit"; ``care`` a key of
    ``_CARE``."""
    if block.category == "Picture":
        if pictures == "omit":
            return ""
        return f"![Picture]({picture_name(page, block)})"
    if block.category == "Table":
        return table_markdown(block.text or "")
    # The model's text is Markdown; what in it could go live in a viewer (raw HTML, images,
    # script links) is made inert and reads the same.
    text = _CARE[care](block.text or "")
    if block.category == "Formula":
        return formula_markdown(text) if text.strip() else ""
    return text.strip()


def _page_parts(
    page: Page, header_footer: bool, pictures: str, care: str
) -> list[tuple[str, bool]]:
    """(Markdown, written by the model) of each block shown; tables and pictures are ours."""
    if not page.blocks:
        return [(_CARE[care](page.text).strip(), True)]
    return [
        (block_markdown(page, b, pictures=pictures, care=care), b.category not in _OURS)
        for b in page.blocks
        if header_footer or b.category not in _HEADER_FOOTER
    ]


def page_markdown(page: Page, *, header_footer: bool = True, pictures: str = "reference") -> str:
    """A page's blocks joined by blank lines (or its plain text in text-only mode)."""
    parts = _page_parts(page, header_footer, pictures, "checked")
    return "\n\n".join(p for p, _ in parts if p)


def document_to_markdown(
    doc: Document, *, header_footer: bool = True, pictures: str = "reference"
) -> str:
    """The whole document as Markdown, pages separated by a blank line.

    The model's blocks are read by a parser as one text (blocks can be live only together:
    a reference definition in one, its use in another; a fence one opens and another
    closes). Where anything is live, each block is checked alone, then, if the document
    still is, every block is written in the strict form.
    """
    parts: list[tuple[str, bool]] = []
    for care in ("first", "checked", "strict"):
        parts = [
            part
            for page in doc.pages
            for part in _page_parts(page, header_footer, pictures, care)
            if part[0]
        ]
        # Our tables and pictures stand in as a plain paragraph: they end lists and quotes.
        if care == "strict" or is_inert("\n\n".join(p if model else "x" for p, model in parts)):
            break
    body = "\n\n".join(p for p, _ in parts)
    return body + "\n" if body else ""


# ---------------------------------------------------------------- JSON


def page_to_dict(page: Page) -> dict[str, Any]:
    """The DESIGN.md page object (original-pixel boxes; no ``text`` for pictures)."""
    blocks = []
    for block in page.blocks:
        item: dict[str, Any] = {"bbox": list(block.bbox), "category": block.category}
        if block.category != "Picture" and block.text is not None:
            item["text"] = block.text
        if block.facts:  # e.g. this region's read was cut by a loop: its text ends with [...]
            item["facts"] = facts_to_json(block.facts)
        blocks.append(item)
    out: dict[str, Any] = {
        "index": page.index,
        "width": page.width,
        "height": page.height,
        "status": str(page.status),
        "blocks": blocks,
    }
    if page.reason:
        out["reason"] = page.reason
    if page.facts:  # the reason as codes and parameters, for scripts (and any language)
        out["reason_facts"] = facts_to_json(page.facts)
    if page.model_width and page.model_height:
        out["model_width"] = page.model_width
        out["model_height"] = page.model_height
    if page.text:
        out["text"] = page.text
    return out


def document_to_json(doc: Document) -> str:
    """``{"source": ..., "pages": [...]}`` exactly as the CLI contract says, UTF-8 kept."""
    payload = {"source": doc.source, "pages": [page_to_dict(p) for p in doc.pages]}
    return json_text(payload)


def json_text(value: Any) -> str:
    """Indented JSON with UTF-8 kept; \\u escapes only where a string cannot be UTF-8.

    A file name that is not UTF-8 arrives with lone surrogates (os.fsdecode); raw, they
    would make the output unwritable, escaped they read back exactly.
    """
    text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, indent=2) + "\n"
    return text


# ---------------------------------------------------------------- plain text


def _plain(text: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = re.sub(r"^#{1,6}\s+", "", line)
        stripped = re.sub(r"(\*\*|__)(.+?)\1", r"\2", stripped)
        lines.append(stripped)
    return "\n".join(lines).strip()


def _table_text(markup: str) -> list[str]:
    """A Table block's pieces as text: lines as they are, tables as tab-separated rows."""
    out = []
    for part in read_table_block(markup):
        if isinstance(part, BlockTable):
            out += [part.caption, part.grid.to_tsv(for_spreadsheet=False).rstrip("\r\n")]
        else:
            out.append(part)
    return [p for p in out if p]


def document_to_text(doc: Document, *, header_footer: bool = True) -> str:
    """Reading-order text; tables as tab-separated rows, pages separated by a form feed."""
    pages = []
    for page in doc.pages:
        if not page.blocks:
            pages.append(page.text.strip())
            continue
        parts = []
        for block in page.blocks:
            if block.category == "Picture" or not block.text:
                continue
            if not header_footer and block.category in _HEADER_FOOTER:
                continue
            if block.category == "Table":
                parts.extend(_table_text(block.text))
            elif block.category == "Formula":
                parts.append(formula_markdown(block.text).strip("$").strip())
            else:
                parts.append(_plain(block.text))
        pages.append("\n\n".join(p for p in parts if p))
    return "\n\f\n".join(pages) + "\n"


# ---------------------------------------------------------------- HTML

_HTML_TAGS = {
    "Title": "h1",
    "Section-header": "h2",
    "Caption": "figcaption",
    "Page-header": "header",
    "Page-footer": "footer",
}
_STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.2em .5em}"
    "header,footer{color:#666;font-size:.9em}.formula{background:#f4f4f4;padding:.5em}"
    ".picture{color:#888;font-style:italic}section.page{border-bottom:1px solid #ccc}"
)


def _table_block_html(markup: str, convention: NumberConvention) -> str:
    """Text and captions as paragraphs; tables typed like the clipboard's, so a spreadsheet
    opening the page keeps numbers as printed."""
    out = []
    for part in read_table_block(markup):
        if isinstance(part, BlockTable):
            if part.caption:
                out.append(f'<p class="caption">{_lines_html(part.caption)}</p>')
            out.append(typed_table_html(part.grid, convention))
        else:
            out.extend(f"<p>{html.escape(line)}</p>" for line in part.split("\n"))
    return "\n".join(out)


def _lines_html(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _block_html(block: Block, convention: NumberConvention) -> str:
    text = block.text or ""
    if block.category == "Picture":
        return '<p class="picture">[Picture]</p>'
    if block.category == "Table":
        return _table_block_html(text, convention)
    if block.category == "Formula":
        return formula_html(text)
    tag = _HTML_TAGS.get(block.category, "p")
    # The model writes Markdown: rendered (bold, italics, code, inert links), never raw "**".
    rendered = inline_html(first_pass(text), heading=tag in ("h1", "h2"))
    css = ' class="list-item"' if block.category == "List-item" else ""
    return f"<{tag}{css}>{rendered}</{tag}>"


def document_to_html(doc: Document, *, header_footer: bool = True) -> str:
    """A standalone, inert HTML page: Markdown rendered without raw HTML, tables rebuilt,
    formulas as MathML, no scripts, images or live links."""
    title = html.escape(doc.source)
    out = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{title}</title><style>{_STYLE}</style></head><body>",
    ]
    convention = document_convention(doc)
    for page in doc.pages:
        out.append(f'<section class="page" data-page="{page.index + 1}">')
        if not page.blocks and page.text:
            out.append(f"<pre>{html.escape(page.text)}</pre>")
        for block in page.blocks:
            if header_footer or block.category not in _HEADER_FOOTER:
                out.append(_block_html(block, convention))
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- spreadsheets


def write_xlsx(
    tables: Sequence[SheetTable | tuple[str, TableGrid]],
    path: str | Path,
    convention: NumberConvention = NumberConvention.DECIMAL_POINT,
    words: IndexWords = ENGLISH_INDEX,
) -> None:
    """The workbook of ``core/sheets.py`` written atomically: all of it or nothing."""
    atomic_write_bytes(path, workbook_bytes(tables, convention, words))


def write_document_xlsx(
    doc: Document,
    path: str | Path,
    words: IndexWords = ENGLISH_INDEX,
) -> int:
    """Every table of ``doc`` by the document's number conventions; returns the count."""
    tables = document_sheet_tables(doc)
    write_xlsx(tables, path, document_convention(doc), words)
    return len(tables)


def write_csv(grid: TableGrid | SheetTable, path: str | Path) -> None:
    """CSV in UTF-8 with a BOM, so Excel shows Cyrillic and CJK correctly; a ``SheetTable``
    brings the text of its Table block around the table (``sheets.sheet_csv``)."""
    text = sheet_csv(grid) if isinstance(grid, SheetTable) else grid.to_csv()
    atomic_write_text(path, "\ufeff" + text)
