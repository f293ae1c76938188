"""The one thin place where asyncio engine work becomes Qt signals.

Pages are read by the page reader (``engines.batch.pipeline``), the same one the command
line uses, with its batch store in the data folder: the bridge starts one run per request
and turns the run's events into signals. What it does itself is display: page images and
thumbnails. Every job is a coroutine scheduled with ``asyncio.ensure_future`` on the qasync
loop; decoding and PDF rendering run in worker threads, so the GUI thread only handles
signals.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.core.document import BBox
from desktop.core.errors import DotsError, facts_of
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.engines.base import Capability, ChatMessage, Engine, RecognizeMode
from desktop.ui.control.otherengine import OtherEngine
from desktop.ui.control.pagefiles import PageFiles, background_thread
from desktop.ui.control.readruns import ReadingRuns, closing_stream

# background_thread: app.py's worker threads use it from here.
__all__ = ["EngineBridge", "background_thread", "closing_stream"]

if TYPE_CHECKING:
    from desktop.engines.batch.resume import Interrupted

logger = logging.getLogger(__name__)


def _retrieve_exception(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class EngineBridge(QObject):
    """Runs loads, OCR and chat for the window and reports through signals."""

    engine_changed = Signal(
        str, str, object
    )  # engine name, state (starting/ready/failed/busy), why it failed (facts, () if not)
    page_count = Signal(str, int)  # document key, page count
    source_failed = Signal(str, object)  # document key, why (facts)
    thumbnail_ready = Signal(str, int, QImage)
    page_image_ready = Signal(str, int, QImage)
    page_started = Signal(str, int)
    block_found = Signal(str, int, object)  # key, page index, Block
    text_delta = Signal(str, int, str)
    page_done = Signal(str, object)  # key, Page
    region_done = Signal(str, int, object)  # key, page index, Page read from a region only
    batch_progress = Signal(int, int)  # pages done, pages queued
    chat_delta = Signal(str, str)  # key, text piece
    chat_finished = Signal(str, object)  # key, why it failed (facts; () when fine or stopped)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine: Engine | None = None
        self._engine_ready: asyncio.Future[None] | None = None
        self._engine_set = asyncio.Event()
        self._engine_set.set()
        self.files = PageFiles(self)
        for mine, theirs in (
            (self.page_count, self.files.page_count),
            (self.source_failed, self.files.source_failed),
            (self.thumbnail_ready, self.files.thumbnail_ready),
            (self.page_image_ready, self.files.page_image_ready),
        ):
            theirs.connect(mine)
        self._other_tasks: set[asyncio.Future[Any]] = set()
        self._chat_task: asyncio.Future[Any] | None = None
        self.other = OtherEngine()  # "Read again with the built-in engine"
        self.runs = ReadingRuns(
            self.files,
            self.other,
            ready_engine=self._ready_engine,
            engine=lambda: self._engine,
            engine_ready=lambda: self._engine_ready,
            parent=self,
        )
        runs = self.runs
        for mine, theirs in (
            (self.engine_changed, runs.engine_changed),
            (self.source_failed, runs.source_failed),
            (self.page_started, runs.page_started),
            (self.block_found, runs.block_found),
            (self.text_delta, runs.text_delta),
            (self.page_done, runs.page_done),
            (self.region_done, runs.region_done),
            (self.batch_progress, runs.batch_progress),
        ):
            theirs.connect(mine)

    # -- engine ---------------------------------------------------------------
    @property
    def engine(self) -> Engine | None:
        return self._engine

    def capabilities(self) -> Capability:
        return self._engine.capabilities if self._engine else Capability.NONE

    def set_concurrency(self, value: int) -> None:
        """Pages read at a time (for reads started after this)."""
        self.runs.set_concurrency(value)

    def expect_engine(self) -> None:
        """An engine is being built: pages queued meanwhile wait for it instead of failing."""
        self._engine_set.clear()

    def set_engine(self, engine: Engine | None) -> None:
        """Swap the active engine; the old one is closed in the background."""
        self._engine_set.set()
        old, self._engine = self._engine, engine
        if old is not None and old is not engine:
            self._spawn(self._close_quietly(old))
        if engine is None:
            self._engine_ready = None
            self.engine_changed.emit("", "stopped", ())
            return
        self.engine_changed.emit(engine.name, "starting", ())
        self._engine_ready = self._start_prepare(engine)

    def _start_prepare(self, engine: Engine) -> asyncio.Future[None]:
        ready = asyncio.ensure_future(self._prepare(engine))
        # Nobody may await it (the engine is replaced or closed first): its failure was
        # already shown, so take the exception here instead of leaving it to the GC's log.
        ready.add_done_callback(_retrieve_exception)
        return ready

    async def _prepare(self, engine: Engine) -> None:
        try:
            await engine.ensure_ready()
        except DotsError as exc:
            self.engine_changed.emit(engine.name, "failed", exc.facts)
            raise
        except Exception as exc:  # unexpected engine bug: show it as a sentence, keep running
            logger.exception("engine %s failed to start", engine.name)
            self.engine_changed.emit(engine.name, "failed", facts_of(exc))
            raise
        if self._engine is engine:
            self.engine_changed.emit(engine.name, "ready", ())

    async def _ready_engine(self) -> Engine:
        if not self._engine_set.is_set():
            try:
                await asyncio.wait_for(self._engine_set.wait(), timeout=120)
            except TimeoutError:
                logger.warning("no engine was set within 120 s")
        engine = self._engine
        if engine is None:
            raise DotsError(Msg(Code.NO_ENGINE), fix=Msg(Code.FIX_CHOOSE_ENGINE))
        ready = self._engine_ready
        if ready is None or (ready.done() and ready.exception() is not None):
            ready = self._engine_ready = self._start_prepare(engine)
        await asyncio.shield(ready)
        return engine

    @staticmethod
    async def _close_quietly(engine: Engine) -> None:
        try:
            await asyncio.wait_for(engine.aclose(), timeout=5)
        except Exception:  # closing is best effort; log the cause
            logger.warning("closing engine %s failed", engine.name, exc_info=True)

    # -- files (display) ----------------------------------------------------------
    def add_file(self, key: str, path: str, dpi: int = 200) -> None:
        """Register a file; its page count arrives as ``page_count`` (or ``source_failed``)."""
        self.files.add_file(key, path, dpi)

    def forget(self, key: str) -> None:
        """The document is closed: its reading stops and its pages leave the caches."""
        self.cancel_document(key)
        self.files.forget(key)

    def request_page_image(self, key: str, index: int) -> None:
        self.files.request_page_image(key, index)

    def request_thumbnail(self, key: str, index: int) -> None:
        self.files.request_thumbnail(key, index)

    async def page_image(self, key: str, index: int) -> PageImage:
        """The page at reading resolution (for chat's first turn)."""
        return await self.files.page_image(key, index)

    # -- OCR (the runs: readruns.py) ---------------------------------------------
    def recognize(
        self,
        key: str,
        pages: Sequence[int],
        mode: RecognizeMode,
        region: BBox | None = None,
        *,
        builtin: bool = False,
    ) -> None:
        """Queue OCR of ``pages`` (one run of the page reader); events arrive as signals.

        ``builtin``: read this run with the built-in engine instead of the window's engine.
        """
        self.runs.read(key, pages, mode, region, builtin=builtin)

    def engine_name_for(self, key: str) -> str:
        """The name of the engine reading (or that last read) document ``key``."""
        return self.runs.engine_name_for(key)

    def resume(self, key: str, interrupted: Interrupted) -> None:
        """Finish an interrupted reading: done pages come from the store, the rest are read."""
        self.runs.resume(key, interrupted)

    async def interrupted(self) -> list[Interrupted]:
        """Readings a crash or a quit stopped, newest first (regions are dropped, not kept)."""
        return await self.runs.interrupted()

    def cancel_ocr(self) -> int:
        """Stop every page not read yet (each ends "Cancelled."); returns how many."""
        return self.runs.cancel_ocr()

    def cancel_document(self, key: str) -> int:
        """Stop the pages of one document not read yet; returns how many."""
        return self.runs.cancel_document(key)

    @property
    def busy(self) -> bool:
        return self.runs.busy

    # -- chat ------------------------------------------------------------------
    def chat(self, key: str, messages: Sequence[ChatMessage]) -> None:
        self.stop_chat()
        self._chat_task = asyncio.ensure_future(self._chat(key, list(messages)))

    async def _chat(self, key: str, messages: list[ChatMessage]) -> None:
        error: tuple[Msg, ...] = ()
        try:
            engine = await self._ready_engine()
            async with closing_stream(engine.chat(messages)) as pieces:
                async for piece in pieces:
                    self.chat_delta.emit(key, piece)
        except asyncio.CancelledError:
            self.chat_finished.emit(key, ())
            raise
        except DotsError as exc:
            error = exc.facts
        except Exception as exc:  # shown in the chat pane
            logger.exception("chat failed")
            error = facts_of(exc)
        self.chat_finished.emit(key, error)

    def stop_chat(self) -> None:
        if self._chat_task is not None and not self._chat_task.done():
            self._chat_task.cancel()

    # -- lifecycle ---------------------------------------------------------------
    def _spawn(self, coro: Any) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._other_tasks.add(task)
        task.add_done_callback(self._other_tasks.discard)
        return task

    async def aclose(self) -> None:
        """Stop everything and close the engine; bounded so quitting never hangs.

        Pages being read stay unfinished in the batch store: the next start resumes them.
        """
        self.stop_chat()
        self._spawn(self.other.aclose())
        reader = self.runs.reader
        if reader is not None:
            try:
                await asyncio.wait_for(reader.cancel(), timeout=3)
            except TimeoutError:
                logger.warning("the page reader did not stop within 3 s")
        pending = [t for t in (*self.runs.tasks, *self._other_tasks) if not t.done()]
        for task in pending:
            task.cancel()
        if self._chat_task is not None:
            pending.append(self._chat_task)
        if pending:
            await asyncio.wait(pending, timeout=3)
        if self._engine is not None:
            await self._close_quietly(self._engine)
            self._engine = None
        reader = self.runs.reader  # a run may have opened the store meanwhile
        if reader is not None:
            await asyncio.to_thread(reader.store.close)
        await self.files.aclose()
