"""The documents' files as the window shows them: page counts, page images, thumbnails.

Display only: reading pages is the page reader's (see bridge.py). Decoding and rendering
run in one worker thread of low priority, so the GUI thread only handles signals.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.core.errors import DotsError, facts_of
from desktop.core.pageimage import PageImage

logger = logging.getLogger(__name__)

THUMB_DPI = 24


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
    """Where a document's pages come from: a file (captures are saved as files first)."""

    path: str = ""
    dpi: int = 200
    page_count: int = 0


class PageFiles(QObject):
    """Registered files (by document key): counted, rendered and thumbnailed off the GUI thread."""

    page_count = Signal(str, int)  # document key, page count
    source_failed = Signal(str, object)  # document key, why (facts)
    thumbnail_ready = Signal(str, int, QImage)
    page_image_ready = Signal(str, int, QImage)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sources: dict[str, Source] = {}
        self._pool = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="dots-render", initializer=background_thread
        )
        self._pool.submit(lambda: None)  # its thread starts now, not on the first page
        self._tasks: set[asyncio.Future[Any]] = set()
        self._thumb_queue: list[tuple[str, int]] = []
        self._thumb_task: asyncio.Future[Any] | None = None
        self._cache: dict[tuple[str, int], PageImage] = {}

    def source(self, key: str) -> Source | None:
        return self._sources.get(key)

    def add_file(self, key: str, path: str, dpi: int = 200) -> None:
        """Register a file and count its pages in the worker thread."""
        self._sources[key] = Source(path=path, dpi=dpi)
        self._spawn(self._count(key))

    def forget(self, key: str) -> None:
        """The document is closed: its pages leave the caches."""
        self._sources.pop(key, None)
        for cache_key in [k for k in self._cache if k[0] == key]:
            del self._cache[cache_key]

    async def _count(self, key: str) -> None:
        source = self._sources[key]
        try:
            from desktop.core.images import count_pages

            count = await self._run(count_pages, source.path)
        except DotsError as exc:
            self.source_failed.emit(key, facts_of(exc))
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
        """Worker thread: decode one page for display (the last few kept at full DPI)."""
        source = self._sources[key]
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
        thumb = self._load_page(key, index, dpi=THUMB_DPI).image.copy()
        thumb.thumbnail((160, 220))
        return pil_to_qimage(thumb)

    async def page_image(self, key: str, index: int) -> PageImage:
        """The page at OCR resolution (for chat's first turn)."""
        result: PageImage = await self._run(self._load_page, key, index)
        return result

    def _spawn(self, coro: Any) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def aclose(self) -> None:
        """Stop counting and rendering; waits (briefly) for a render in progress."""
        pending = [t for t in self._tasks if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=3)
        # A thread still decoding while the interpreter exits is a crash waiting to happen.
        self._pool.shutdown(wait=False, cancel_futures=True)
        await asyncio.wait_for(asyncio.to_thread(self._pool.shutdown, True), timeout=5)
