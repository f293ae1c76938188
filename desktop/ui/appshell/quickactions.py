"""The tray's "OCR this" actions (clipboard, file, screen region) and the document export."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from desktop.core.errors import DotsError
from desktop.ui.state.inputs import Inputs, image_png_bytes, mime_inputs
from desktop.ui.words.facts import facts_words

if TYPE_CHECKING:
    from desktop.ui.control.controller import WindowController
    from desktop.ui.widgets.window import MainWindow


def t(text: str) -> str:
    return QCoreApplication.translate("DesktopApp", text)  # the shell's strings


class QuickActions:
    """Reads what the tray hands over; a read's text goes back to the clipboard when done."""

    def __init__(
        self,
        window: MainWindow,
        controller: WindowController,
        *,
        notify: Callable[[str, str], bool],
        show_window: Callable[[], None],
    ) -> None:
        """``notify(title, text)``: a tray bubble, False when none can be shown;
        ``show_window``: bring the window to the front."""
        self.window = window
        self.controller = controller
        self.notify = notify
        self.show_window = show_window
        self.to_clipboard: set[str] = set()  # documents whose text goes to the clipboard
        self.captures: set[str] = set()  # screen captures: checked for doubt before copying

    def ocr_clipboard(self) -> None:
        """Read the clipboard image; the text goes back to the clipboard when done."""
        mime = QGuiApplication.clipboard().mimeData()
        inputs = mime_inputs(mime) if mime is not None else Inputs()
        if not inputs:
            self.notify("Dots Desktop", t("The clipboard holds no image to read."))
            self.window.show_message(t("The clipboard holds no image or file to read."))
            return
        self.to_clipboard.update(self.controller.open_inputs(inputs))

    def ocr_file(self) -> None:
        self.show_window()
        self.window.choose_files()

    def ocr_region(self) -> None:
        from desktop.ui.appshell.region import capture_region
        from desktop.ui.state.capturescale import upscaled_for_reading  # numpy: not at start

        def done(image: Any) -> None:
            if image is None or image.isNull():
                return
            self.show_window()
            # Small on-screen text is enlarged to the size the engine reads best.
            readable = upscaled_for_reading(image)
            keys = self.controller.open_inputs(
                Inputs(images=[(t("Screen region"), image_png_bytes(readable))])
            )
            self.to_clipboard.update(keys)
            self.captures.update(keys)

        capture_region(done)

    def document_finished(self, key: str) -> None:
        if key not in self.to_clipboard:
            return
        self.to_clipboard.discard(key)
        entry = self.controller.entries.get(key)
        if entry is None:
            return
        from desktop.core.clipcontent import document_clip
        from desktop.core.doubt import read_doubt

        doc = entry.document()
        doubt = read_doubt(doc) if key in self.captures else None
        self.captures.discard(key)
        if doubt is not None:
            self.controller.notes.not_copied(doubt)
            self.notify(t("Text not copied"), self.controller.notes.notice.label.text())
            return
        content = document_clip(doc)
        self.controller.notes.copy(content)  # every format, with Undo in the window
        text = content.text
        if not self.notify(t("Text copied"), text[:200] or t("No text was found.")):
            self.window.show_message(
                t("Text copied") + ": " + (text[:120] or t("No text was found."))
            )

    def export(self) -> None:
        """Save the current document as Markdown, JSON, text, HTML, XLSX, PDF or Word."""
        controller, window = self.controller, self.window
        if not controller.current_key:
            window.show_message(t("Open a document first."))
            return
        entry = controller.entries[controller.current_key]
        stem = entry.name.rsplit(".", 1)[0] or "document"
        filters = {
            t("Markdown (*.md)"): "md",
            t("JSON (*.json)"): "json",
            t("Plain text (*.txt)"): "txt",
            t("Web page (*.html)"): "html",
            t("Excel tables (*.xlsx)"): "xlsx",
            t("Searchable PDF (*.pdf)"): "pdf",
            t("Word document (*.docx)"): "docx",
        }
        from desktop.ui.state.savepaths import beside_source

        start = beside_source(entry.path, f"{stem}.md")
        path, chosen = QFileDialog.getSaveFileName(
            window, t("Export document"), start, ";;".join(filters)
        )
        if not path:
            return
        fmt = filters.get(chosen, "md")
        if not path.lower().endswith(f".{fmt}"):
            path += f".{fmt}"
        try:
            controller.export_document(fmt, path)
        except (OSError, DotsError) as exc:
            why = facts_words(exc.facts) if isinstance(exc, DotsError) else str(exc)
            window.show_message(t("Could not save: %1").replace("%1", why), 15000)
