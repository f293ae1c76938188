"""The document list: remove, read again, show in folder, engine and speed, no re-reading."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtWidgets import QMenu

from desktop.engines.base import RecognizeMode
from tests.ui.conftest import Ui
from tests.ui.scripted import ScriptedEngine

pytestmark = pytest.mark.gui


@pytest.fixture
def scan(tmp_path: Path, fixtures_dir: Path) -> Path:
    target = tmp_path / "inbox" / "journal_page_tables.jpg"
    target.parent.mkdir()
    shutil.copy(fixtures_dir / "journal_page_tables.jpg", target)
    return target


def make(make_ui: Callable[..., Ui], delay: float = 0.0) -> tuple[Ui, ScriptedEngine]:
    engine = ScriptedEngine(delay=delay)
    return make_ui(engine), engine


def entry_texts(ui: Ui) -> list[str]:
    docs = ui.window.documents.docs
    return [docs.item(row).text() for row in range(docs.count())]


def read_once(ui: Ui, path: Path) -> None:
    ui.controller.open_files([str(path)])
    ui.wait(lambda: any(e.status() == "done" for e in ui.controller.entries.values()))


def open_menu(ui: Ui, key: str) -> Any:
    ui.window.documents.menu_requested.emit(key, QPoint(50, 50))
    menu = ui.controller.document_actions.menu
    assert menu is not None
    return menu


def find(menu: Any, name: str) -> Any:
    from PySide6.QtGui import QAction

    found = menu.findChildren(QAction, name) or [
        a for a in menu.actions() if a.objectName() == name
    ]
    assert found, name
    return found[0]


def test_given_a_document_being_read_when_delete_is_pressed_then_it_is_gone_and_cancelled(
    make_ui: Callable[..., Ui], scan: Path
) -> None:
    ui, engine = make(make_ui, delay=60.0)
    ui.controller.open_files([str(scan)])
    ui.wait(lambda: bool(engine.requests))  # reading
    docs = ui.window.documents.docs
    ui.qtbot.keyClick(docs, Qt.Key.Key_Delete)  # as the list gets it when it has the focus
    assert docs.count() == 0 and not ui.controller.entries
    assert ui.window.stack.currentIndex() == 0  # the drop zone again
    ui.wait(lambda: not ui.bridge.busy, timeout=20)  # cancelled, not read for a minute more


def test_given_two_documents_when_one_is_removed_from_its_menu_then_the_other_stays(
    make_ui: Callable[..., Ui], scan: Path, fixtures_dir: Path
) -> None:
    ui, _engine = make(make_ui)
    read_once(ui, scan)
    ui.controller.open_files([str(fixtures_dir / "russian_page.png")])
    ui.wait(lambda: len(ui.controller.entries) == 2)
    first = ui.window.documents.keys()[1]
    find(open_menu(ui, first), "document_remove").trigger()
    assert ui.window.documents.keys() == [k for k in ui.controller.entries]
    assert len(ui.controller.entries) == 1 and first not in ui.controller.entries


def test_given_a_read_document_then_its_entry_shows_engine_and_seconds_per_page(
    make_ui: Callable[..., Ui], scan: Path
) -> None:
    ui, _engine = make(make_ui, delay=0.2)
    read_once(ui, scan)
    reader_line = entry_texts(ui)[0].splitlines()[2]
    assert "scripted" in reader_line and "s/page" in reader_line
    entry = next(iter(ui.controller.entries.values()))
    speed = entry.seconds_per_page()
    assert speed is not None and speed >= 0.15  # the engine takes 0.2 s (timers may fire early)


def test_given_an_unchanged_file_opened_again_then_the_result_is_reused_not_read_again(
    make_ui: Callable[..., Ui], scan: Path, tmp_path: Path
) -> None:
    ui, engine = make(make_ui)
    read_once(ui, scan)
    copy = tmp_path / "elsewhere" / "renamed.jpg"
    copy.parent.mkdir()
    shutil.copy(scan, copy)
    ui.controller.open_files([str(scan)])
    ui.controller.open_files([str(copy)])
    ui.wait(lambda: len(ui.controller.entries) == 1 and not ui.bridge.busy)
    ui.qtbot.wait(300)
    assert len(engine.requests) == 1
    assert ui.window.documents.docs.count() == 1
    assert "unchanged" in ui.window.statusBar().currentMessage()


def test_given_a_read_document_when_read_again_as_text_only_then_it_is_read_in_that_mode(
    make_ui: Callable[..., Ui], scan: Path
) -> None:
    ui, engine = make(make_ui)
    read_once(ui, scan)
    key = ui.window.documents.keys()[0]
    menu = open_menu(ui, key)
    assert menu.actions()[0].text() == "Read again with scripted"
    find(menu, f"read_again_{RecognizeMode.TEXT.value}").trigger()
    ui.wait(lambda: len(engine.requests) == 2 and not ui.bridge.busy)
    assert engine.modes == [RecognizeMode.LAYOUT, RecognizeMode.TEXT]


def test_given_a_document_when_show_in_folder_then_its_folder_is_opened(
    make_ui: Callable[..., Ui], scan: Path
) -> None:
    ui, _engine = make(make_ui)
    read_once(ui, scan)
    opened: list[QUrl] = []

    def file_manager(url: QUrl) -> bool:
        opened.append(url)
        return True

    ui.controller.document_actions.open_url = file_manager
    find(open_menu(ui, ui.window.documents.keys()[0]), "document_show_in_folder").trigger()
    assert [u.toLocalFile() for u in opened] == [str(scan.parent)]


def test_given_two_files_with_one_name_then_each_entry_says_its_folder(
    make_ui: Callable[..., Ui], scan: Path, tmp_path: Path
) -> None:
    ui, _engine = make(make_ui)
    other = tmp_path / "archive" / scan.name
    other.parent.mkdir()
    other.write_bytes(scan.read_bytes() + b"\0")  # another file: not reused
    ui.controller.open_files([str(scan)])
    ui.controller.open_files([str(other)])
    ui.wait(lambda: len(ui.controller.entries) == 2 and not ui.bridge.busy)
    firsts = sorted(text.splitlines()[0] for text in entry_texts(ui))
    assert firsts == [f"{scan.name}  (archive)", f"{scan.name}  (inbox)"]


def test_given_a_document_from_history_when_removed_then_it_does_not_come_back(
    make_ui: Callable[..., Ui], scan: Path, tmp_path: Path
) -> None:
    from desktop.core.document import Document, Page
    from desktop.engines.batch.history import HistoryStore

    ui, _engine = make(make_ui)
    store = HistoryStore(tmp_path / "history.sqlite")
    try:
        doc = Document(source=str(scan), pages=(Page(0, 100, 100),))
        entry = ui.controller.restore(doc, history_id=store.add(doc))
        ui.controller.history = store
        ui.controller.document_actions.remove(entry.key)
        ui.wait(lambda: not store.entries(), timeout=5)
        assert ui.window.documents.docs.count() == 0
    finally:
        ui.controller.history = None
        store.close()


def test_given_a_server_engine_when_read_again_with_the_built_in_engine_then_the_cpu_reads_it(
    make_ui: Callable[..., Ui], scan: Path
) -> None:
    # GIVEN a document read by the window's engine (here a scripted stand-in for a server)
    ui, engine = make(make_ui)
    read_once(ui, scan)
    key = ui.window.documents.keys()[0]
    # WHEN the user asks for a second opinion from the built-in engine, without Settings
    menu = open_menu(ui, key)
    builtin_menu = next(
        m for m in menu.findChildren(QMenu) if m.title().endswith("built-in engine")
    )
    assert builtin_menu.isEnabled()
    find(menu, f"read_builtin_{RecognizeMode.LAYOUT.value}").trigger()
    entry = ui.controller.entries[key]
    ui.wait(lambda: entry.status() == "done" and not ui.bridge.busy, timeout=120)
    # THEN the CPU engine read it (the window's engine was not asked again), the page shows
    # what the built-in engine read, and the entry names the engine that read it
    assert len(engine.requests) == 1
    text = " ".join(b.text or "" for b in entry.results[0].blocks)
    assert "TABLE III" in text and "On Overlays" not in text
    assert "Built-in" in entry_texts(ui)[0].splitlines()[2]
    assert ui.bridge.engine is engine  # the setting did not change


def test_given_the_built_in_engine_cannot_run_when_read_again_with_it_then_the_pages_say_why(
    make_ui: Callable[..., Ui], scan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core.messages import Code, Msg
    from desktop.engines.errors import EngineError

    async def refuse() -> Any:
        raise EngineError(Msg.of(Code.BUILTIN_CANNOT_RUN, detail="no models"))

    ui, engine = make(make_ui)
    read_once(ui, scan)
    key = ui.window.documents.keys()[0]
    monkeypatch.setattr(ui.bridge.other, "builtin", refuse)
    find(open_menu(ui, key), f"read_builtin_{RecognizeMode.TEXT.value}").trigger()
    entry = ui.controller.entries[key]
    ui.wait(lambda: not entry.queued and not entry.running)
    # THEN the earlier reading is kept and the status line says why, in a sentence
    assert entry.results[0].status.value == "ok" and entry.results[0].blocks
    assert "no models" in ui.window.statusBar().currentMessage()
    assert len(engine.requests) == 1


def test_the_built_in_engine_is_named_as_the_document_list_expects() -> None:
    from desktop.engines.builtin import BuiltinEngine
    from desktop.ui.control.otherengine import BUILTIN_NAME

    assert BuiltinEngine().name == BUILTIN_NAME
