"""What the command line says, in the system locale's language (LC_ALL, LC_MESSAGES, LANG).

Facts come from the core, the engines and the runtime; the catalogue words them here, on
stderr. Results on stdout and the JSON stay as they are, whatever the locale.
"""

from __future__ import annotations

import logging
import re
import sys

from desktop.core.document import PageStatus
from desktop.core.messages import Code, Msg, language_from_env, say

_STATUS = {
    PageStatus.PENDING: Code.STATUS_PENDING,
    PageStatus.OK: Code.STATUS_OK,
    PageStatus.PARTIAL: Code.STATUS_PARTIAL,
    PageStatus.RECOVERED: Code.STATUS_RECOVERED,
    PageStatus.FAILED: Code.STATUS_FAILED,
}


#: Terminal escape sequences (CSI ``ESC [ ... m``, OSC ``ESC ] ... BEL``, two-byte ``ESC x``),
#: then any control character left but newline and tab: C0, DEL and C1 (``\x9b`` is CSI).
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` without what a terminal would act on (the model's text is not trusted):
    escape sequences and control characters are removed, newlines and tabs kept."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))


def cli_words(*facts: Msg | None) -> str:
    """``facts`` as one line in the locale's language."""
    return terminal_safe(say(facts, language_from_env()))


def say_facts(*facts: Msg | None) -> None:
    """``facts`` on stderr, in the locale's language."""
    print(cli_words(*facts), file=sys.stderr, flush=True)


def status_fact(status: PageStatus) -> Msg:
    """A page status as a word."""
    return Msg(_STATUS[status])


class TerminalLogFormatter(logging.Formatter):
    """Log lines on a terminal: stripped of control characters (a log line may quote the
    model or a server); a traceback only with ``--verbose``, where it is asked for."""

    def __init__(self, verbose: bool) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        if not self.verbose and (record.exc_info or record.stack_info):
            record = logging.makeLogRecord(record.__dict__)
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return terminal_safe(super().format(record))


def log_to_terminal(verbose: bool) -> None:
    """Root logging on stderr, through ``TerminalLogFormatter``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(TerminalLogFormatter(verbose))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])
