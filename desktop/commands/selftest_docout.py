"""The self-test's step for documents out: the sample as a searchable PDF and a Word file.

Proves, in a frozen bundle too, that pikepdf (with its qpdf library) and python-docx (with
its default template) are there and work: the PDF's text layer and the Word table are read
back from the files written.
"""

from __future__ import annotations

from pathlib import Path

from desktop.core.document import Document, Page


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
            raise ValueError("the PDF has no text layer")
    write_docx(doc, docx_path)
    tables = docx.Document(str(docx_path)).tables
    if len(tables) != len(result.tables):
        raise ValueError(f"the Word file has {len(tables)} tables, not {len(result.tables)}")
    size = (pdf_path.stat().st_size + docx_path.stat().st_size) // 1024
    return f"PDF and Word written and read back ({size} KB)"
