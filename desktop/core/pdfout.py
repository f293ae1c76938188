"""Searchable PDF: the original pages with an invisible text layer of the results (pikepdf).

An image input becomes one page per image read, the scan at its full resolution (JPEG and
plain PNG data copied in unchanged, anything else compressed losslessly). A PDF input keeps
every page as it is (vector content, forms, page count) and gains a text layer on each page
that was read and has no text of its own. See docs/adr/010-searchable-pdf.md.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium

from desktop.core.document import Document, Page, PageStatus
from desktop.core.errors import DotsError
from desktop.core.exports import atomic_write_bytes
from desktop.core.formats import sniff_format
from desktop.core.glyphless import FONT_FILE, GLYPH_WIDTH, CidMap
from desktop.core.messages import Code, Msg
from desktop.core.pdfscan import image_xobject
from desktop.core.textflow import TextLine, page_lines

#: ``progress(done, total)``: pages written so far, of how many.
Progress = Callable[[int, int], None]

#: PDF pages are rendered this sharp (at most this many pixels a side) to find printed lines.
INK_DPI = 100.0
INK_MAX_SIDE = 3000.0
_FONT = pikepdf.Name("/FDots")
#: Visual (points, origin bottom left) -> user space, per /Rotate (see page_geometry).
Matrix = tuple[float, float, float, float, float, float]


class SourceUnreadable(DotsError):
    """The original file a PDF is made from cannot be read any more."""


def write_searchable_pdf(
    doc: Document, target: str | Path, *, progress: Progress | None = None
) -> None:
    """``doc`` as a searchable PDF at ``target`` (atomic); its source must still be readable.

    Boxes are mapped by each page's size in pixels, whatever resolution it was read at.
    ``progress(done, total)`` is called after each page; an exception it raises (the user
    cancelled) stops the export, and nothing is written.
    """
    source = Path(doc.source)
    try:
        with source.open("rb") as fh:
            is_pdf = sniff_format(fh.read(1024)) == "PDF"
        data = (_overlay_pdf if is_pdf else _image_pdf)(doc, source, progress or _no_progress)
    except (OSError, pikepdf.PdfError, pdfium.PdfiumError, DotsError) as exc:
        raise SourceUnreadable(
            Msg.of(
                Code.EXPORT_SOURCE_UNREADABLE,
                target=str(target),
                source=doc.source,
                detail=_detail(exc),
            ),
            fix=Msg(Code.FIX_EXPORT_SOURCE),
        ) from None
    atomic_write_bytes(target, data)


def _detail(exc: Exception) -> Msg | str:
    """Why the source failed: its fact, the system's reason, or the library's words."""
    if isinstance(exc, DotsError):
        return exc.msg
    if isinstance(exc, OSError) and exc.errno:
        reason = os.strerror(exc.errno)
        return reason[:1].lower() + reason[1:]
    return str(exc).strip().rstrip(".") or type(exc).__name__


# ---------------------------------------------------------------- the font


class _Font:
    """The glyphless Type0 font of one output file; its maps are filled in at the end."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.cids = CidMap()
        self._to_unicode = pikepdf.Stream(pdf, b"")
        self._cid_to_gid = pikepdf.Stream(pdf, b"")
        descriptor = pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor,
            FontName=pikepdf.Name("/GlyphLessFont"),
            Flags=5,
            FontBBox=[0, 0, GLYPH_WIDTH, 1000],
            ItalicAngle=0,
            Ascent=1000,
            Descent=-1,
            CapHeight=1000,
            StemV=80,
            FontFile2=pikepdf.Stream(pdf, FONT_FILE),
        )
        cid_font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.CIDFontType2,
            BaseFont=pikepdf.Name("/GlyphLessFont"),
            CIDSystemInfo=pikepdf.Dictionary(
                Registry=pikepdf.String("Adobe"),
                Ordering=pikepdf.String("Identity"),
                Supplement=0,
            ),
            FontDescriptor=pdf.make_indirect(descriptor),
            DW=GLYPH_WIDTH,
            CIDToGIDMap=self._cid_to_gid,
        )
        self.obj = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type0,
                BaseFont=pikepdf.Name("/GlyphLessFont"),
                Encoding=pikepdf.Name("/Identity-H"),
                DescendantFonts=[pdf.make_indirect(cid_font)],
                ToUnicode=self._to_unicode,
            )
        )

    def finish(self) -> None:
        self._to_unicode.write(
            zlib.compress(self.cids.to_unicode()), filter=pikepdf.Name.FlateDecode
        )
        self._cid_to_gid.write(
            zlib.compress(self.cids.cid_to_gid()), filter=pikepdf.Name.FlateDecode
        )


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def text_layer(lines: Iterable[TextLine], cids: CidMap, matrix: Matrix) -> bytes:
    """The content stream drawing ``lines`` invisibly (render mode 3) through ``matrix``."""
    out = [f"q {' '.join(_num(v) for v in matrix)} cm BT 3 Tr"]
    for line in lines:
        if line.size <= 0 or not line.text:
            continue
        code = cids.encode(line.text).hex().upper()
        out.append(
            f"/FDots {_num(line.size)} Tf {_num(line.scale)} Tz "
            f"1 0 0 1 {_num(line.x)} {_num(line.y)} Tm <{code}> Tj"
        )
    out.append("ET Q")
    return "\n".join(out).encode("ascii")


def _has_results(page: Page) -> bool:
    return page.status != PageStatus.FAILED and bool(page.blocks or page.text.strip())


# ---------------------------------------------------------------- PDF inputs


def _inherited(page: pikepdf.Dictionary, key: str) -> pikepdf.Object | None:
    """A page attribute, looked up the page tree as the spec says (Resources, boxes, Rotate)."""
    node: pikepdf.Object | None = page
    for _ in range(64):  # a damaged tree may loop
        if node is None or not isinstance(node, pikepdf.Dictionary):
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _box(value: pikepdf.Object | None) -> tuple[float, float, float, float] | None:
    try:
        x0, y0, x1, y1 = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def page_geometry(page: pikepdf.Dictionary) -> tuple[float, float, Matrix]:
    """(visual width, visual height, matrix visual -> user space) of a PDF page.

    The visible area is the CropBox within the MediaBox; /Rotate turns it clockwise.
    """
    media = _box(_inherited(page, "/MediaBox")) or (0.0, 0.0, 612.0, 792.0)
    crop = _box(_inherited(page, "/CropBox")) or media
    x0, y0 = max(crop[0], media[0]), max(crop[1], media[1])
    x1, y1 = min(crop[2], media[2]), min(crop[3], media[3])
    if x1 <= x0 or y1 <= y0:
        x0, y0, x1, y1 = media
    rotate_obj = _inherited(page, "/Rotate")
    try:
        rotate = int(rotate_obj) % 360 if rotate_obj is not None else 0
    except (TypeError, ValueError):
        rotate = 0
    w, h = x1 - x0, y1 - y0
    if rotate == 90:
        return h, w, (0, 1, -1, 0, x1, y0)
    if rotate == 180:
        return w, h, (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return h, w, (0, -1, 1, 0, x0, y1)
    return w, h, (1, 0, 0, 1, x0, y0)


def _scan_pages(source: Path, indexes: list[int]) -> tuple[set[int], dict[int, np.ndarray]]:
    """Of the pages ``indexes``: those that already carry text (a born-digital PDF, an
    earlier OCR: left untouched), and the others' ink in grey (for finding printed lines)."""
    from desktop.core.images import PDFIUM_LOCK

    has_text: set[int] = set()
    inks: dict[int, np.ndarray] = {}
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(source)
        try:
            for index in indexes:
                page = pdf[index]
                try:
                    textpage = page.get_textpage()
                    chars = textpage.count_chars()
                    textpage.close()
                    if chars > 0:
                        has_text.add(index)
                        continue
                    width, height = page.get_size()
                    scale = min(INK_DPI / 72.0, INK_MAX_SIDE / max(width, height, 1.0))
                    bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=True)
                    pixels = np.array(bitmap.to_numpy(), copy=True)
                    bitmap.close()
                    inks[index] = pixels[..., 0] if pixels.ndim == 3 else pixels
                finally:
                    page.close()
        finally:
            pdf.close()
    return has_text, inks


def _no_progress(done: int, total: int) -> None:
    return None


def _overlay_pdf(doc: Document, source: Path, progress: Progress) -> bytes:
    with pikepdf.open(source) as pdf:
        count = len(pdf.pages)
        by_index = {p.index: p for p in doc.pages if 0 <= p.index < count and _has_results(p)}
        wanted = [by_index[i] for i in sorted(by_index)]
        has_text, inks = _scan_pages(source, [p.index for p in wanted])
        font = _Font(pdf)
        for done, result in enumerate(wanted, 1):
            progress(done, len(wanted))
            if result.index in has_text:
                continue
            page = pdf.pages[result.index]
            width, height, matrix = page_geometry(page.obj)
            lines = page_lines(result, width, height, inks.get(result.index))
            if not lines:
                continue
            if "/Resources" not in page.obj:  # inherited: give the page its own copy first
                inherited = _inherited(page.obj, "/Resources")
                own = pikepdf.Dictionary()
                if isinstance(inherited, pikepdf.Dictionary):
                    for key, value in inherited.items():
                        own[key] = value
                page.obj.Resources = own
            page.add_resource(font.obj, pikepdf.Name.Font, _FONT)
            # The page's own drawing may leave a changed graphics state: fence it in.
            page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
            layer = b"\nQ\n" + text_layer(lines, font.cids, matrix)
            page.contents_add(pikepdf.Stream(pdf, layer))
        font.finish()
        out = io.BytesIO()
        # An owner's restrictions (no copying, no printing) stay as the original set them.
        pdf.save(out, encryption=pdf.is_encrypted)
        return out.getvalue()


# ---------------------------------------------------------------- image inputs


def _image_pdf(doc: Document, source: Path, progress: Progress) -> bytes:
    from desktop.core.images import iter_pages

    results = {p.index: p for p in doc.pages}
    pdf = pikepdf.new()
    font = _Font(pdf)
    # Nothing read yet: every page of the file, as images only (a PDF has at least one page).
    for done, image in enumerate(iter_pages(source, pages=sorted(results) or None), 1):
        progress(done, max(done, len(results)))
        result = results.get(image.index, Page(image.index, image.width, image.height))
        xobject, dpi = image_xobject(pdf, image, source)
        width, height = image.width * 72.0 / dpi, image.height * 72.0 / dpi
        page = pdf.add_blank_page(page_size=(width, height))
        name = page.add_resource(xobject, pikepdf.Name.XObject, pikepdf.Name("/Scan"))
        draw = f"q {_num(width)} 0 0 {_num(height)} 0 0 cm {name} Do Q\n".encode("ascii")
        lines = []
        if _has_results(result):
            gray = np.asarray(image.image.convert("L"))
            lines = page_lines(result, width, height, gray)
        if lines:
            page.add_resource(font.obj, pikepdf.Name.Font, _FONT)
            draw += text_layer(lines, font.cids, (1, 0, 0, 1, 0, 0))
        page.obj.Contents = pikepdf.Stream(pdf, draw)
    font.finish()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
