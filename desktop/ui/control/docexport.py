"""Export as a searchable PDF or a Word document from the window, written off the GUI thread.

Both formats decode the original pages again (the PDF keeps them; Word cuts its pictures from
them), which takes longer than a frame: the file is written in a worker thread and the
status bar says when it is there or why it is not.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.core.document import Document
from desktop.core.errors import DotsError, facts_of
from desktop.core.messages import Code, Msg
from desktop.ui.words.facts import facts_words
from desktop.ui.words.language import ui_language

if TYPE_CHECKING:
    from desktop.ui.widgets.window import MainWindow

#: Export formats written by this module (the others are text, written at once).
DOCUMENT_FILE_FORMATS = frozenset({"pdf", "docx"})


def t(text: str) -> str:
    return QCoreApplication.translate("DocumentExport", text)


def _write(doc: Document, fmt: str, path: str, lang: str, dpi: float) -> None:
    if fmt == "pdf":
        from desktop.core.pdfout import write_searchable_pdf

        write_searchable_pdf(doc, path)
    else:
        from desktop.core.docxout import write_docx

        write_docx(doc, path, dpi=dpi, lang=lang)


async def export_document_file(
    window: MainWindow, doc: Document, fmt: str, path: str, *, dpi: float = 200
) -> None:
    """Write ``doc`` as ``fmt`` ("pdf" or "docx") to ``path``, saying how it went; ``dpi`` is
    the resolution PDF pages were read at (Word's pictures are cut at it)."""
    window.show_message(t("Saving %1…").replace("%1", path), 0)
    try:
        await asyncio.to_thread(_write, doc, fmt, path, ui_language(), dpi)
    except (OSError, DotsError) as exc:
        facts = facts_of(exc)
        if isinstance(exc, OSError):  # disk full, no permission: the system's reason
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            facts = (Msg.of(Code.EXPORT_FAILED, target=path, detail=reason),)
        window.show_message(t("Could not save: %1").replace("%1", facts_words(facts)), 15000)
        return
    window.show_message(t("Saved %1").replace("%1", path))
