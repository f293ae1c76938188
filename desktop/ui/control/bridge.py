"""The one thin place where asyncio engine work becomes Qt signals.

Every job is a coroutine scheduled with ``asyncio.ensure_future`` on the qasync loop; decoding
and PDF rendering run in a worker thread, so the GUI thread only ever handles signals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.core.document import BBox, Page, PageStatus
from desktop.core.errors import DotsError, facts_of
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.engines.base import (
    BlockFound,
    Capability,
    ChatMessage,
    Engine,
    PageDone,
    RecognizeMode,
    TextDelta,
)

logger = logging.getLogger(__name__)

THUMB_DPI = 24


@contextlib.asynccontextmanager
async def closing_stream(stream: AsyncIterator[Any]) -> AsyncIterator[AsyncIterator[Any]]:
    """Close the engine's stream in this task (also on cancel), not later from the GC."""
    try:
        yield stream
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


def _retrieve_exception(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def background_thread() -> None:
    """Thread initializer for worker pools: a lower CPU priority (Linux; elsewhere a no-op).

    On a busy machine the scheduler then runs the GUI thread first, and page rendering
    or image encoding waits a moment instead of the window.
    """
    import os
    import threading

    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + 5))
    except OSError:  # not allowed here: keep the default
        logger.debug("could not lower the worker thread's priority")


#: Pixels converted per PIL call: each call holds the GIL, so a whole page at once would
#: keep the GUI thread waiting for tens of milliseconds.
STRIP_PIXELS = 1 << 16


def pil_to_qimage(image: Any) -> QImage:
    """PIL image -> an independent QImage (built off the GUI thread, in short strips)."""
    width, height = image.size
    rows = max(1, STRIP_PIXELS // max(1, width))
    parts = []
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(height, top + rows)))
        parts.append((strip if strip.mode == "RGB" else strip.convert("RGB")).tobytes())
    data = b"".join(parts)
    qimg = QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888)
    # The screen's own format: QPixmap.fromImage on the GUI thread then only copies.
    return qimg.convertToFormat(QImage.Format.Format_RGB32)


@dataclass(slots=True)
class Source:
    """Where a document's pages come from: a file on disk or images held in memory."""

    path: str = ""
    images: list[PageImage] = field(default_factory=list)
    dpi: int = 200
    page_count: int = 0


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
        self._sources: dict[str, Source] = {}
        self._pool = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="dots-render", initializer=background_thread
        )
        self._pool.submit(lambda: None)  # its thread starts now, not on the first page
        self._ocr_tasks: set[asyncio.Future[Any]] = set()
        self._other_tasks: set[asyncio.Future[Any]] = set()
        self._chat_task: asyncio.Future[Any] | None = None
        self._thumb_queue: list[tuple[str, int]] = []
        self._thumb_task: asyncio.Future[Any] | None = None
        self._semaphore = asyncio.Semaphore(2)
        self._done = 0
        self._queued = 0
        self._cache: dict[tuple[str, int], PageImage] = {}

    # -- engine ---------------------------------------------------------------
    @property
    def engine(self) -> Engine | None:
        return self._engine

    def capabilities(self) -> Capability:
        return self._engine.capabilities if self._engine else Capability.NONE

    def set_concurrency(self, value: int) -> None:
        self._semaphore = asyncio.Semaphore(max(1, value))

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

    # -- sources and page images -----------------------------------------------
    def add_file(self, key: str, path: str, dpi: int = 200) -> None:
        """Register a file and count its pages in the worker thread."""
        self._sources[key] = Source(path=path, dpi=dpi)
        self._spawn(self._count(key))

    def add_images(self, key: str, images: Sequence[PageImage]) -> None:
        self._sources[key] = Source(images=list(images), page_count=len(images))
        self.page_count.emit(key, len(images))

    def forget(self, key: str) -> None:
        self._sources.pop(key, None)
        for cache_key in [k for k in self._cache if k[0] == key]:
            del self._cache[cache_key]

    async def _count(self, key: str) -> None:
        source = self._sources[key]
        try:
            from desktop.core.images import count_pages

            count = await self._run(count_pages, source.path)
        except DotsError as exc:
            self.source_failed.emit(key, exc.facts)
            return
        except Exception as exc:  # a reader bug must not kill the window
            logger.exception("counting pages of %s failed", source.path)
            self.source_failed.emit(key, facts_of(exc))
            return
        source.page_count = count
        self.page_count.emit(key, count)

    async def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(*args, **kwargs))

    def _load_page(self, key: str, index: int, dpi: float | None = None) -> PageImage:
        """Worker thread: decode one page (cached at full DPI for OCR)."""
        source = self._sources[key]
        if source.images:
            return source.images[index]
        if dpi is None and (key, index) in self._cache:
            return self._cache[(key, index)]
        from desktop.core.images import iter_pages

        page = next(iter_pages(source.path, dpi=dpi or source.dpi, pages=[index]))
        if dpi is None:
            if len(self._cache) > 6:
                self._cache.pop(next(iter(self._cache)))
            self._cache[(key, index)] = page
        return page

    def request_page_image(self, key: str, index: int) -> None:
        self._spawn(self._page_image(key, index))

    async def _page_image(self, key: str, index: int) -> None:
        try:
            qimg = await self._run(lambda: pil_to_qimage(self._load_page(key, index).image))
        except Exception as exc:  # shown on the page list; the rest of the file still works
            logger.warning("page %s of %s failed to render: %s", index, key, exc)
            self.source_failed.emit(key, facts_of(exc))
            return
        self.page_image_ready.emit(key, index, qimg)

    def request_thumbnail(self, key: str, index: int) -> None:
        """Queue a small render; one at a time so a 300-page PDF never floods the worker."""
        self._thumb_queue.append((key, index))
        if self._thumb_task is None or self._thumb_task.done():
            self._thumb_task = self._spawn(self._drain_thumbnails())

    async def _drain_thumbnails(self) -> None:
        while self._thumb_queue:
            key, index = self._thumb_queue.pop(0)
            if key not in self._sources:
                continue
            try:
                qimg = await self._run(self._thumbnail, key, index)
            except Exception as exc:  # a bad page gets no thumbnail, nothing more
                logger.debug("thumbnail %s/%s failed: %s", key, index, exc)
                continue
            self.thumbnail_ready.emit(key, index, qimg)

    def _thumbnail(self, key: str, index: int) -> QImage:
        source = self._sources[key]
        image = source.images[index].image if source.images else None
        if image is None:
            image = self._load_page(key, index, dpi=THUMB_DPI).image
        thumb = image.copy()
        thumb.thumbnail((160, 220))
        return pil_to_qimage(thumb)

    # -- OCR -------------------------------------------------------------------
    def recognize(
        self,
        key: str,
        pages: Sequence[int],
        mode: RecognizeMode,
        region: BBox | None = None,
    ) -> None:
        """Queue OCR of ``pages``; events arrive as signals."""
        self._queued += len(pages)
        self.batch_progress.emit(self._done, self._queued)
        for index in pages:
            task = asyncio.ensure_future(self._recognize_page(key, index, mode, region))
            self._ocr_tasks.add(task)
            task.add_done_callback(self._ocr_tasks.discard)

    async def _recognize_page(
        self, key: str, index: int, mode: RecognizeMode, region: BBox | None
    ) -> None:
        try:
            async with self._semaphore:
                if region is None:  # a region's text is no reading of the page itself
                    self.page_started.emit(key, index)
                page_image = await self._run(self._load_page, key, index)
                engine = await self._ready_engine()
                self.engine_changed.emit(engine.name, "busy", ())
                stream = engine.recognize(page_image, mode, region)
                async with closing_stream(stream) as events:
                    async for event in events:
                        if region is not None:
                            if isinstance(event, PageDone):
                                self.region_done.emit(key, index, event.page)
                            continue
                        if isinstance(event, BlockFound):
                            self.block_found.emit(key, event.page_index, event.block)
                        elif isinstance(event, TextDelta):
                            self.text_delta.emit(key, event.page_index, event.text)
                        elif isinstance(event, PageDone):
                            self.page_done.emit(key, event.page)
        except asyncio.CancelledError:
            if region is not None:
                raise
            self.page_done.emit(
                key, Page(index, 0, 0, status=PageStatus.PENDING, facts=(Msg(Code.PAGE_CANCELLED),))
            )
            raise
        except Exception as exc:  # every failure becomes a failed page with its sentence
            if not isinstance(exc, DotsError):
                logger.exception("OCR of page %s failed", index)
            failed = Page(index, 0, 0, status=PageStatus.FAILED, facts=facts_of(exc))
            if region is not None:
                self.region_done.emit(key, index, failed)
            else:
                self.page_done.emit(key, failed)
        finally:
            self._done += 1
            self.batch_progress.emit(self._done, self._queued)
            if self._done >= self._queued:
                self._done = self._queued = 0
                self.batch_progress.emit(0, 0)
                ready = self._engine_ready
                if self._engine is not None and ready and ready.done() and not ready.exception():
                    self.engine_changed.emit(self._engine.name, "ready", ())

    def cancel_ocr(self) -> int:
        """Cancel queued and running pages; returns how many were cancelled."""
        tasks = [t for t in self._ocr_tasks if not t.done()]
        for task in tasks:
            task.cancel()
        return len(tasks)

    @property
    def busy(self) -> bool:
        return any(not t.done() for t in self._ocr_tasks)

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

    async def page_image(self, key: str, index: int) -> PageImage:
        """The page at OCR resolution (for chat's first turn)."""
        result: PageImage = await self._run(self._load_page, key, index)
        return result

    # -- lifecycle ---------------------------------------------------------------
    def _spawn(self, coro: Any) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._other_tasks.add(task)
        task.add_done_callback(self._other_tasks.discard)
        return task

    async def aclose(self) -> None:
        """Cancel everything and close the engine; bounded so quitting never hangs."""
        self.cancel_ocr()
        self.stop_chat()
        pending = [t for t in (*self._ocr_tasks, *self._other_tasks) if not t.done()]
        for task in pending:
            task.cancel()
        if self._chat_task is not None:
            pending.append(self._chat_task)
        if pending:
            await asyncio.wait(pending, timeout=3)
        if self._engine is not None:
            await self._close_quietly(self._engine)
            self._engine = None
        # Wait (briefly) for a render in progress: a thread still decoding while the
        # interpreter exits is a crash waiting to happen.
        self._pool.shutdown(wait=False, cancel_futures=True)
        await asyncio.wait_for(asyncio.to_thread(self._pool.shutdown, True), timeout=5)
