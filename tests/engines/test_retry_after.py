"""Retry-After in both forms, capped; what the terminal is shown of hostile text and logs."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from desktop.commands.words import TerminalLogFormatter, terminal_safe
from desktop.engines.errors import RETRY_AFTER_CAP, retry_after_seconds

NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)


def test_retry_after_reads_seconds_and_http_dates_and_caps_both() -> None:
    assert retry_after_seconds("7", NOW) == 7.0
    assert retry_after_seconds(format_datetime(NOW + timedelta(seconds=12), usegmt=True), NOW) == 12
    # GIVEN a server asking for an hour, or a date long past THEN the wait stays bounded
    assert retry_after_seconds("3600", NOW) == RETRY_AFTER_CAP
    assert retry_after_seconds(format_datetime(NOW + timedelta(days=1), usegmt=True), NOW) == (
        RETRY_AFTER_CAP
    )
    assert retry_after_seconds(format_datetime(NOW - timedelta(hours=1), usegmt=True), NOW) == 0
    # Nothing readable: the client's own backoff is used
    for value in (None, "", "soon", "-5", "1e9"):
        assert retry_after_seconds(value, NOW) is None


def test_terminal_safe_removes_escapes_and_control_characters_but_keeps_lines() -> None:
    text = "a\x1b[2J\x1b]0;title\x07b\x00c\x9b31md\r\ne\tf\x7f"
    assert terminal_safe(text) == "abc31md\ne\tf"
    assert terminal_safe("plain text") == "plain text"


def test_a_log_line_on_the_terminal_has_no_traceback_unless_verbose() -> None:
    try:
        raise ValueError("model said \x1b[31mred")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("\x00p",), None)
        record.exc_info = sys.exc_info()
    quiet = TerminalLogFormatter(verbose=False).format(record)
    assert quiet == "ERROR x: failed p"
    loud = TerminalLogFormatter(verbose=True).format(record)
    assert "Traceback" in loud and "\x1b" not in loud
