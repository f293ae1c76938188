"""What the command line says, in the system locale's language (LC_ALL, LC_MESSAGES, LANG).

Facts come from the core, the engines and the runtime; the catalogue words them here, on
stderr. Results on stdout and the JSON stay as they are, whatever the locale.
"""

from __future__ import annotations

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


def cli_words(*facts: Msg | None) -> str:
    """``facts`` as one line in the locale's language."""
    return say(facts, language_from_env())


def say_facts(*facts: Msg | None) -> None:
    """``facts`` on stderr, in the locale's language."""
    print(cli_words(*facts), file=sys.stderr, flush=True)


def status_fact(status: PageStatus) -> Msg:
    """A page status as a word."""
    return Msg(_STATUS[status])
