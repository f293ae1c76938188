"""The page area's notes and the reading line: a failed page's reason with Retry, a copy's
size with Undo, and seconds per page, the engine and the time left while reading."""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

from desktop.core.document import Page, PageStatus
from desktop.core.messages import Code, Msg
from desktop.ui.state.clipmime import ClipboardUndo
from desktop.ui.widgets.pagenotes import CopyNotice, FailedPage
from desktop.ui.words.facts import fact_words, facts_words, page_reason_words

if TYPE_CHECKING:
    from desktop.core.clipcontent import ClipContent
    from desktop.ui.control.bridge import EngineBridge
    from desktop.ui.state.session import DocEntry
    from desktop.ui.widgets.window import MainWindow

#: Seconds per page is the mean of the last pages read: a slow first page (model warm-up)
#: stops counting once a few more are done.
SPEED_WINDOW = 8


def split_fix(facts: tuple[Msg, ...]) -> tuple[tuple[Msg, ...], tuple[Msg, ...]]:
    """The facts that say what happened, and those that say what to do (``FIX_*`` codes)."""
    fixes = tuple(f for f in facts if f.code.name.startswith("FIX_"))
    return tuple(f for f in facts if f not in fixes), fixes


class PageNotes:
    """Owns the failed-page banner, the copy notice and the reading-speed label."""

    def __init__(self, window: MainWindow, bridge: EngineBridge) -> None:
        self.window = window
        self.failed = FailedPage()
        self.notice = CopyNotice()
        # Above the page: the page bar stays first, the view keeps the rest of the room.
        window.page_layout.insertWidget(1, self.failed)
        window.page_layout.insertWidget(2, self.notice)
        self.speed = QLabel()
        self.speed.setObjectName("reading_speed")
        window.statusBar().addWidget(self.speed)
        self.undo = ClipboardUndo()
        self.notice.undo_requested.connect(self._undo)
        self._engine = ""
        self._font_warned = False
        self._started: dict[tuple[str, int], float] = {}
        self._durations: deque[float] = deque(maxlen=SPEED_WINDOW)
        self._batch_start: float | None = None
        self._progress = (0, 0)
        bridge.engine_changed.connect(self._on_engine)
        bridge.page_started.connect(self._on_started)
        bridge.page_done.connect(self._on_done)
        bridge.batch_progress.connect(self._on_progress)

    # -- a failed page ----------------------------------------------------------------
    def show_state(self, entry: DocEntry | None, page: Page | None) -> bool:
        """The banner for the shown page: its facts when it (or its file) failed, else none.

        True when the banner shows."""
        facts: tuple[Msg, ...] = ()
        reason = ""
        if entry is not None and entry.error:
            facts = entry.error
        elif page is not None and page.status == PageStatus.FAILED:
            facts = page.facts
            reason = "" if facts else page_reason_words(page)
        if not facts and not reason:
            self.failed.hide()
            return False
        happened, fixes = split_fix(facts)
        self.failed.show_failure(reason or facts_words(happened), facts_words(fixes))
        return True

    # -- fonts --------------------------------------------------------------------------
    def check_font(self, text: str) -> None:
        """Warn once (a session) when CJK text read would show as empty boxes."""
        if self._font_warned:
            return
        from desktop.ui.look.cjkfont import cjk_sample, missing_glyphs

        sample = cjk_sample(text)
        if sample and missing_glyphs(sample, self.window.font()):
            self._font_warned = True
            facts = (Msg.of(Code.FONT_NO_CJK), Msg.of(Code.FIX_INSTALL_CJK_FONT))
            self.notice.tell(facts_words(facts), undo=False)

    # -- a copy -----------------------------------------------------------------------
    def copy(self, content: ClipContent) -> None:
        """Put ``content`` on the clipboard (every format) and say so, with Undo."""
        self.undo.put(content)
        if content.tables:
            fact = Msg.of(Code.COPIED_WITH_TABLES, chars=content.chars, tables=content.tables)
        else:
            fact = Msg.of(Code.COPIED_TO_CLIPBOARD, chars=content.chars)
        self.notice.tell(fact_words(fact), undo=True)

    def not_copied(self, doubt: Msg) -> None:
        """A doubtful result stays in the window; the clipboard keeps what it held."""
        self.notice.tell(fact_words(Msg.of(Code.CAPTURE_NOT_COPIED, why=doubt)), undo=False)

    def _undo(self) -> None:
        self.undo.undo()
        self.notice.hide()

    # -- seconds per page ---------------------------------------------------------------
    def _on_engine(self, name: str, _state: str, _detail: object) -> None:
        if name:
            self._engine = name

    def _on_started(self, key: str, index: int) -> None:
        self._started[(key, index)] = time.monotonic()
        if self._batch_start is None:
            self._batch_start = time.monotonic()

    def _on_done(self, key: str, page: Page) -> None:
        started = self._started.pop((key, page.index), None)
        if started is not None and page.status != PageStatus.PENDING:
            self._durations.append(time.monotonic() - started)
            self._show_speed()

    def seconds_per_page(self) -> float | None:
        return sum(self._durations) / len(self._durations) if self._durations else None

    def _on_progress(self, done: int, total: int) -> None:
        self._progress = (done, total)
        if total <= 0:  # the batch is over: the line goes, the next batch starts afresh
            self.speed.setText("")
            self._batch_start = None
            self._started.clear()
            return
        self._show_speed()

    def _show_speed(self) -> None:
        done, total = self._progress
        per_page = self.seconds_per_page()
        if per_page is None or total <= 0:
            return
        speed = Msg.of(Code.READING_SPEED, engine=self._engine, seconds=f"{per_page:.1f}")
        parts = [fact_words(speed)]
        left = total - done
        if left > 0 and done > 0 and self._batch_start is not None:
            # Pages may be read several at a time: time left from the pace so far.
            pace = (time.monotonic() - self._batch_start) / done
            seconds = round(pace * left)
            parts.append(
                fact_words(
                    Msg.of(
                        Code.READING_ETA, minutes=seconds // 60, seconds=seconds % 60, pages=left
                    )
                )
            )
        self.speed.setText(" · ".join(parts))
