"""The self-test's export steps: XLSX, HTML, and the sample as a searchable PDF and Word.

Proves, in a frozen bundle too, that openpyxl, markdown-it-py and latex2mathml, pikepdf
(with its qpdf library) and python-docx (with its default template) are there and work:
what each writes is read back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.commands.selftest_steps import SelfTestError
from desktop.core.document import Document, Page
from desktop.core.messages import Code, Msg


def check_xlsx(grid: Any, tmp: Path) -> str:
    """The sample's table (``grid``) as XLSX, read back: its merged cell and key texts."""
    from openpyxl import load_workbook

    from desktop.core.exports import write_xlsx

    path = tmp / "self-test.xlsx"
    write_xlsx([("Invoice", grid)], path)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    if "A5:C5" not in merged:
        raise SelfTestError(Msg.of(Code.SELFTEST_XLSX_MERGE, merged=str(sorted(merged))))
    values = {
        str(v).strip() for row in sheet.iter_rows(values_only=True) for v in row if v is not None
    }
    if "Ink cartridge" not in values or not ({"39.8", "39.80"} & values):
        raise SelfTestError(Msg.of(Code.SELFTEST_XLSX_CELLS, values=str(sorted(values)[:8])))
    return f"{path.stat().st_size} bytes, {sheet.max_row}x{sheet.max_column}, merged A5:C5"


def check_html() -> str:
    """Markdown and a formula become HTML with bold text and MathML."""
    from desktop.core.document import Block
    from desktop.core.exports import document_to_html

    blocks = (
        Block("Text", (0, 0, 90, 9), "**Total** due", 0),
        Block("Formula", (0, 10, 90, 19), "\\[ x^2 \\]", 1),
    )
    page = document_to_html(Document("self-test", (Page(0, 100, 20, blocks),)))
    if "<strong>Total</strong>" not in page:
        raise SelfTestError(Msg(Code.SELFTEST_HTML_RAW))
    if "<msup>" not in page:
        raise SelfTestError(Msg(Code.SELFTEST_HTML_NO_MATHML))
    return "bold text and a MathML formula"


def check_document_exports(source: Path, result: Page, tmp: Path) -> str:
    """Write ``result`` of ``source`` as PDF and .docx into ``tmp``; raise if either is wrong."""
    import docx
    import pikepdf

    from desktop.core.docxout import write_docx
    from desktop.core.pdfout import write_searchable_pdf

    doc = Document(str(source), (result,))
    pdf_path, docx_path = tmp / "self-test.pdf", tmp / "self-test.docx"
    write_searchable_pdf(doc, pdf_path)
    with pikepdf.open(pdf_path) as pdf:
        resources = pdf.pages[0].Resources
        has_layer = "/Font" in resources and "/FDots" in resources.Font
        if len(pdf.pages) != 1 or not has_layer:
            raise SelfTestError(Msg(Code.SELFTEST_PDF_NO_LAYER))
    write_docx(doc, docx_path)
    tables = docx.Document(str(docx_path)).tables
    if len(tables) != len(result.tables):
        count = Msg.of(Code.SELFTEST_DOCX_TABLES, got=len(tables), wanted=len(result.tables))
        raise SelfTestError(count)
    size = (pdf_path.stat().st_size + docx_path.stat().st_size) // 1024
    return f"PDF and Word written and read back ({size} KB)"
