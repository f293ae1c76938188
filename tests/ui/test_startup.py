"""Start-up: what the first paint shows, and the costs kept out of it."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import desktop.ui

REPO = Path(__file__).resolve().parents[2]
SELECTS_FEATURE = re.compile(r"^\s*(from __feature__ import|import __feature__)", re.MULTILINE)


def test_given_the_ui_package_then_pyside_reads_no_module_source_on_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # PySide6's __feature__ hook would read every later module's source (~300 ms over a
    # start-up). If a PySide6 upgrade moves the hook, this fails and the cost is back.
    assert desktop.ui.FEATURE_SCAN_QUIETED
    feature = sys.modules["shibokensupport.feature"]
    assert feature._mod_uses_pyside is desktop.ui._uses_pyside
    read: list[str] = []

    def getsource(obj: object) -> str:
        read.append(str(obj))
        return ""

    monkeypatch.setattr(inspect, "getsource", getsource)
    sys.modules.pop("colorsys", None)
    importlib.import_module("colorsys")  # a module nothing here imported before
    __import__("colorsys")  # through builtins.__import__, PySide6's hook
    assert read == []
    assert feature.pyside_feature_dict.get("colorsys") == 0  # default Qt names, no feature


def test_given_our_code_then_no_module_selects_a_pyside_feature() -> None:
    # The quieted scan is only right while nothing here uses ``from __feature__ import``.
    users = [
        str(path.relative_to(REPO))
        for folder in ("desktop", "tests", "benchmarks", "installer", "scripts")
        for path in (REPO / folder).rglob("*.py")
        if SELECTS_FEATURE.search(path.read_text(encoding="utf-8"))
    ]
    assert users == []


def _pixels(window: Any) -> Any:
    import numpy as np
    from PySide6.QtGui import QImage

    image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(bytes(image.constBits()), dtype=np.uint8)
    rows = rows[: image.height() * image.bytesPerLine()].reshape(image.height(), -1)
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)


def test_given_the_first_paint_then_completing_the_window_changes_nothing_visible(
    qapp: Any, qtbot: Any
) -> None:
    # The first paint shows stand-ins (document lists, Text tab) that complete() swaps for
    # the real panels: a user must not see the window jump or restyle.
    from desktop.ui.app import _show_window_early

    window: Any = _show_window_early(qapp)  # run_gui's first paint, painted
    qtbot.addWidget(window)
    # What the engine chip and the status bar say until an engine is chosen, the same
    # words DesktopApp then shows: no "No engine" flashing before "Preparing the engine…".
    assert window.engine_chip.text() == "Preparing the engine…"
    assert window.model_state.text() == "Preparing the engine…"
    before = _pixels(window)
    window.complete()
    qtbot.wait(50)
    after = _pixels(window)
    differs = abs(before - after).max(axis=2) > 24  # a visible change of colour
    ys, xs = differs.nonzero()
    assert differs.sum() == 0, f"{differs.sum()} pixels changed, e.g. at x={xs[:5]}, y={ys[:5]}"


@pytest.mark.parametrize("tmpdir", ["", "/tmp", "/var/tmp/", "/tmp//dots/../x", "/tmp/./a"])
def test_given_tmpdir_then_the_instance_socket_is_where_qlocalserver_puts_it(
    monkeypatch: pytest.MonkeyPatch, tmpdir: str
) -> None:
    # A second launch looks for the running window's socket without asking Qt (start-up
    # cost); if the two paths differed it would open a second window instead.
    from PySide6.QtCore import QDir

    from desktop.ui.appshell.instance import socket_path

    if tmpdir:
        monkeypatch.setenv("TMPDIR", tmpdir)
    else:
        monkeypatch.delenv("TMPDIR", raising=False)
    assert socket_path("dots-x") == QDir.cleanPath(QDir.tempPath()) + "/dots-x"


@pytest.mark.parametrize(
    "saved",
    [{}, {"language": "ru", "ocr_mode": "text"}, {"language": "xx"}, {"ocr_mode": "layout-only"}],
)
def test_given_saved_settings_then_the_first_paint_reads_what_the_app_reads(
    saved: dict[str, str],
) -> None:
    # The first paint reads language and mode on its own (before the preferences exist):
    # the window must not come up in one language or mode and switch a moment later.
    from desktop.ui.state.prefs import load_prefs
    from desktop.ui.state.settingsfile import first_paint_choices, settings_file

    store = settings_file()
    store.clear()
    for key, value in saved.items():
        store.setValue(key, value)
    store.sync()
    prefs = load_prefs()
    assert first_paint_choices() == (prefs.language, prefs.ocr_mode)
    if saved.get("language") == "ru":
        assert prefs.language == "ru"


def _drawn(icon: Any) -> int:
    """How many pixels of a 24 px rendering are not transparent."""
    image = icon.pixmap(24, 24).toImage()
    return sum(
        image.pixelColor(x, y).alpha() > 0
        for x in range(image.width())
        for y in range(image.height())
    )


def test_given_an_icon_then_it_is_drawn_from_a_cache_file_named_by_its_drawing(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core.paths import cache_dir
    from desktop.ui.look import icons

    first = icons.line_icon("open", "#123456")
    assert _drawn(first) > 20
    files = sorted(p.name for p in (cache_dir() / "icons").glob("open-*.svg"))
    assert len(files) == 1
    assert "#123456" in (cache_dir() / "icons" / files[0]).read_text(encoding="utf-8")
    # An update that changes the drawing must not find the old file.
    square = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
        '<rect width="24" height="24" fill="currentColor"/></svg>'
    )
    monkeypatch.setattr(icons, "_svg_source", lambda name: square)
    icons.line_icon("open", "#123456")
    assert len(list((cache_dir() / "icons").glob("open-*.svg"))) == 2


def test_given_a_read_only_cache_then_icons_are_still_drawn(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.ui.look import icons

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("pathlib.Path.mkdir", refuse)
    monkeypatch.setattr("pathlib.Path.write_text", refuse)
    assert _drawn(icons.line_icon("settings", "#654321")) > 20
    assert _drawn(icons.dot_icon("failed")) > 20


def test_given_the_window_modules_then_the_decoders_load_off_the_gui_thread() -> None:
    # numpy, Pillow's decoders and pdfium take ~110 ms to import; the shell preloads them
    # in a worker thread. Imported by the window's own modules, they would freeze the
    # window that long right after it appears.
    import subprocess
    import sys

    code = (
        "import sys; import desktop.ui.appshell.shell, desktop.ui.widgets.windowparts; "
        "heavy = ('numpy', 'pypdfium2', 'desktop.core.images'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr[-400:]


def test_given_the_first_paint_then_no_catalogue_or_document_model_is_imported() -> None:
    # The first paint shows the window's frame only; the message catalogue (hundreds of
    # codes and templates), the document model and dataclasses load after it.
    import subprocess
    import sys

    code = (
        "import os, sys, tempfile\n"
        "os.environ.update(QT_QPA_PLATFORM='offscreen', DOTS_DESKTOP_EXIT_AFTER_SHOWN='1',\n"
        "                  DOTS_DESKTOP_HOME=tempfile.mkdtemp())\n"
        "from desktop.ui import app\n"
        "try:\n"
        "    app.run_gui([])\n"
        "except SystemExit:\n"
        "    pass\n"
        "late = ('desktop.core.messages', 'desktop.core.document', 'dataclasses', 'asyncio')\n"
        "print(sorted(m for m in late if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr[-800:]
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr[-400:]
