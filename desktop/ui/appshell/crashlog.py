"""Unhandled errors and Qt's warnings go to the log file; the user gets one sentence.

``install_crash_reporting`` (called by ``run_gui`` after the first paint) sets up the
rotating log file and routes four sources into it: ``sys.excepthook`` (Python errors in
slots and event handlers), ``threading.excepthook`` (plain threads), the asyncio loop's
exception handler and Qt's message handler. Errors then show a ``CrashDialog``:

- from any thread: the hook only logs and emits a queued signal, so a worker never waits
  for the GUI, and the dialog is built on the GUI thread;
- once per kind of error: the same exception from the same place does not pile up 50
  dialogs (the log keeps counting);
- never recursively: an error while the notice is shown is logged, and notices stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QWidget

logger = logging.getLogger(__name__)
qt_logger = logging.getLogger("qt")

#: Full tracebacks logged per kind of error; after that only a count, at 10, 100, 1000...
FULL_TRACEBACKS = 3
#: Crash notices per session: past that, errors are only logged.
MAX_NOTICES = 5

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def error_signature(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """The same error from the same code path gives the same text (the message may vary)."""
    frames = [f"{frame.filename}:{frame.lineno}" for frame in traceback.extract_tb(tb)]
    return f"{exc_type.__module__}.{exc_type.__qualname__}@{'>'.join(frames)}"


class CrashReporter(QObject):
    """Logs unhandled errors from every thread and shows the notice on the GUI thread."""

    #: (signature, details) from whichever thread the error happened in.
    reported = Signal(str, str)

    def __init__(self, log_folder: Path, parent_window: QWidget | None = None) -> None:
        super().__init__()
        self.log_folder = log_folder
        self._parent_window = parent_window
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._noticed: set[str] = set()
        self.notices = 0
        self.dialog: Any = None
        self._showing = False
        self._notices_broken = False
        self._saved: tuple[Any, Any, Any] | None = None
        self.reported.connect(self._notice, Qt.ConnectionType.QueuedConnection)

    # -- installing ----------------------------------------------------------------------
    def install(self) -> None:
        """Become sys/threading's excepthook and Qt's message handler."""
        if self._saved is None:
            previous_qt = qInstallMessageHandler(self.qt_message)
            self._saved = (sys.excepthook, threading.excepthook, previous_qt)
            sys.excepthook = self.excepthook
            threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        """Put the previous hooks back."""
        if self._saved is not None:
            sys.excepthook, threading.excepthook, previous_qt = self._saved
            qInstallMessageHandler(previous_qt)
            self._saved = None

    # -- the hooks (any thread; they never raise) -----------------------------------------
    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report((exc_type, exc, tb), "the GUI thread")

    def thread_excepthook(self, args: Any) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "?"
        self.report((args.exc_type, args.exc_value, args.exc_traceback), f"thread {name}")

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The asyncio loop's exception handler (a task or callback failed unobserved)."""
        exc = context.get("exception")
        message = str(context.get("message") or "")
        if not isinstance(exc, BaseException):
            logger.error("asyncio: %s", message)
            return
        # Connections reset or refused under a closing stream are the network's business,
        # not a defect: logged, no notice.
        quiet = isinstance(exc, (OSError, asyncio.CancelledError))
        self.report((type(exc), exc, exc.__traceback__), f"asyncio: {message}", notice=not quiet)

    def qt_message(self, mode: QtMsgType, context: Any, message: str) -> None:
        """Qt's warnings (and worse) into the log, with where Qt said them."""
        try:
            level = _QT_LEVELS.get(mode, logging.WARNING)
            where = ""
            if context is not None and context.file:
                where = f" ({context.file}:{context.line})"
            category = context.category if context is not None and context.category else "qt"
            qt_logger.log(level, "%s: %s%s", category, message, where)
            if mode == QtMsgType.QtFatalMsg:  # Qt aborts when this returns
                for handler in logging.getLogger().handlers:
                    handler.flush()
        except Exception:  # a log that fails must not take Qt down with it
            _last_resort("Qt message", message)

    def report(self, info: ExcInfo, origin: str, notice: bool = True) -> None:
        """Log ``info`` (counted per kind) and queue the notice to the GUI thread."""
        try:
            exc_type, exc, tb = info
            signature = error_signature(exc_type, tb)
            with self._lock:
                count = self._counts.get(signature, 0) + 1
                self._counts[signature] = count
            if count <= FULL_TRACEBACKS:
                logger.error("Unhandled error in %s", origin, exc_info=info)
            elif _is_power_of_ten(count):
                logger.error("The same error again (%d times): %s: %s", count, exc_type, exc)
            if notice and count == 1:
                details = "".join(traceback.format_exception(exc_type, exc, tb))
                self.reported.emit(signature, f"Unhandled error in {origin}:\n{details}")
        except Exception:  # the app is already in trouble: never add a second error
            _last_resort("error report", repr(info[1]))

    # -- the notice (GUI thread) ----------------------------------------------------------
    def _notice(self, signature: str, details: str) -> None:
        if signature in self._noticed or self._notices_broken or self._showing:
            return
        self._noticed.add(signature)
        if self.dialog is not None:  # one notice at a time: later errors join its details
            self.dialog.add_details(details)
            return
        if self.notices >= MAX_NOTICES:
            return
        self._showing = True
        try:
            self.dialog = self._make_dialog(details)
            self.dialog.finished.connect(self._notice_closed)
            self.dialog.show()
            self.dialog.raise_()
            self.notices += 1
        except Exception:  # showing failed: log it once, and show no more notices
            self._notices_broken = True
            self.dialog = None
            logger.exception("could not show the error notice")
        finally:
            self._showing = False

    def _make_dialog(self, details: str) -> Any:
        from desktop.core.logfile import log_path
        from desktop.ui.state.versions import versions_text
        from desktop.ui.widgets.crashdialog import CrashDialog

        full = f"{details}\n{versions_text()}\nLog: {log_path()}\n"
        return CrashDialog(full, self.log_folder, self._parent_window)

    def _notice_closed(self, _result: int = 0) -> None:
        self.dialog = None


def _is_power_of_ten(n: int) -> bool:
    while n % 10 == 0 and n > 1:
        n //= 10
    return n == 1


def _last_resort(what: str, text: str) -> None:
    stream = sys.__stderr__
    if stream is not None:
        with contextlib.suppress(Exception):
            stream.write(f"dots-desktop: could not log a {what}: {text}\n")


def install_crash_reporting(parent_window: QWidget | None = None) -> CrashReporter:
    """The log file and the four hooks; returns the reporter (its loop handler is set
    by the caller once the asyncio loop exists)."""
    from desktop import __version__
    from desktop.core.logfile import install_log_file, log_path
    from desktop.core.paths import log_dir
    from desktop.ui.state.versions import warm_versions

    install_log_file()
    reporter = CrashReporter(log_dir(), parent_window)
    reporter.install()
    warm_versions()
    logger.info("Dots Desktop %s started; this log is %s", __version__, log_path())
    return reporter
