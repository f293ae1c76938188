"""Extraction in the window: runs the engine's extraction mode, fills the Extract pane.

One run at a time, as an asyncio task (the schema is checked, pages decoded and answers
parsed in worker threads; the request streams on the loop): the current document or every
open one, progress per page, cancel at any point (rows finished so far stay). A page's
OCR text goes along when the document was read. Each value's source box is shown on the
page through ``show_source``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject

from desktop.core.document import BBox, Page
from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg
from desktop.core.schemas import (
    MAX_SCHEMA_BYTES,
    ExtractSchema,
    extraction_table,
    flatten,
    load_schema_text,
)
from desktop.ui.state.extractrows import ExtractRow, export_rows, sources_by_column
from desktop.ui.words.facts import facts_words

if TYPE_CHECKING:
    from desktop.engines.remote.extraction import Extraction
    from desktop.ui.control.bridge import EngineBridge
    from desktop.ui.state.session import DocEntry
    from desktop.ui.widgets.extractpane import ExtractPane
    from desktop.ui.widgets.window import MainWindow

logger = logging.getLogger(__name__)


def t(text: str) -> str:
    return QCoreApplication.translate("ExtractController", text)


def page_ocr_text(page: Page) -> str:
    """What OCR read on ``page``, in reading order (blocks' text, else the page's text)."""
    texts = [b.text for b in page.blocks if b.text and b.category != "Picture"]
    return "\n\n".join(texts) if texts else page.text


class ExtractController(QObject):
    """Owns the extracted rows of this session; the pane shows them."""

    def __init__(
        self,
        pane: ExtractPane,
        bridge: EngineBridge,
        entries: Mapping[str, DocEntry],
        *,
        current: Callable[[], str],
        show_source: Callable[[str, int, list[BBox]], None],
        parent: QObject | None = None,
    ) -> None:
        """``current``: the shown document's key; ``show_source(key, page, boxes)``."""
        super().__init__(parent)
        self.pane = pane
        self.bridge = bridge
        self.entries = entries
        self.current = current
        self.show_source = show_source
        self.rows: dict[str, ExtractRow] = {}
        self.columns: list[str] = []
        self._task: asyncio.Task[None] | None = None
        self._exports: set[asyncio.Future[None]] = set()
        pane.run_requested.connect(self.run)
        pane.cancel_requested.connect(self.cancel)
        pane.export_requested.connect(self.export)
        pane.source_wanted.connect(self.locate)
        pane.value_edited.connect(self._on_edited)
        pane.schema_file_chosen.connect(self.open_schema)

    # -- running ---------------------------------------------------------------------------
    def run(self, every: bool) -> None:
        if self._task is not None and not self._task.done():
            return
        keys = list(self.entries) if every else [self.current()]
        targets = [self.entries[k] for k in keys if k in self.entries and self.entries[k].path]
        if not targets:
            self.pane.set_status(t("Open a document first, then extract its fields."))
            return
        self.pane.set_running(True)
        self._task = asyncio.ensure_future(self._run(self.pane.schema_text(), targets))
        self._task.add_done_callback(self._finished)

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def _finished(self, task: asyncio.Future[None]) -> None:
        # Also for a task cancelled before its first step (its body never ran).
        if task.cancelled():
            self.pane.set_status(facts_words([Msg(Code.EXTRACT_CANCELLED)]))
        self.pane.set_running(False)

    async def _run(self, text: str, targets: list[DocEntry]) -> None:
        try:
            await self._extract_all(text, targets)
        except DotsError as exc:  # the schema, the engine, the server: one sentence and its fix
            self.pane.set_status(facts_words(exc.facts))
        except Exception as exc:  # a bug must still end as a sentence, never a stuck pane
            logger.exception("extraction failed")
            self.pane.set_status(
                facts_words([Msg.of(Code.CLI_UNEXPECTED, kind=type(exc).__name__, detail=str(exc))])
            )

    async def _extract_all(self, text: str, targets: list[DocEntry]) -> None:
        # The engine's extraction mode (and jsonschema) load with the first run, not at start.
        from desktop.engines.remote.extraction import check_can_extract, extract_source

        schema = await asyncio.to_thread(load_schema_text, text, t("schema"))
        engine = self.bridge.engine
        if engine is None:
            self.pane.set_status(t("No engine is running: start a model or connect a server."))
            return
        await engine.ensure_ready()
        check_can_extract(engine)
        if schema.columns != self.columns:  # another schema: the old rows do not fit it
            self.rows.clear()
            self.columns = schema.columns
        total = len(targets)
        for number, entry in enumerate(targets, start=1):

            def progress(done: int, pages: int, name: str = entry.name, n: int = number) -> None:
                self.pane.set_progress(
                    n - 1, total, self._progress_text(n, total, name, done, pages)
                )

            progress(0, entry.page_count or 1)
            ocr = {i: page_ocr_text(p) for i, p in entry.results.items() if p.blocks or p.text}
            result = await extract_source(
                engine,  # type: ignore[arg-type]  # check_can_extract: a ServerEngine
                entry.path,
                schema,
                ocr_texts=ocr,
                on_page=progress,
            )
            self.rows[entry.key] = self._row(entry, schema, result)
            self.pane.set_rows(list(self.rows.values()), self.columns, show=entry.key)
        done = sum(1 for row in self.rows.values() if not row.error)
        self.pane.set_progress(
            total,
            total,
            t("Extracted %1 of %2.").replace("%1", str(done)).replace("%2", str(len(self.rows))),
        )

    @staticmethod
    def _progress_text(n: int, total: int, name: str, done: int, pages: int) -> str:
        return (
            t("Extracting %1 (%2 of %3): page %4 of %5")
            .replace("%1", name)
            .replace("%2", str(n))
            .replace("%3", str(total))
            .replace("%4", str(min(done + 1, pages)))
            .replace("%5", str(pages))
        )

    @staticmethod
    def _row(entry: DocEntry, schema: ExtractSchema, result: Extraction) -> ExtractRow:
        if result.error is not None:
            return ExtractRow(entry.key, entry.name, error=facts_words(result.error.facts))
        sources = sources_by_column(
            ((s.pointer, s.page_index, s.bbox) for s in result.sources), schema.columns
        )
        return ExtractRow(entry.key, entry.name, flatten(schema, result.values), sources)

    def open_schema(self, path: str) -> None:
        """The file's text in the editor (read in a worker; checked when Extract is pressed)."""
        task = asyncio.ensure_future(self._open_schema(path))
        self._exports.add(task)
        task.add_done_callback(self._exports.discard)

    async def _open_schema(self, path: str) -> None:
        def read() -> str:
            with open(path, "rb") as handle:
                return handle.read(MAX_SCHEMA_BYTES + 1).decode("utf-8-sig", errors="replace")

        try:
            text = await asyncio.to_thread(read)
        except OSError as exc:
            detail = str(exc.strerror or exc)
            self.pane.set_status(
                facts_words([Msg.of(Code.SCHEMA_UNREADABLE, name=path, detail=detail)])
            )
            return
        self.pane.schema_edit.setPlainText(text)
        self.pane.set_status("")

    # -- the form --------------------------------------------------------------------------
    def locate(self, key: str, column: str) -> None:
        row = self.rows.get(key)
        places = row.sources.get(column, []) if row is not None else []
        if not places:
            return
        page = places[0][0]
        self.show_source(key, page, [box for index, box in places if index == page])

    def _on_edited(self, key: str, column: str, text: str) -> None:
        row = self.rows.get(key)
        if row is not None:
            row.set_value(column, text)

    # -- export ----------------------------------------------------------------------------
    def export(self, path: str) -> None:
        rows = export_rows(self.rows)
        if not rows:
            self.pane.set_status(facts_words([Msg(Code.EXTRACT_NOTHING_TO_EXPORT)]))
            return
        columns = ["file", *self.columns]
        task = asyncio.ensure_future(self._export(path, columns, rows))
        self._exports.add(task)
        task.add_done_callback(self._exports.discard)

    async def _export(self, path: str, columns: list[str], rows: list[dict[str, object]]) -> None:
        from desktop.core.exports import write_csv, write_xlsx

        grid = extraction_table(columns, rows)

        def write() -> None:
            if Path(path).suffix.lower() == ".xlsx":
                write_xlsx([("Extracted", grid)], path)
            else:
                write_csv(grid, path)

        try:
            await asyncio.to_thread(write)
        except OSError as exc:
            detail = str(exc.strerror or exc)
            self.pane.set_status(
                facts_words([Msg.of(Code.EXPORT_FAILED, target=path, detail=detail)])
            )
            return
        self.pane.set_status(
            t("Exported %1 row(s) to %2").replace("%1", str(len(rows))).replace("%2", path)
        )


def source_shower(
    window: MainWindow, current: Callable[[], str]
) -> Callable[[str, int, list[BBox]], None]:
    """``show(key, page, boxes)``: that document's page in the view, the boxes marked on it.

    The marks go when the user picks another page or document.
    """
    from desktop.ui.widgets.documents import USER_ROLE
    from desktop.ui.widgets.sourcemarks import SourceMarks

    marks = SourceMarks(window.page_view)
    window.source_marks = marks
    window.documents.document_selected.connect(lambda _key: marks.clear())
    window.documents.page_selected.connect(lambda _key, _index: marks.clear())

    def show(key: str, page: int, boxes: list[BBox]) -> None:
        docs = window.documents.docs
        if key != current():
            for row in range(docs.count()):
                item = docs.item(row)
                if item.data(USER_ROLE) == key:
                    docs.setCurrentItem(item)
                    break
        window.documents.select_page(page)
        marks.show(boxes)

    return show
