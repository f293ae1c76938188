"""Make None, True and False immortal on Python 3.11, as Python 3.12 does.

PySide6 6.12's abi3 build drops one reference to the returned object whenever Python code
emits a signal (a bool) or a Python override of a void virtual such as ``paintEvent``
returns (None). Python 3.12+ never frees these singletons, so nothing happens there; on
3.11 their counts drain until the interpreter aborts ("none_dealloc"/"bool_dealloc"),
after minutes of repainting or at exit. Adding a huge count makes them immortal in effect.
"""

from __future__ import annotations

import ctypes
import logging
import sys

logger = logging.getLogger(__name__)

_EXTRA = 1 << 60  # decades of draining at millions per second; far from overflowing
_installed: list[bool] = []


def make_singletons_immortal() -> bool:
    """Apply once per process on CPython < 3.12; returns whether it was needed."""
    if _installed or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every object in CPython's non-debug builds.
        ctypes.c_ssize_t.from_address(id(obj)).value += _EXTRA
    _installed.append(True)
    logger.debug("None/True/False pinned against PySide6 reference drops")
    return True
