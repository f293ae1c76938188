"""Export as a searchable PDF or a Word document from the window, written off the GUI thread.

Both formats decode the original pages again (the PDF keeps them; Word cuts its pictures from
them), which takes longer than a frame: the file is written in a worker thread, a notice
above the page shows how many pages are done with a Cancel button, and the status bar says
when the file is there, or why it is not. A cancelled export writes nothing (the writers
are atomic).
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.core.document import Document
from desktop.core.errors import DotsError, facts_of
from desktop.core.messages import Code, Msg
from desktop.ui.widgets.exportnotice import ExportNotice
from desktop.ui.words.facts import facts_words
from desktop.ui.words.language import ui_language

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop.ui.widgets.window import MainWindow

#: Export formats written by this module (the others are text, written at once).
DOCUMENT_FILE_FORMATS = frozenset({"pdf", "docx"})


class ExportCancelled(Exception):
    """Raised from the page callback when the user pressed Cancel: the writer stops."""


def t(text: str) -> str:
    return QCoreApplication.translate("DocumentExport", text)


def _write(
    doc: Document,
    fmt: str,
    path: str,
    lang: str,
    dpi: float,
    *,
    progress: Callable[[int, int], None],
) -> None:
    if fmt == "pdf":
        from desktop.core.pdfout import write_searchable_pdf

        write_searchable_pdf(doc, path, progress=progress)
    else:
        from desktop.core.docxout import write_docx

        write_docx(doc, path, dpi=dpi, lang=lang, progress=progress)


def export_notice(window: MainWindow) -> ExportNotice:
    """The window's export notice, placed above the page on first use."""
    notice = window.findChild(ExportNotice)
    if notice is None:
        notice = ExportNotice(window)
        window.page_layout.insertWidget(1, notice)
    return notice


async def export_document_file(
    window: MainWindow, doc: Document, fmt: str, path: str, *, dpi: float = 200
) -> None:
    """Write ``doc`` as ``fmt`` ("pdf" or "docx") to ``path``, saying how it went; ``dpi`` is
    the resolution PDF pages were read at (Word's pictures are cut at it)."""
    notice = export_notice(window)
    cancel = threading.Event()
    loop = asyncio.get_running_loop()

    def progress(done: int, total: int) -> None:  # in the worker thread
        if cancel.is_set():
            raise ExportCancelled
        loop.call_soon_threadsafe(notice.set_progress, done, total)

    def on_cancel() -> None:
        cancel.set()
        notice.cancelling()

    notice.begin(t("Saving %1…").replace("%1", Path(path).name))
    notice.cancel_requested.connect(on_cancel)
    try:
        await asyncio.to_thread(_write, doc, fmt, path, ui_language(), dpi, progress=progress)
    except ExportCancelled:
        window.show_message(
            t("Saving %1 was cancelled; nothing was written.").replace("%1", path), 15000
        )
        return
    except (OSError, DotsError) as exc:
        facts = facts_of(exc)
        if isinstance(exc, OSError):  # disk full, no permission: the system's reason
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            facts = (Msg.of(Code.EXPORT_FAILED, target=path, detail=reason),)
        window.show_message(t("Could not save: %1").replace("%1", facts_words(facts)), 15000)
        return
    finally:
        notice.cancel_requested.disconnect(on_cancel)
        notice.hide()
    window.show_message(t("Saved %1").replace("%1", path))
