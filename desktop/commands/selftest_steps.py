"""The self-test's steps: each is timed and printed; the first that fails ends the test.

Why a step failed is a fact (``SelfTestError``, a ``DotsError``): a code and its
particulars, worded where the report is printed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg

logger = logging.getLogger(__name__)


class SelfTestError(DotsError):
    """A step failed; its fact is the one-line reason shown."""


class Steps:
    """Runs named steps, printing each one's duration; stops at the first failure."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.count = 0

    def run(self, name: str, func: Callable[[], str]) -> None:
        self.count += 1
        start = time.perf_counter()
        try:
            detail = func()
        except SelfTestError as exc:
            raise SelfTestError(
                Msg.of(Code.SELFTEST_STEP_FAILED, step=name, why=exc.facts)
            ) from None
        except Exception as exc:  # any crash is a failed step with its cause
            logger.debug("self-test step %r crashed", name, exc_info=True)
            crash = Msg.of(
                Code.SELFTEST_STEP_CRASHED, step=name, kind=type(exc).__name__, detail=str(exc)
            )
            raise SelfTestError(crash) from None
        took = time.perf_counter() - start
        line = f"self-test: [{self.count:>2}] {name:<26} {took:6.2f} s"
        print(f"{line}  {detail}" if detail else line, flush=True)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0
