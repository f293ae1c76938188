"""Settings take effect at once: theme, language (no restart), save dialogs beside the file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QTabWidget,
    QWidget,
)

from desktop.runtime.gpu import NvmlBackend
from desktop.ui.appshell.shell import DesktopApp
from desktop.ui.look.theme import DARK, LIGHT
from desktop.ui.state.prefs import Prefs, load_prefs
from desktop.ui.widgets.settings import SettingsDialog
from desktop.ui.words.i18n import install_language
from desktop.ui.words.retranslate import catalogue
from tests.ui.appshell.test_app_tray import FakeNvml
from tests.ui.conftest import dispose_window, run_coroutine, run_until

pytestmark = pytest.mark.gui


@pytest.fixture
def shell(qloop: Any, qtbot: Any, qapp: QApplication) -> Iterator[DesktopApp]:
    install_language(qapp, "en")
    app = DesktopApp(qapp, gpu_backend=NvmlBackend(FakeNvml()), gpu_interval=0.5)
    app.start([])
    run_until(qtbot, lambda: app.started)
    yield app
    run_coroutine(qtbot, app.shutdown())
    dispose_window(app.window)
    install_language(qapp, "en")


def window_colour(app: QApplication) -> str:
    return str(app.palette().color(QPalette.ColorRole.Window).name())


def test_given_the_settings_dialog_then_it_offers_system_light_and_dark(qtbot: Any) -> None:
    dialog = SettingsDialog(Prefs(), [])
    qtbot.addWidget(dialog)
    assert [dialog.theme.itemData(i) for i in range(dialog.theme.count())] == [
        "system",
        "light",
        "dark",
    ]
    dialog.theme.setCurrentIndex(2)
    assert dialog.prefs().theme == "dark"


def test_given_dark_then_light_chosen_then_the_window_changes_at_once_and_it_is_kept(
    shell: DesktopApp, qapp: QApplication
) -> None:
    shell.apply_settings(replace(shell.prefs, theme="dark"))
    assert window_colour(qapp) == DARK["window"]
    assert shell.window.palette().color(QPalette.ColorRole.Window).name() == DARK["window"]
    shell._retheme()  # the system's scheme changing does not undo the choice
    assert window_colour(qapp) == DARK["window"]
    shell.apply_settings(replace(shell.prefs, theme="light"))
    assert window_colour(qapp) == LIGHT["window"]
    assert load_prefs().theme == "light"


def shown_strings(shell: DesktopApp) -> set[str]:
    """What a user can read: the window's actions, tabs, labels, buttons, boxes; the tray."""
    texts: set[str] = set()
    window = shell.window
    for action in [*window.actions(), *shell.tray.menu.actions()]:
        texts.add(action.text())
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.add(widget.text())
        if isinstance(widget, QTabWidget):
            texts.update(widget.tabText(i) for i in range(widget.count()))
        if isinstance(widget, QComboBox):
            texts.update(widget.itemText(i) for i in range(widget.count()))
        texts.add(widget.toolTip())
    for action in window.findChildren(QAction):
        texts.add(action.toolTip())
    return {t for t in texts if t.strip()}


def test_given_english_when_russian_then_english_is_chosen_then_every_string_follows(
    shell: DesktopApp, qapp: QApplication
) -> None:
    english = shown_strings(shell)
    sources = {source for _context, source in catalogue()}
    assert "Open" in english and "Quit" in english  # the check sees the toolbar and tray
    shell.apply_settings(replace(shell.prefs, language="ru"))
    russian = shown_strings(shell)
    left = sorted(t for t in russian if t in sources or t.split(" (")[0] in sources)
    assert left == [], f"still English after switching to Russian: {left}"
    assert "Открыть" in russian and "Выход" in russian
    shell.apply_settings(replace(shell.prefs, language="en"))
    assert shown_strings(shell) == english


def test_given_a_document_when_exporting_then_the_dialog_opens_beside_its_file(
    shell: DesktopApp,
    qtbot: Any,
    tmp_path: Path,
    fixtures_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    scan = folder / "invoice.jpg"
    scan.write_bytes((fixtures_dir / "journal_page_tables.jpg").read_bytes())
    shell.controller.open_files([str(scan)])
    run_until(qtbot, lambda: bool(shell.controller.current_key))
    asked: list[str] = []

    def dialog(_parent: Any, _title: str, start: str, _filters: str) -> tuple[str, str]:
        asked.append(start)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    shell.quick.export()
    assert asked == [str(folder / "invoice.md")]


def test_the_shipped_catalogue_lists_every_string_the_window_translates() -> None:
    from tests.ui.trstrings import extract

    assert set(catalogue()) == extract(), "run: uv run python -m tests.ui.trstrings"


def test_given_a_model_cache_folder_in_settings_then_the_managed_runtime_uses_it(
    shell: DesktopApp, qtbot: Any, tmp_path: Path
) -> None:
    # GIVEN a folder chosen in Settings before the model runtime exists
    first, second = tmp_path / "models-a", tmp_path / "models-b"
    shell.apply_settings(replace(shell.prefs, hf_cache=str(first)))
    runtime = shell.runtime()
    # THEN the weights go to that folder (the container mounts the same one), before and
    # after the runtime is built
    assert runtime.weights_root() == first
    run_until(qtbot, lambda: runtime.status() is not None)
    assert runtime.weights_root() == first
    # WHEN another folder is chosen THEN the next start uses that one
    shell.apply_settings(replace(shell.prefs, hf_cache=str(second)))
    assert runtime.weights_root() == second
