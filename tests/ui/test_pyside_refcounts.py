"""GIVEN the pinned PySide6 WHEN Python code emits signals and overrides paint events
THEN the interpreter's None/True/False reference counts do not drain.

PySide6-Essentials 6.12.0 on Python 3.11 dropped one reference per emit/override return,
which aborted the app after a while ("bool_dealloc"). This guards the pin in pyproject.toml.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget

pytestmark = pytest.mark.gui


class _Emitter(QObject):
    changed = Signal(object)
    flag = Signal(bool)


class _Painted(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paints += 1


def test_signal_emits_keep_singleton_refcounts(qapp: Any) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.changed.connect(received.append)
    emitter.flag.connect(lambda _value: None)
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for i in range(20_000):
        emitter.changed.emit(i)
        emitter.flag.emit(i % 2 == 0)
    received.clear()
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    # Other code may hold a few more or fewer; a leak of this kind drops thousands.
    assert all(abs(a - b) < 100 for a, b in zip(after, before, strict=True)), (before, after)


def test_python_paint_overrides_keep_none_refcount(qapp: Any) -> None:
    widget = _Painted()
    widget.resize(50, 50)
    widget.show()
    before = sys.getrefcount(None)
    for _ in range(2_000):
        widget.grab()
    after = sys.getrefcount(None)
    widget.deleteLater()
    assert widget.paints >= 1000
    assert abs(after - before) < 100, (before, after)
