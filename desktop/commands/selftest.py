"""``dots-desktop --self-test``: prove that this installation (source or frozen bundle) works.

Headless (Qt ``offscreen`` unless a platform is set): shows the real main window, OCRs the
bundled sample invoice with the built-in engine, checks its table (5 x 4, a cell spanning
three columns, key texts), exports it to XLSX and reads that back. Each step prints its
time; the exit code is 0 when all pass, 1 with a one-line reason otherwise.

Qt is imported lazily here, and only to show the window: the self-test is the one command
whose job is to start the GUI stack without a display.

``DOTS_DESKTOP_SELFTEST_STOP_AFTER=window`` ends the test (exit 0) once the window is shown;
benchmarks/bench_bundle.py uses it to time start-up of the frozen and the source app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop.commands.selftest_docout import check_html, check_xlsx
from desktop.commands.selftest_steps import SelfTestError
from desktop.commands.selftest_steps import Steps as _Steps
from desktop.core.messages import Code, Msg

__all__ = ["SelfTestError", "resources_dir", "run_self_test", "sample_path"]

logger = logging.getLogger(__name__)

SAMPLE = ("sample", "invoice.png")
#: What the sample's table must look like (rows, cols), the spanned cell, texts found in it.
EXPECTED_SHAPE = (5, 4)
EXPECTED_SPAN = (4, 0, 3)  # row, col, colspan of "Grand total"
EXPECTED_TEXTS = ("Ink cartridge", "39.80", "100.80")
WINDOW_TIMEOUT_S = 10.0
STOP_AFTER_ENV = "DOTS_DESKTOP_SELFTEST_STOP_AFTER"


def resources_dir() -> Path:
    """resources/ from a source checkout, or inside the PyInstaller bundle (``sys._MEIPASS``)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def sample_path() -> Path:
    return resources_dir().joinpath(*SAMPLE)


@contextlib.contextmanager
def _private_home() -> Iterator[None]:
    """Keep the test's settings/history out of the user's folders unless a home is set."""
    if os.environ.get("DOTS_DESKTOP_HOME"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="dots-selftest-home-") as home:
        os.environ["DOTS_DESKTOP_HOME"] = home
        try:
            yield
        finally:
            os.environ.pop("DOTS_DESKTOP_HOME", None)


class _State:
    """What the steps hand to each other."""

    app: Any = None
    loop: asyncio.AbstractEventLoop | None = None  # one loop for every engine call
    window: Any = None
    page: Any = None
    engine: Any = None
    result: Any = None
    grid: Any = None


def run_self_test() -> int:
    """Run every step; 0 when the app works here, 1 with a one-line reason otherwise."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    stop_after = os.environ.get(STOP_AFTER_ENV, "").strip().lower()
    steps = _Steps()
    state = _State()
    where = "frozen bundle" if getattr(sys, "frozen", False) else "source"
    print(f"self-test: Dots Desktop {_version()} ({where}, Python {sys.version.split()[0]})")
    try:
        with _private_home(), tempfile.TemporaryDirectory(prefix="dots-selftest-") as tmp:
            steps.run("Qt application", lambda: _start_qt(state))
            steps.run("main window shown", lambda: _show_window(state))
            if stop_after == "window":
                print(f"self-test: stopped after the window ({steps.elapsed:.2f} s)")
                return 0
            steps.run("app modules", _import_app_modules)
            steps.run("child process environment", _check_child_env)
            steps.run("translations", lambda: _check_translations(state))
            steps.run("locale data (ICU)", _check_locale_data)
            steps.run("PDF rendering (pdfium)", lambda: _check_pdf(Path(tmp)))
            steps.run("sample loaded", lambda: _load_sample(state))
            steps.run("built-in engine ready", lambda: _engine_ready(state))
            steps.run("sample recognised", lambda: _recognise(state))
            steps.run("table checked", lambda: _check_table(state))
            steps.run("XLSX export read back", lambda: _check_xlsx(state, Path(tmp)))
            steps.run("HTML export rendered", check_html)
            steps.run("PDF and Word export", lambda: _check_docout(state, Path(tmp)))
    except SelfTestError as exc:  # a developer's report: English, like its step lines
        print(f"self-test FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        _close(state)
    print(f"self-test: passed ({steps.count} steps, {steps.elapsed:.2f} s)", flush=True)
    return 0


def _version() -> str:
    from desktop import __version__

    return __version__


# -- GUI ---------------------------------------------------------------------------------
def _start_qt(state: _State) -> str:
    from PySide6.QtCore import QCoreApplication, QtMsgType, qInstallMessageHandler
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    def on_message(kind: QtMsgType, _context: object, message: str) -> None:
        # The offscreen platform says it cannot resize windows to hints: expected here.
        quiet = kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg)
        if not quiet and "propagateSizeHints" not in message:
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(on_message)
    QCoreApplication.setApplicationName("Dots Desktop")
    QGuiApplication.setDesktopFileName("dots-desktop")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "dots-desktop"])
    state.app = app
    return f"platform {QGuiApplication.platformName()}"


def _show_window(state: _State) -> str:
    from PySide6.QtWidgets import QApplication

    from desktop.ui.look.icons import app_icon
    from desktop.ui.widgets.window import MainWindow

    app = state.app
    icon = app_icon()
    if icon.isNull():
        raise SelfTestError(Msg(Code.SELFTEST_ICON_MISSING))
    app.setWindowIcon(icon)
    window = MainWindow()
    state.window = window
    window.show()
    deadline = time.monotonic() + WINDOW_TIMEOUT_S
    while time.monotonic() < deadline:
        QApplication.processEvents()
        handle = window.windowHandle()
        if window.isVisible() and handle is not None and handle.isExposed():
            return f"{window.width()}x{window.height()} '{window.windowTitle()}'"
        time.sleep(0.01)
    raise SelfTestError(Msg.of(Code.SELFTEST_WINDOW_NOT_SHOWN, seconds=WINDOW_TIMEOUT_S))


def _import_app_modules() -> str:
    """The modules the window app needs at run time are present (a bundle can miss them)."""
    import importlib

    names = (
        "qasync",
        "desktop.ui.app",
        "desktop.ui.appshell.shell",
        "desktop.ui.appshell.tray",
        "desktop.ui.appshell.crashlog",  # with logging.handlers: the log file
        "desktop.core.logfile",
        "desktop.engines.factory",
        "desktop.engines.remote.server",
        "desktop.runtime.profiles",
        "keyring",
        "docker",
        "pypdfium2",
    )
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            missing = Msg.of(Code.SELFTEST_MODULE_MISSING, name=name, detail=str(exc))
            raise SelfTestError(missing) from None
    from desktop.runtime.profiles import load_profiles

    profiles = load_profiles()
    if not profiles:
        raise SelfTestError(Msg(Code.SELFTEST_NO_PROFILES))
    return f"{len(names)} modules, {len(profiles)} model profiles"


def _check_child_env() -> str:
    """Programs the app starts (Tesseract, xdg-open) must not load the bundle's libraries."""
    bundle = getattr(sys, "_MEIPASS", None)
    if not bundle or not sys.platform.startswith("linux"):
        return "nothing to restore"
    if bundle in os.environ.get("LD_LIBRARY_PATH", ""):
        raise SelfTestError(Msg.of(Code.SELFTEST_LIBRARY_PATH, bundle=bundle))
    return "LD_LIBRARY_PATH restored for child processes"


def _check_translations(state: _State) -> str:
    from PySide6.QtCore import QLibraryInfo, QTranslator

    # Qt's own strings (dialog buttons) for the Russian UI, where the UI looks for them.
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load("qtbase_ru", qt_dir):
        raise SelfTestError(Msg.of(Code.SELFTEST_QT_RUSSIAN_MISSING, folder=qt_dir))
    qm = sorted(p.name for p in (resources_dir() / "i18n").glob("*.qm"))
    if not qm:
        return "qtbase_ru; the app ships no .qm yet"
    from desktop.ui.words.i18n import install_language

    if not install_language(state.app, "ru"):
        raise SelfTestError(Msg(Code.SELFTEST_RUSSIAN_NOT_LOADED))
    install_language(state.app, "en")
    return ", ".join(["qtbase_ru", *qm])


def _check_locale_data() -> str:
    """Russian sorting and time-zone names: what the bundle's (trimmed) ICU data must keep."""
    from PySide6.QtCore import QCollator, QLocale, QTimeZone

    russian = QLocale("ru_RU")
    words = ["apple", "жук", "ель", "ёлка"]
    got = sorted(words, key=QCollator(russian).sortKey)
    if got != ["ёлка", "ель", "жук", "apple"]:  # root order would put Latin first
        raise SelfTestError(Msg.of(Code.SELFTEST_SORTING, got=str(got)))
    zone = QTimeZone(b"Europe/Moscow").displayName(
        QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, russian
    )
    if "Москва" not in zone:
        raise SelfTestError(Msg.of(Code.SELFTEST_ZONE_NAMES, zone=zone))
    return f"ru collation, {zone}"


# -- OCR -----------------------------------------------------------------------------------
def _load_sample(state: _State) -> str:
    from desktop.core.images import iter_pages

    path = sample_path()
    if not path.is_file():
        raise SelfTestError(Msg.of(Code.SELFTEST_SAMPLE_MISSING, path=str(path)))
    state.page = next(iter(iter_pages(path)))
    return f"{path.name} {state.page.width}x{state.page.height}"


def _check_pdf(tmp: Path) -> str:
    """The bundled pdfium renders: a one-page PDF made here comes back as an image."""
    import pypdfium2 as pdfium

    from desktop.core.images import iter_pages

    path = tmp / "self-test.pdf"
    doc = pdfium.PdfDocument.new()
    try:
        doc.new_page(200, 100)
        doc.save(str(path))
    finally:
        doc.close()
    page = next(iter(iter_pages(path, dpi=144)))
    if (page.width, page.height) != (400, 200):
        size = Msg.of(Code.SELFTEST_PDF_SIZE, width=page.width, height=page.height)
        raise SelfTestError(size)
    return f"{page.width}x{page.height} px at 144 DPI"


def _engine_ready(state: _State) -> str:
    from desktop.engines import builtin

    why_not = getattr(builtin, "builtin_available", lambda: None)()
    if why_not:
        raise SelfTestError(why_not)
    state.engine = builtin.BuiltinEngine()
    _run(state, state.engine.ensure_ready())
    return str(state.engine.name)


def _recognise(state: _State) -> str:
    from desktop.engines.base import PageDone, RecognizeMode

    async def read() -> Any:
        done = None
        async for event in state.engine.recognize(state.page, RecognizeMode.LAYOUT):
            if isinstance(event, PageDone):
                done = event.page
        return done

    page = _run(state, read())
    if page is None:
        raise SelfTestError(Msg(Code.SELFTEST_NO_RESULT))
    state.result = page
    status = getattr(page.status, "value", page.status)
    if status not in ("ok", "recovered"):
        why = page.facts or page.reason  # a reason without facts: an engine's own text
        raise SelfTestError(Msg.of(Code.SELFTEST_PAGE_STATUS, status=status, why=why))
    return f"{len(page.blocks)} blocks, {len(page.tables)} table(s), status {status}"


def _check_table(state: _State) -> str:
    from desktop.core.tables import parse_table_html

    tables = [parse_table_html(block.text or "") for block in state.result.tables]
    if not tables:
        raise SelfTestError(Msg(Code.SELFTEST_NO_TABLE))
    shapes = [(g.rows, g.cols) for g in tables]
    matching = [g for g in tables if (g.rows, g.cols) == EXPECTED_SHAPE]
    if not matching:
        rows, cols = EXPECTED_SHAPE
        shape = Msg.of(Code.SELFTEST_TABLE_SHAPE, rows=rows, cols=cols, shapes=str(shapes))
        raise SelfTestError(shape)
    grid = matching[0]
    row, col, colspan = EXPECTED_SPAN
    cell = grid.cell_at(row, col)
    if cell is None:
        raise SelfTestError(Msg.of(Code.SELFTEST_SPAN_NONE, colspan=colspan))
    if cell.colspan != colspan or cell.row != row or cell.col != col:
        at = {"got": cell.colspan, "row": cell.row, "col": cell.col}
        raise SelfTestError(Msg(Code.SELFTEST_SPAN_WRONG, {"colspan": colspan, **at}))
    text = " | ".join(" ".join(c.text.split()) for c in grid.cells)
    missing = [t for t in EXPECTED_TEXTS if t not in text]
    if missing:
        lacks = Msg.of(Code.SELFTEST_TABLE_LACKS, missing=str(missing), text=text[:160])
        raise SelfTestError(lacks)
    state.grid = grid
    return f"{grid.rows}x{grid.cols}, merged cell and {len(EXPECTED_TEXTS)} key texts found"


def _check_docout(state: _State, tmp: Path) -> str:
    from desktop.commands.selftest_docout import check_document_exports

    return check_document_exports(sample_path(), state.result, tmp)


def _check_xlsx(state: _State, tmp: Path) -> str:
    return check_xlsx(state.grid, tmp)


def _run(state: _State, coro: Any) -> Any:
    if state.loop is None:
        state.loop = asyncio.new_event_loop()
    return state.loop.run_until_complete(coro)


def _close(state: _State) -> None:
    if state.engine is not None:
        with contextlib.suppress(Exception):
            _run(state, state.engine.aclose())
    if state.loop is not None:
        with contextlib.suppress(Exception):
            state.loop.run_until_complete(state.loop.shutdown_default_executor())
        state.loop.close()
    with contextlib.suppress(Exception):
        if state.window is not None:
            state.window.hide()
            state.window.deleteLater()
        if state.app is not None:
            from PySide6.QtWidgets import QApplication

            QApplication.processEvents()
