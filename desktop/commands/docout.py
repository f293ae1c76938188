"""``dots-desktop ocr --format pdf|docx``: one searchable PDF or Word file per input."""

from __future__ import annotations

from pathlib import Path

from desktop.commands.words import say_facts
from desktop.core.document import Document
from desktop.core.messages import Code, Msg, language_from_env

#: Formats written as one binary file per input (never to stdout).
DOCUMENT_FORMATS = frozenset({"pdf", "docx"})


def write_document_file(
    doc: Document, target: Path, fmt: str, *, dpi: float, header_footer: bool
) -> None:
    """``doc`` as ``fmt`` at ``target``; PDF needs the input file as it was read."""
    if fmt == "pdf":
        from desktop.core.pdfout import write_searchable_pdf

        write_searchable_pdf(doc, target)
    else:
        from desktop.core.docxout import write_docx

        write_docx(doc, target, dpi=dpi, header_footer=header_footer, lang=language_from_env())
    say_facts(Msg.of(Code.CLI_WROTE, target=str(target)))
