"""The app's log file: a few megabytes in the platform's log folder, rotated.

A window started from a menu (or a packaged app on Windows) has no terminal, so what goes
wrong must land in a file the user can find and send.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from desktop.core.paths import log_dir

LOG_NAME = "dots-desktop.log"
#: Each file's size before it rotates, and how many old files are kept beside it.
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 4
FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"
#: Libraries that log every request at INFO: a batch would fill the file with them.
_CHATTY = ("httpx", "httpcore", "hpack", "urllib3", "docker", "asyncio", "PIL")


def log_path() -> Path:
    """The current log file (older ones beside it end in .1, .2, ...)."""
    return log_dir() / LOG_NAME


def install_log_file(
    path: Path | None = None, max_bytes: int = MAX_BYTES, backups: int = BACKUPS
) -> logging.Handler:
    """Send INFO and above to the rotating log file, warnings also to stderr; returns the
    file handler (installing twice keeps the first one)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, RotatingLog):
            return handler
    target = path or log_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingLog(target, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    if sys.stderr is not None and not any(_is_console(h) for h in root.handlers):
        # A handler on the root switches off logging's last resort: keep the terminal's
        # warnings for those who start the app from one (no stderr under pythonw).
        console = ConsoleLog()
        console.setLevel(logging.WARNING)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    _levels["root"] = root.level
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    for name in _CHATTY:
        chatty = logging.getLogger(name)
        _levels[name] = chatty.level
        chatty.setLevel(max(chatty.level, logging.WARNING))
    return handler


def remove_log_file() -> None:
    """Undo ``install_log_file`` (tests; the window keeps its log until it exits)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, (RotatingLog, ConsoleLog)):
            root.removeHandler(handler)
            handler.close()
    for name, level in _levels.items():
        (root if name == "root" else logging.getLogger(name)).setLevel(level)
    _levels.clear()


def _is_console(handler: logging.Handler) -> bool:
    if not isinstance(handler, logging.StreamHandler) or isinstance(handler, RotatingLog):
        return False
    return handler.stream in (sys.stderr, sys.__stderr__)


#: Levels ``install_log_file`` changed, put back by ``remove_log_file``.
_levels: dict[str, int] = {}


class RotatingLog(logging.handlers.RotatingFileHandler):
    """The app's own file handler (told apart from any a host program installed)."""


class ConsoleLog(logging.StreamHandler):
    """Warnings on stderr, as before the log file took over the root logger."""
