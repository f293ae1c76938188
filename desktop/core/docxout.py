"""Word documents (python-docx): headings, paragraphs, lists, real tables, pictures, equations.

Titles and section headers become Word headings, list items Word lists, captions and
footnotes their styles; a table keeps its merged cells (gridSpan / vMerge) from the HTML's
spans, read by core/tables.py; a picture is cut from its page; a formula becomes a Word
equation (core/omml.py) or, where LaTeX cannot be read, its LaTeX with a note.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import docx
import pypdfium2 as pdfium
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt

from desktop.core.document import Block, Document, Page, PageStatus
from desktop.core.errors import DotsError
from desktop.core.exports import atomic_write_bytes
from desktop.core.formats import sniff_format
from desktop.core.messages import Code, Msg, say
from desktop.core.omml import M_NS, latex_to_omml
from desktop.core.tableblock import BlockTable, read_table_block
from desktop.core.tables import TableGrid
from desktop.core.textflow import block_text

logger = logging.getLogger(__name__)
#: ``progress(done, total)``: pages written so far, of how many.
Progress = Callable[[int, int], None]
_HEADER_FOOTER = frozenset({"Page-header", "Page-footer"})
#: Characters XML 1.0 cannot hold (python-docx refuses them): dropped, the rest kept.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")
_HEADING_MARKS = re.compile(r"^\s{0,3}(#{1,6})\s+")
_LIST_MARK = re.compile(r"^\s*(?:([-*+•])|(\d{1,3}|[a-zA-Z])[.)])\s+")
_FORMULA_MARKS = re.compile(r"^\s*(?:\$\$|\\\[)|(?:\$\$|\\\])\s*$")
#: Widest a picture is placed: the default page's text width.
_TEXT_WIDTH_IN = 6.0
_FONT = "Calibri"
_EAST_ASIA_FONT = "SimSun"


def clean(text: str) -> str:
    """``text`` without the characters a .docx cannot store."""
    return _NOT_XML.sub("", text)


def write_docx(
    doc: Document,
    target: str | Path,
    *,
    dpi: float = 200,
    header_footer: bool = True,
    lang: str = "en",
    progress: Progress | None = None,
) -> None:
    """``doc`` as a Word document at ``target`` (atomic); notes in the language ``lang``.

    ``progress(done, total)`` is called after each page; an exception it raises (the user
    cancelled) stops the export, and nothing is written.
    """
    data = docx_bytes(doc, dpi=dpi, header_footer=header_footer, lang=lang, progress=progress)
    atomic_write_bytes(target, data)


def docx_bytes(
    doc: Document,
    *,
    dpi: float = 200,
    header_footer: bool = True,
    lang: str = "en",
    progress: Progress | None = None,
) -> bytes:
    """The .docx file's bytes (see ``write_docx``)."""
    word = docx.Document()
    _set_fonts(word, doc)
    pictures = _picture_crops(doc, dpi)
    first = True
    for done, page in enumerate(doc.pages, 1):
        if progress is not None:
            progress(done, len(doc.pages))
        if page.status == PageStatus.FAILED and not page.blocks:
            continue
        if not first:
            word.add_page_break()
        first = False
        if not page.blocks:
            for line in page.text.splitlines():
                if line.strip():
                    word.add_paragraph(clean(line.strip()))
            continue
        for block in page.blocks:
            if not header_footer and block.category in _HEADER_FOOTER:
                continue
            _add_block(word, page, block, pictures, lang)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _set_fonts(word: WordDocument, doc: Document) -> None:
    """One font for Latin and Cyrillic, one for CJK, so Word never falls back per character;
    the text's language (Russian where Cyrillic outnumbers Latin letters) for spelling."""
    style = word.styles["Normal"]
    style.font.name = _FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), _FONT)
    fonts.set(qn("w:eastAsia"), _EAST_ASIA_FONT)
    text = " ".join(b.text or "" for p in doc.pages for b in p.blocks) + " ".join(
        p.text for p in doc.pages
    )
    cyrillic = len(_CYRILLIC.findall(text))
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "ru-RU" if cyrillic > len(_LATIN.findall(text)) else "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)


def _add_block(
    word: WordDocument,
    page: Page,
    block: Block,
    pictures: dict[tuple[int, int], bytes | None],
    lang: str,
) -> None:
    category, text = block.category, block.text or ""
    if category == "Picture":
        crop = pictures.get((page.index, block.index))
        if crop:
            word.add_picture(io.BytesIO(crop), width=_picture_width(crop))
        else:
            _note(word.add_paragraph(), Msg(Code.DOCX_PICTURE_MISSING), lang)
        return
    if category == "Table" and _add_table_block(word, text):
        return
    if category == "Formula":
        _add_formula(word, text, lang)
        return
    if not text.strip():
        return
    if category in ("Title", "Section-header"):
        marks = _HEADING_MARKS.match(text)
        level = 0 if category == "Title" else (len(marks.group(1)) if marks else 1)
        word.add_heading(clean(block_text(block).replace("\n", " ")), level=min(level, 9))
        return
    if category == "List-item":
        mark = _LIST_MARK.match(text)
        numbered = bool(mark and mark.group(2))
        body = text[mark.end() :] if mark else text
        paragraph = word.add_paragraph(style="List Number" if numbered else "List Bullet")
        _add_inline(paragraph, body)
        return
    style = "Caption" if category == "Caption" else None
    paragraph = word.add_paragraph(style=style)
    _add_inline(paragraph, _HEADING_MARKS.sub("", text))
    if category in ("Footnote", "Page-header", "Page-footer"):
        for run in paragraph.runs:
            run.font.size = Pt(8)
            if category != "Footnote":
                run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)


_INLINE = MarkdownIt("commonmark")


def _add_inline(paragraph: Paragraph, markdown: str) -> None:
    """Markdown's bold, italics and code as Word formatting; links as their text."""
    tokens = _INLINE.parseInline(clean(markdown).strip(), {})
    bold = italic = 0
    for token in tokens[0].children or () if tokens else ():
        kind = token.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind in ("softbreak", "hardbreak"):
            paragraph.add_run().add_break()
        elif kind in ("text", "code_inline", "image", "html_inline") and token.content:
            run = paragraph.add_run(clean(token.content))
            run.bold = bold > 0 or None
            run.italic = italic > 0 or None
            if kind == "code_inline":
                run.font.name = "Consolas"


def _add_table_block(word: WordDocument, markup: str) -> bool:
    """Every piece of a Table block (read_table_block): its tables with their captions, and
    the text before, between and after them; False (nothing written) when it holds no table."""
    parts = read_table_block(markup)
    if not any(isinstance(part, BlockTable) for part in parts):
        return False
    for part in parts:
        if isinstance(part, BlockTable):
            if part.caption:
                word.add_paragraph(clean(part.caption.replace("\n", " ")), style="Caption")
            _add_table(word, part.grid)
        else:
            for line in part.split("\n"):
                if line.strip():
                    word.add_paragraph(clean(line.strip()))
    return True


def _add_table(word: WordDocument, grid: TableGrid) -> None:
    """The grid as a Word table; spans become merged cells, header rows bold."""
    table = word.add_table(rows=grid.rows, cols=grid.cols)
    table.style = "Table Grid"
    header_rows = grid.header_rows
    # Every cell object taken once before merging (table.cell() walks the whole table each
    # call); a merge changes only its own span, so the others stay valid.
    cells = [list(row.cells) for row in table.rows]
    for cell in grid.cells:
        target = cells[cell.row][cell.col]
        if cell.rowspan > 1 or cell.colspan > 1:
            last_row = min(grid.rows, cell.row + cell.rowspan) - 1
            last_col = min(grid.cols, cell.col + cell.colspan) - 1
            target = target.merge(cells[last_row][last_col])
        paragraph = target.paragraphs[0]  # a new cell's one empty paragraph
        _add_inline(paragraph, cell.text)
        if cell.header or cell.row < header_rows:
            for run in paragraph.runs:
                run.bold = True
    word.add_paragraph()


def _add_formula(word: WordDocument, latex: str, lang: str) -> None:
    body = _FORMULA_MARKS.sub("", latex.strip()).strip()
    if not body:
        return
    omath = latex_to_omml(clean(body))
    if omath is not None:
        # python-docx has no equations: a paragraph of our own holds Word's math zone,
        # placed before the section properties that end the body.
        paragraph = OxmlElement("w:p")
        zone = omath.makeelement(f"{{{M_NS}}}oMathPara", {})
        zone.append(omath)
        paragraph.append(zone)
        body = word.element.body
        if body.sectPr is not None:
            body.sectPr.addprevious(paragraph)
        else:
            body.append(paragraph)
        return
    run = word.add_paragraph().add_run(clean(body))
    run.font.name = "Consolas"
    _note(word.add_paragraph(), Msg(Code.DOCX_FORMULA_AS_LATEX), lang)


def _note(paragraph: Paragraph, msg: Msg, lang: str) -> None:
    run = paragraph.add_run(say([msg], lang))
    run.italic = True
    run.font.size = Pt(8)


def _picture_width(png: bytes) -> Inches:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        width_px = img.width
        dpi = float(img.info.get("dpi", (150, 150))[0]) or 150.0
    return Inches(min(_TEXT_WIDTH_IN, max(0.2, width_px / dpi)))


def _picture_crops(doc: Document, dpi: float) -> dict[tuple[int, int], bytes | None]:
    """(page index, block index) -> the picture cut from its page as PNG; None where the
    page cannot be read again (the text is still written)."""
    wanted = {
        p.index: [b for b in p.blocks if b.category == "Picture"]
        for p in doc.pages
        if any(b.category == "Picture" for b in p.blocks)
    }
    crops: dict[tuple[int, int], bytes | None] = {}
    if not wanted:
        return crops
    pages = {p.index: p for p in doc.pages}
    try:
        with open(doc.source, "rb") as fh:
            is_pdf = sniff_format(fh.read(1024)) == "PDF"
        cut = _pdf_crops if is_pdf else _crops
        for index, crop in cut(doc.source, dpi, wanted, pages):
            crops[index] = crop
    except (OSError, DotsError, pdfium.PdfiumError) as exc:  # those missing get a note
        logger.info("pictures of %s not cut: %s", doc.source, exc)
    return crops


def _pdf_crops(
    source: str, dpi: float, wanted: dict[int, list[Block]], pages: dict[int, Page]
) -> Iterator[tuple[tuple[int, int], bytes]]:
    """Only each picture's region of its PDF page rendered (a whole page costs 10x more)."""
    from desktop.core.images import PDFIUM_LOCK

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(source)
        try:
            for index, blocks in sorted(wanted.items()):
                if not 0 <= index < len(pdf):
                    continue
                page, result = pdf[index], pages[index]
                try:
                    width_pt, height_pt = page.get_size()
                    sx, sy = width_pt / max(1, result.width), height_pt / max(1, result.height)
                    for block in blocks:
                        x1, y1, x2, y2 = block.bbox
                        left = max(0.0, min(x1, x2) * sx)
                        top = max(0.0, min(y1, y2) * sy)
                        right = max(0.0, width_pt - max(x1, x2) * sx)
                        bottom = max(0.0, height_pt - max(y1, y2) * sy)
                        if left + right >= width_pt - 1 or top + bottom >= height_pt - 1:
                            continue
                        bitmap = page.render(
                            scale=dpi / 72, crop=(left, bottom, right, top), may_draw_forms=True
                        )
                        out = io.BytesIO()
                        bitmap.to_pil().convert("RGB").save(
                            out, format="PNG", dpi=(dpi, dpi), compress_level=1
                        )
                        yield (index, block.index), out.getvalue()
                finally:
                    page.close()
        finally:
            pdf.close()


def _crops(
    source: str, dpi: float, wanted: dict[int, list[Block]], pages: dict[int, Page]
) -> Iterator[tuple[tuple[int, int], bytes]]:
    from desktop.core.images import iter_pages

    for image in iter_pages(source, dpi=dpi, pages=sorted(wanted)):
        page = pages[image.index]
        sx = image.width / page.width if page.width else 1.0
        sy = image.height / page.height if page.height else 1.0
        shown_dpi = image.dpi or dpi
        for block in wanted[image.index]:
            x1, y1, x2, y2 = block.bbox
            box = (
                max(0, min(image.width - 1, round(min(x1, x2) * sx))),
                max(0, min(image.height - 1, round(min(y1, y2) * sy))),
                max(1, min(image.width, round(max(x1, x2) * sx))),
                max(1, min(image.height, round(max(y1, y2) * sy))),
            )
            if box[2] <= box[0] or box[3] <= box[1]:
                continue
            out = io.BytesIO()
            image.image.crop(box).save(
                out, format="PNG", dpi=(shown_dpi, shown_dpi), compress_level=1
            )
            yield (image.index, block.index), out.getvalue()
