"""Connects the window to the bridge: inputs become documents, events become pixels."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QImage

from desktop.core.document import BBox, Block, Document, Page, PageStatus
from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg
from desktop.engines.base import Capability, ChatMessage, RecognizeMode
from desktop.engines.chat import restored
from desktop.ui.control.bridge import EngineBridge
from desktop.ui.control.chatcontrol import ChatController
from desktop.ui.control.docexport import DOCUMENT_FILE_FORMATS, export_document_file
from desktop.ui.control.pagenotes import PageNotes
from desktop.ui.state.inputs import Inputs
from desktop.ui.state.results import status_sentence
from desktop.ui.state.session import DocEntry
from desktop.ui.widgets.window import MainWindow
from desktop.ui.words.facts import page_reason_words

logger = logging.getLogger(__name__)


#: How often streamed blocks/text are drawn, and the tables panel refreshed, while reading.
LIVE_INTERVAL_MS = 80
TABLES_INTERVAL_MS = 400


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
        # Streamed blocks and text reach the screen in batches: one repaint per tick, not
        # one per block (a fast server sends hundreds a second).
        self._pending: list[Block] = []
        self._pending_at: tuple[str, int] = ("", -1)
        self._text_dirty = False
        self._live = QTimer(self, singleShot=True, interval=LIVE_INTERVAL_MS)
        self._live.timeout.connect(self._flush_live)
        # The tables panel re-parses every table of the document: at most a few times a
        # second while pages finish, not once per page.
        self._tables_timer = QTimer(self, singleShot=True, interval=TABLES_INTERVAL_MS)
        self._tables_timer.timeout.connect(self._refresh_tables)
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
        w.chat.stop_requested.connect(b.stop_chat)
        w.tables.message.connect(w.show_message)
        b.page_count.connect(self._on_page_count)
        b.source_failed.connect(self._on_source_failed)
        b.thumbnail_ready.connect(w.documents.set_thumbnail)
        b.page_image_ready.connect(self._on_page_image)
        b.page_started.connect(self._on_page_started)
        b.block_found.connect(self._on_block)
        b.text_delta.connect(self._on_text)
        b.page_done.connect(self._on_page_done)
        b.batch_progress.connect(w.set_batch)
        b.region_done.connect(self._on_region_done)
        b.chat_delta.connect(self.chat.on_delta)
        b.chat_finished.connect(self.chat.on_finished)
        b.engine_changed.connect(self._on_engine_state)
        self._resume_waiting = False  # interrupted readings wait for an engine
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

    # -- opening -------------------------------------------------------------------
    def open_inputs(self, inputs: Inputs) -> list[str]:
        """Open files and images; every page is read right away. Returns the new keys."""
        keys: list[str] = []
        last = len(inputs.paths) + len(inputs.images) - 1
        for path in inputs.paths:
            entry = DocEntry.for_path(path)
            # Only the newest is shown: a dropped folder must not show every file in turn.
            self._add(entry, select=len(keys) == last)
            self.document_actions.opened(entry)  # read once known not to be read already
            self.bridge.add_file(entry.key, path, self.dpi)
            keys.append(entry.key)
        for name, data in inputs.images:
            entry = DocEntry.for_images(t("Pasted image") if name == "pasted image" else name)
            self._add(entry, select=len(keys) == last)
            self.keep(asyncio.ensure_future(self._decode_image(entry.key, data, name)))
            keys.append(entry.key)
        if inputs.skipped:
            self.window.show_message(
                t("Skipped (not found or not a local file): %1").replace(
                    "%1", ", ".join(inputs.skipped[:3])
                )
            )
        return keys

    def open_files(self, files: list[str]) -> None:
        from desktop.ui.state.inputs import expand_paths

        self.open_inputs(expand_paths(files))

    async def _decode_image(self, key: str, data: bytes, name: str) -> None:
        """A pasted or captured image is kept as a file first: read (and resumed) as one."""
        from desktop.engines.batch.captures import save_capture

        try:
            path = await asyncio.to_thread(save_capture, data, name)
        except DotsError as exc:
            self._on_source_failed(key, exc.facts)
            return
        except OSError as exc:  # the cache folder cannot be written
            detail = str(exc.strerror or exc)
            self._on_source_failed(key, (Msg.of(Code.CAPTURE_NOT_SAVED, name=name, detail=detail),))
            return
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.path = str(path)
        self.bridge.add_file(key, entry.path, self.dpi)

    def _add(self, entry: DocEntry, select: bool = True) -> None:
        self.entries[entry.key] = entry
        self.window.stack.setCurrentIndex(1)
        self.window.documents.add_document(entry, select=select)

    def load_history(self, store: object, limit: int = 50) -> None:
        """Reopen the newest documents of ``store`` (a HistoryStore), with their chats."""
        self.history = store
        for item in reversed(store.entries(limit=limit)):  # type: ignore[attr-defined]
            doc = store.load(item.id)  # type: ignore[attr-defined]
            if doc is None:
                continue
            chat = restored(store.load_chat(item.id))  # type: ignore[attr-defined]
            self.restore(doc, history_id=item.id, chat=chat)

    def restore(
        self, doc: Document, history_id: int | None = None, chat: list[ChatMessage] | None = None
    ) -> DocEntry:
        """A document from history: its results show at once; nothing is read again."""
        entry = DocEntry.for_path(doc.source)
        entry.restored = True
        entry.history_id = history_id
        entry.chat = list(chat or [])
        entry.results = {p.index: p for p in doc.pages}
        entry.page_count = max(entry.results, default=-1) + 1
        self.entries[entry.key] = entry
        if Path(doc.source).is_file():
            self.bridge.add_file(entry.key, doc.source, self.dpi)
        self.window.documents.add_document(entry, select=False)
        return entry

    def resume_interrupted(self) -> None:
        """Finish the readings a crash or a quit stopped; their finished pages are not re-read.

        Without an engine (a managed model not started yet) they wait for one: read now,
        every page would fail and the reading would be over.
        """
        if self.bridge.engine is None:
            self._resume_waiting = True
            return
        self._resume_waiting = False
        self.keep(asyncio.ensure_future(self._resume_interrupted()))

    def _on_engine_state(self, _name: str, state: str, _detail: str) -> None:
        if state == "ready" and self._resume_waiting:
            self.resume_interrupted()

    async def _resume_interrupted(self) -> None:
        try:
            readings = await self.bridge.interrupted()
        except Exception:  # no batch store: nothing to resume, the window works on
            logger.warning("interrupted readings unavailable", exc_info=True)
            return
        for n, reading in enumerate(readings):
            entry = DocEntry.for_path(reading.source)
            entry.resumed = True
            entry.queued.update(reading.pages)
            self._add(entry, select=n == 0)  # the newest
            self.bridge.add_file(entry.key, reading.source, reading.dpi)
            self.bridge.resume(entry.key, reading)
        if readings:
            self.window.show_message(
                t("Resuming %1 interrupted reading(s).").replace("%1", str(len(readings)))
            )

    def _on_page_count(self, key: str, count: int) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.page_count = count
        self.window.documents.update_document(entry)
        if key == self.current_key:
            self.window.documents.show_pages(entry)
            self.window.documents.select_page(0)
        if not entry.restored and not entry.resumed and not entry.hashing:
            self.read(key, [i for i in range(count) if i not in entry.results])

    def _on_source_failed(self, key: str, facts: tuple[Msg, ...]) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        if entry.page_count == 0:
            entry.error = facts
        self.window.documents.update_document(entry)
        if key == self.current_key:
            self._refresh_status()  # the page area says why, in full, with Retry
        else:  # a short line: the whole reason would be cut off in the status bar
            self.window.show_message(
                t("%1 could not be opened; select it to see why.").replace("%1", entry.name),
                15000,
            )

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

    # -- events ------------------------------------------------------------------
    def _on_page_started(self, key: str, index: int) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.queued.discard(index)
        entry.running.add(index)
        self.window.documents.update_document(entry)
        if key == self.current_key and index == self.current_page:
            self._refresh_status()

    def _on_block(self, key: str, index: int, block: Block) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.live_blocks.setdefault(index, []).append(block)
        if key == self.current_key and index == self.current_page:
            if self._pending_at != (key, index):
                self._pending = []
                self._pending_at = (key, index)
            self._pending.append(block)
            if not self._live.isActive():
                self._live.start()

    def _on_text(self, key: str, index: int, text: str) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.live_text[index] = entry.live_text.get(index, "") + text
        if (
            key == self.current_key
            and index == self.current_page
            and not entry.live_blocks.get(index)
        ):
            self._text_dirty = True
            if not self._live.isActive():
                self._live.start()

    def _flush_live(self) -> None:
        """Draw what streamed in since the last tick (current page only)."""
        pending, self._pending = self._pending, []
        at, self._pending_at = self._pending_at, ("", -1)
        current = (self.current_key, self.current_page)
        if pending and at == current:
            self.window.page_view.add_blocks(pending)
            self.window.text_view.append_blocks(pending)
        if self._text_dirty:
            self._text_dirty = False
            entry = self.entries.get(self.current_key)
            if entry is not None and not entry.live_blocks.get(self.current_page):
                self.window.plain_view.set_text(entry.live_text.get(self.current_page, ""))

    def _drop_live(self) -> None:
        """The page is about to be drawn in full: what waited to be drawn is in it."""
        self._pending = []
        self._pending_at = ("", -1)
        self._text_dirty = False

    def _on_page_done(self, key: str, page: Page) -> None:
        entry = self.entries.get(key)
        if entry is None:
            return
        entry.running.discard(page.index)
        entry.queued.discard(page.index)
        previous = entry.results.get(page.index)
        retry_failed = False
        if page.status == PageStatus.PENDING and previous is not None:
            pass  # a cancelled re-read keeps the earlier result
        elif page.width == 0 and previous is not None and page.status == PageStatus.FAILED:
            entry.results[page.index] = previous  # a failed retry keeps what we had
            self.window.show_message(page_reason_words(page), 15000)
            retry_failed = True
        else:
            entry.results[page.index] = page
        self.window.documents.update_document(entry)
        if key == self.current_key and page.index == self.current_page:
            self._refresh_page()
        if key == self.current_key and not self._tables_timer.isActive():
            self._tables_timer.start()
        if not entry.running and not entry.queued:
            self.document_finished.emit(key)
            self._remember(entry)
            if not retry_failed:  # the reason stays readable, not replaced at once
                self.window.show_message(t("%1: finished reading.").replace("%1", entry.name), 6000)

    def _refresh_tables(self) -> None:
        entry = self.entries.get(self.current_key)
        if entry is not None:
            self.window.tables.set_document(entry.document())

    def _remember(self, entry: DocEntry) -> None:
        store = self.history
        if store is None or not entry.path or entry.restored:
            return
        # SQLite commits wait for the disk: off the GUI thread.
        self.keep(asyncio.ensure_future(self._save_history(store, entry)))

    async def _save_history(self, store: object, entry: DocEntry) -> None:
        try:
            entry.history_id = await asyncio.to_thread(
                store.add,  # type: ignore[attr-defined]
                entry.document(),
            )
        except Exception:  # history is a convenience; reading must not fail because of it
            logger.warning("could not save history", exc_info=True)
            return
        if entry.chat:  # asked about before it was finished
            self.chat.save(entry)

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
            self._flush_live()  # the text view gets what waited; the overlay is redrawn below
            self.window.page_view.set_page(image)
            self.window.page_view.set_blocks(self.entries[key].blocks(index))

    def _refresh_page(self) -> None:
        entry = self.entries.get(self.current_key)
        if entry is None or self.current_page < 0:
            return
        index = self.current_page
        self._drop_live()
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
