"""Russian: a complete translation, compiled, and used by every widget."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from desktop.ui.appshell.tray import Tray
from desktop.ui.look.icons import resources_dir
from desktop.ui.state.prefs import Prefs
from desktop.ui.widgets.settings import SettingsDialog
from desktop.ui.widgets.window import MainWindow
from desktop.ui.words.i18n import install_language
from tests.ui.trstrings import TS, extract, read_ts

pytestmark = pytest.mark.gui

#: Names and notations that read the same in Russian.
PROPER = {"JSON", "Dots Desktop", "CSV (*.csv)", "JSON (*.json)", "Markdown (*.md)"}


def test_the_russian_ts_translates_every_string_the_ui_uses() -> None:
    ts = read_ts(TS)
    used = extract()
    assert len(used) > 100
    missing = sorted(key for key in used if key not in ts)
    unfinished = sorted(key for key, (_t, done) in ts.items() if not done)
    assert not missing, f"not in the .ts (run python -m tests.ui.trstrings): {missing[:5]}"
    assert not unfinished, f"untranslated: {unfinished[:5]}"
    assert 'type="unfinished"' not in TS.read_text(encoding="utf-8")


def test_the_compiled_qm_is_current(qapp: QApplication) -> None:
    translator = QTranslator()
    assert translator.load("dots_desktop_ru", str(resources_dir() / "i18n"))
    stale = [(ctx, src) for ctx, src in extract() if not translator.translate(ctx, src)]
    assert not stale, f"rebuild the .qm with pyside6-lrelease: {stale[:5]}"


@pytest.fixture
def russian(qapp: QApplication) -> Iterator[None]:
    assert install_language(qapp, "ru")
    yield
    install_language(qapp, "en")


def visible_texts(root: QWidget) -> list[str]:
    texts: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if isinstance(w, QLabel | QAbstractButton):
            texts.append(w.text())
        if isinstance(w, QLineEdit | QPlainTextEdit):
            texts.append(w.placeholderText())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
        texts.append(w.toolTip())
        texts.append(w.accessibleName())
    for action in root.findChildren(QAction):
        texts += [action.text(), action.toolTip().split(" (")[0]]
    return [t for t in texts if t]


def test_given_russian_then_no_widget_shows_english(russian: None, qtbot: Any) -> None:
    english = {src for _ctx, src in extract()} - PROPER
    window = MainWindow()
    qtbot.addWidget(window)
    tray = Tray()
    dialog = SettingsDialog(Prefs(language="ru"), [("dots-ocr", "dots.ocr")], window)
    texts = visible_texts(window) + visible_texts(dialog) + visible_texts(tray.menu)
    assert "Открыть" in texts and "Распознать изображение из буфера" in texts
    left = sorted({t for t in texts if t in english})
    assert not left, f"still English in Russian mode: {left}"


def test_given_russian_then_the_model_panel_shows_no_english(russian: None, qtbot: Any) -> None:
    from types import SimpleNamespace

    from desktop.runtime.diagnosis import Stage
    from desktop.runtime.profiles import load_profiles
    from desktop.runtime.status import ContainerState, ControllerStatus
    from desktop.ui.widgets.modelpanel import ModelPanel, PanelLinks

    profiles = load_profiles()
    status = ControllerStatus(
        state=ContainerState.STARTING,
        profile_id="dots.ocr",
        stage=Stage.LOADING_WEIGHTS,
        stages_seen=(Stage.CREATED, Stage.LOADING_WEIGHTS),
    )
    runtime = SimpleNamespace(
        status=lambda: status,
        logs=lambda: ["INFO loading"],
        profiles=lambda: profiles,
        profile=lambda pid: profiles["dots.ocr"],
        last_profile=None,
        error="",
    )
    window = MainWindow()
    qtbot.addWidget(window)
    prefs = Prefs(engine_mode="managed", profile="dots.ocr", language="ru")
    links = PanelLinks(
        prefs=lambda: prefs,
        save_engine=lambda _mode, _profile: None,
        apply_engine=lambda: None,
        engine_state=lambda: ("dots.ocr", "stopped", ""),
        gpu_sample=lambda: (3 * 1024**3, 16 * 1024**3),
        model=lambda: runtime,
        runtime=lambda: runtime,
        profile_names=lambda: [],
    )
    panel = ModelPanel(links, window)
    panel._wired = runtime
    panel.refresh()
    english = {src for _ctx, src in extract()} - PROPER
    texts = [*visible_texts(panel), panel.plan.text(), panel.state.text(), panel.stages.text()]
    assert "помещается" in panel.plan.text() and "загрузка весов" in panel.state.text()
    left = sorted({t for t in texts if t in english or "Needs" in t or "loading" in t})
    assert not left, f"still English in Russian mode: {left}"
    panel.close()


def test_given_russian_then_a_memory_shortfall_and_its_fix_read_in_russian(russian: None) -> None:
    from desktop.runtime.planner import plan_memory
    from desktop.runtime.profiles import GIB, find_profile, load_profiles
    from desktop.runtime.status import ContainerState, ControllerStatus
    from desktop.ui.words.modelwords import diagnosis_words

    # GIVEN a profile that cannot fit the 2.5 GiB free on a 16 GiB card
    profile = find_profile(load_profiles(), "dots.ocr")
    plan = plan_memory(profile, int(2.5 * GIB), 16 * GIB)
    assert not plan.fits and plan.shortfall is not None
    from desktop.core.messages import Code, Msg

    status = ControllerStatus(
        state=ContainerState.FAILED,
        problem=plan.shortfall,
        remedy=Msg(Code.FIX_NO_FIT),
    )
    # WHEN the panel words the failure THEN it is Russian, numbers and all
    message, fix = diagnosis_words(status)
    assert message.startswith("Для ") and "свободно только 2.5 ГиБ" in message, message
    assert fix.startswith("Закройте программы")


def test_given_russian_then_page_reasons_read_in_russian_piece_by_piece(russian: None) -> None:
    """Reasons come from the engines as facts; the window words them in Russian."""
    from desktop.core.document import Page, PageStatus
    from desktop.core.messages import Code, Msg
    from desktop.ui.state.results import status_sentence

    tesseract = Page(
        0, 10, 10, status=PageStatus.OK, facts=(Msg.of(Code.READ_WITH_TESSERACT, languages="rus"),)
    )
    assert tesseract.reason == "read with Tesseract (rus)"
    assert status_sentence(tesseract, False) == "Распознана полностью. Прочитано Tesseract (rus)"
    loop = Msg.of(Code.LOOP_TEXT, text="| |", times=40)
    recovered = Page(
        0,
        10,
        10,
        status=PageStatus.RECOVERED,
        facts=(Msg.of(Code.PAGE_LOOP_REREAD, chars=406, loop=loop, regions=12),),
    )
    assert recovered.reason == (
        "A repetition loop was stopped after 406 characters (the text '| |' repeated 40 "
        "times); the page was re-read as layout plus 12 regions."
    )
    line = status_sentence(recovered, False)
    assert "Зацикливание остановлено после 406 символов" in line
    assert "текст '| |' повторён 40 раз" in line
    assert "разметка и 12 областей" in line
    truncated = Page(
        0,
        10,
        10,
        status=PageStatus.PARTIAL,
        facts=(Msg.of(Code.PAGE_LIMIT_KEPT_CUT, count=7),),
    )
    assert status_sentence(truncated, False).endswith(
        "сохранено полных блоков: 7 и обрезанный последний."
    )
    cancelled = Page(0, 0, 0, status=PageStatus.FAILED, facts=(Msg(Code.PAGE_CANCELLED),))
    assert status_sentence(cancelled, False).endswith("Отменено.")  # the reader's own reason
    # A page stored before facts existed keeps its English reason rather than losing it.
    unknown = Page(0, 10, 10, status=PageStatus.FAILED, reason="Something new happened.")
    assert status_sentence(unknown, False).endswith("Something new happened.")


def _real_errors(tmp_path: Any) -> list[Exception]:
    """Errors the core and the engines really raise, for files and servers a user meets."""
    import struct
    import zlib

    from desktop.core.errors import DotsError
    from desktop.core.images import count_pages, iter_pages
    from desktop.core.resize import smart_resize
    from desktop.engines.builtin.engine import BuiltinEngine
    from desktop.engines.errors import (
        AuthFailed,
        ModelNotServed,
        ServerUnavailable,
        error_from_response,
    )

    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    chunk = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)  # 3.6 gigapixels
    huge = tmp_path / "huge.png"
    parts = [b"\x89PNG\r\n\x1a\n"]
    for kind, data in ((b"IHDR", chunk), (b"IDAT", zlib.compress(b"\x00" * 64)), (b"IEND", b"")):
        parts.append(struct.pack(">I", len(data)) + kind + data)
        parts.append(struct.pack(">I", zlib.crc32(kind + data)))
    huge.write_bytes(b"".join(parts))
    errors: list[Exception] = []
    for path in (tmp_path / "missing.jpg", tmp_path, empty, text, broken, truncated, huge):
        try:
            list(iter_pages(path)) if path.suffix != ".pdf" else count_pages(path)
        except DotsError as exc:
            errors.append(exc)
    try:
        smart_resize(10, 5000)  # a strip of a page: too long for the model
    except DotsError as exc:
        errors.append(exc)
    context = '{"error": {"message": "This model\'s maximum context length is 8192 tokens."}}'
    errors += [
        error_from_response(400, context, "http://gpu-box:8000", key_given=False),
        error_from_response(500, '{"error": {"message": "boom"}}', "http://x", key_given=False),
        ServerUnavailable("http://127.0.0.1:8000"),
        AuthFailed("http://gpu-box:8000", key_given=True),
        AuthFailed("http://gpu-box:8000", key_given=False),
        ModelNotServed("qwen", ["dots.ocr"]),
    ]
    try:
        import asyncio

        async def chat() -> None:
            async for _ in BuiltinEngine().chat([]):
                pass

        asyncio.run(chat())
    except DotsError as exc:
        errors.append(exc)
    assert len(errors) == 15, [str(e) for e in errors]
    return errors


def test_given_russian_then_errors_from_files_and_servers_read_in_russian(
    russian: None, tmp_path: Any
) -> None:
    import re

    from desktop.core.errors import DotsError
    from desktop.ui.words.facts import facts_words

    for exc in _real_errors(tmp_path):
        assert isinstance(exc, DotsError)
        shown = facts_words(exc.facts)
        assert re.search("[а-яА-Я]", shown), shown
        # What may stay English: file names, addresses, model names and a library's own
        # detail in parentheses. Three English words in a row mean an untranslated sentence.
        rest = re.sub(r"\([^)]*\)|\S+\.(png|jpg|txt|pdf)|https?://\S+|'[^']*'", "", shown)
        rest = rest.replace(str(tmp_path.name), "")
        assert not re.search(r"[A-Za-z]{2,}(\s+[A-Za-z]{2,}){2,}", rest), shown
