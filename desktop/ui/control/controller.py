"""Connects the window to the bridge: inputs become documents, events become pixels."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QImage

from desktop.core.document import BBox, Document, Page, PageStatus
from desktop.engines.base import Capability, ChatMessage, RecognizeMode
from desktop.ui.control.bridge import EngineBridge
from desktop.ui.control.chatcontrol import ChatController
from desktop.ui.control.docexport import DOCUMENT_FILE_FORMATS, export_document_file
from desktop.ui.control.docopen import DocumentOpening
from desktop.ui.control.livereading import LiveReading
from desktop.ui.control.pagenotes import PageNotes
from desktop.ui.state.inputs import Inputs
from desktop.ui.state.results import status_sentence
from desktop.ui.state.session import DocEntry
from desktop.ui.widgets.window import MainWindow
from desktop.ui.words.facts import page_reason_words

logger = logging.getLogger(__name__)


def t(text: str) -> str:
    return QCoreApplication.translate("WindowController", text)


class WindowController(QObject):
    """Owns the open documents; the window only displays them."""

    document_finished = Signal(str)  # key, when every queued page of it is done

    def __init__(self, window: MainWindow, bridge: EngineBridge, dpi: int = 200) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = bridge
        self.dpi = dpi
        self.entries: dict[str, DocEntry] = {}
        self.current_key = ""
        self.current_page = -1
        self.history: object | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        w, b = window, bridge
        w.inputs_given.connect(self.open_inputs)
        w.cancel_requested.connect(self.cancel)
        w.retry_action.triggered.connect(self.retry_page)
        w.page_view.region_selected.connect(self.read_region)
        w.documents.document_selected.connect(self.show_document)
        w.documents.page_selected.connect(lambda _k, i: self.show_page(i))
        w.documents.thumbnail_wanted.connect(b.request_thumbnail)
        self.chat = ChatController(
            w.chat,
            b,
            self.entries,
            current=lambda: (self.current_key, self.current_page),
            keep=self.keep,
            store=lambda: self.history,
            tell=w.show_message,
        )
        from desktop.ui.control.extractcontrol import ExtractController, source_shower

        current_key = lambda: self.current_key  # noqa: E731
        self.extract = ExtractController(
            w.extract, b, self.entries, current=current_key,
            show_source=source_shower(w, current_key), parent=self,
        )  # fmt: skip
        w.chat.send_requested.connect(self.chat.ask)
        self.notes = PageNotes(w, b)
        self.notes.failed.retry_requested.connect(self.retry_shown)
        self.opening = DocumentOpening(
            self,
            # document_actions is built by _wire_extras, below: looked up when called
            opened=lambda entry: self.document_actions.opened(entry),  # noqa: PLW0108
            refresh_status=self._refresh_status,
        )
        self.live = LiveReading(
            self,
            self,
            refresh_page=self._refresh_page,
            refresh_status=self._refresh_status,
            finished=self.document_finished.emit,
            save_chat=self.chat.save,
        )
        w.chat.stop_requested.connect(b.stop_chat)
        w.tables.message.connect(w.show_message)
        b.page_count.connect(self.opening.on_page_count)
        b.source_failed.connect(self.opening.on_source_failed)
        b.thumbnail_ready.connect(w.documents.set_thumbnail)
        b.page_image_ready.connect(self._on_page_image)
        b.page_started.connect(self.live.on_page_started)
        b.block_found.connect(self.live.on_block)
        b.text_delta.connect(self.live.on_text)
        b.page_done.connect(self.live.on_page_done)
        b.batch_progress.connect(w.set_batch)
        b.region_done.connect(self._on_region_done)
        b.chat_delta.connect(self.chat.on_delta)
        b.chat_finished.connect(self.chat.on_finished)
        b.engine_changed.connect(self.opening.on_engine_state)
        self._wire_extras()

    def _wire_extras(self) -> None:
        """The page's block menu and the document list's actions (their own modules)."""
        from desktop.ui.control.blockmenu import BlockActions
        from desktop.ui.control.doclist import DocumentActions

        self.block_actions = BlockActions(self)
        self.document_actions = DocumentActions(self)

    def reword(self) -> None:
        """After a language switch: the document list's lines and the page status."""
        for entry in self.entries.values():
            self.window.documents.update_document(entry)
        self._refresh_status()

    def keep(self, task: asyncio.Future[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- opening (docopen.py) -------------------------------------------------------
    def open_inputs(self, inputs: Inputs) -> list[str]:
        """Open files and images; every page is read right away. Returns the new keys."""
        return self.opening.open_inputs(inputs)

    def open_files(self, files: list[str]) -> None:
        from desktop.ui.state.inputs import expand_paths

        self.open_inputs(expand_paths(files))

    def load_history(self, store: object, limit: int = 50) -> None:
        """Reopen the newest documents of ``store`` (a HistoryStore), with their chats."""
        self.opening.load_history(store, limit)

    def restore(
        self, doc: Document, history_id: int | None = None, chat: list[ChatMessage] | None = None
    ) -> DocEntry:
        """A document from history: its results show at once; nothing is read again."""
        return self.opening.restore(doc, history_id, chat)

    def resume_interrupted(self) -> None:
        """Finish the readings a crash or a quit stopped (once an engine is ready)."""
        self.opening.resume_interrupted()

    # -- reading -----------------------------------------------------------------
    def read(
        self,
        key: str,
        pages: list[int],
        region: BBox | None = None,
        mode: RecognizeMode | None = None,
        *,
        builtin: bool = False,
    ) -> None:
        """Read ``pages`` (in ``mode``, else the toolbar's), or only ``region`` of them;
        ``builtin``: with the built-in engine instead of the window's."""
        entry = self.entries[key]
        if region is not None:
            self.bridge.recognize(key, pages, RecognizeMode.GROUNDING, region)
            self.window.show_message(t("Reading the selected region…"))
            return
        mode = mode or RecognizeMode(self.window.mode())
        for index in pages:
            entry.queued.add(index)
            if region is None:
                entry.live_blocks.pop(index, None)
                entry.live_text.pop(index, None)
        self.window.documents.update_document(entry)
        self.bridge.recognize(key, pages, mode, region, builtin=builtin)

    def cancel(self) -> None:
        if self.window.region_action.isChecked():
            self.window.region_action.setChecked(False)
            return
        if self.window.chat.is_streaming():
            self.bridge.stop_chat()
        count = self.bridge.cancel_ocr()
        if count:
            self.window.show_message(t("Cancelled %1 page(s).").replace("%1", str(count)))

    def retry_page(self) -> None:
        if self.current_key and self.current_page >= 0:
            self.entries[self.current_key].results.pop(self.current_page, None)
            self.read(self.current_key, [self.current_page])
            self._refresh_page()

    def retry_shown(self) -> None:
        """Retry what the failed-page banner shows: the file's opening, or the page."""
        entry = self.entries.get(self.current_key)
        if entry is not None and entry.error and entry.path:
            entry.error = ()
            self.window.documents.update_document(entry)
            self.bridge.add_file(entry.key, entry.path, self.dpi)
            self._refresh_status()
        else:
            self.retry_page()

    def read_region(self, bbox: BBox) -> None:
        """Grounding OCR of a drawn rectangle; the text goes to the Text tab and clipboard-ready."""
        self.window.region_action.setChecked(False)
        if not self.current_key or self.current_page < 0:
            return
        if not self.bridge.capabilities() & Capability.GROUNDING:
            self.window.show_message(t("This engine cannot read a single region."))
            return
        self.read(self.current_key, [self.current_page], region=bbox)

    def _on_region_done(self, key: str, index: int, page: Page) -> None:
        """A region's text: shown in the Text tab and put on the clipboard."""
        entry = self.entries.get(key)
        if entry is None:
            return
        if page.status == PageStatus.FAILED:
            self.window.show_message(page_reason_words(page), 15000)
            return
        text = page.text or "\n\n".join(b.text or "" for b in page.blocks if b.text)
        entry.region_text = text.strip()
        if key == self.current_key:
            self.window.region_text.setPlainText(entry.region_text)
            self.window.region_box.setVisible(bool(entry.region_text))
            if self.window.tabs.currentWidget() is not self.window.chat:
                # Asking about the region in the chat: stay there (its text is on the clipboard).
                self.window.tabs.setCurrentWidget(self.window.text_tab)
        self.window.statusBar().clearMessage()  # "Reading the selected region…" is over
        if entry.region_text:
            from desktop.core.clipcontent import page_clip

            self.notes.copy(page_clip(page, entry.name))

    # -- showing -------------------------------------------------------------------
    def show_document(self, key: str) -> None:
        self.current_key = key
        self.current_page = -1
        entry = self.entries.get(key)
        if entry is None:
            self.window.stack.setCurrentIndex(0)
            return
        self.window.stack.setCurrentIndex(1)
        self.window.documents.show_pages(entry)
        self.window.chat.set_history(entry.chat)
        self.window.tables.set_document(entry.document())
        self.window.region_text.setPlainText(entry.region_text)
        self.window.region_box.setVisible(bool(entry.region_text))
        if entry.page_count:
            self.window.documents.select_page(0)
        else:  # not open (yet, or at all): nothing of the document shown before stays
            self.window.page_view.set_page(None)
            self.window.text_view.set_blocks((), plain="")
            self.window.plain_view.set_text("")
            self.window.json_view.set_text("")
            self._refresh_status()

    def show_page(self, index: int) -> None:
        if not self.current_key:
            return
        self.current_page = index
        self.bridge.request_page_image(self.current_key, index)
        self._refresh_page()

    def _on_page_image(self, key: str, index: int, image: QImage) -> None:
        if key == self.current_key and index == self.current_page:
            self.live.flush()  # the text view gets what waited; the overlay is redrawn below
            self.window.page_view.set_page(image)
            self.window.page_view.set_blocks(self.entries[key].blocks(index))

    def _refresh_page(self) -> None:
        entry = self.entries.get(self.current_key)
        if entry is None or self.current_page < 0:
            return
        index = self.current_page
        self.live.drop()
        blocks = entry.blocks(index)
        page = entry.results.get(index)
        if self.window.page_view.has_page():
            self.window.page_view.set_blocks(blocks)
        text = page.text if page is not None else entry.live_text.get(index, "")
        self.window.text_view.set_blocks(blocks, plain=text if not blocks else "")
        shown = page if page is not None else Page(index, 0, 0, blocks=blocks, text=text)
        from desktop.core.exports import document_to_json, document_to_text  # preloaded by then

        doc = Document(source=entry.path or entry.name, pages=(shown,))
        plain = document_to_text(doc) if blocks or text else ""
        self.window.plain_view.set_text(plain)
        self.notes.check_font(plain)
        self.window.json_view.set_text(document_to_json(doc) if page is not None else "")
        self._refresh_status()

    def _refresh_status(self) -> None:
        entry = self.entries.get(self.current_key)
        if entry is None:
            self.window.page_status.setText("")
            self.window.page_progress.hide()
            self.notes.show_state(None, None)
            return
        running = self.current_page in entry.running
        page = entry.results.get(self.current_page)
        sentence = status_sentence(page, running)
        if self.notes.show_state(entry, None if running else page):
            sentence = ""  # the banner above the page says why, in full
        self.window.page_status.setText(sentence)
        self.window.page_progress.setVisible(running)

    def export_document(self, fmt: str, path: str) -> None:
        """Write the current document with the core's exporters (atomic)."""
        from desktop.core import exports

        entry = self.entries.get(self.current_key)
        if entry is None:
            return
        doc = entry.document()
        if fmt in DOCUMENT_FILE_FORMATS:  # slow (pages decoded again): off the GUI thread
            task = export_document_file(self.window, doc, fmt, path, dpi=self.dpi)
            self.keep(asyncio.ensure_future(task))
            return
        writers = {
            "md": exports.document_to_markdown,
            "json": exports.document_to_json,
            "txt": exports.document_to_text,
            "html": exports.document_to_html,
        }
        if fmt == "xlsx":
            exports.write_document_xlsx(doc, Path(path))
        else:
            exports.atomic_write_text(Path(path), writers[fmt](doc))
        self.window.show_message(t("Saved %1").replace("%1", path))
