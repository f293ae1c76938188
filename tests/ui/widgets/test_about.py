"""Settings -> About: the versions in use and the log folder, which a button opens."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QPushButton

from desktop import __version__
from desktop.ui.state.prefs import Prefs
from desktop.ui.widgets.about import AboutPanel
from desktop.ui.widgets.settings import SettingsDialog

pytestmark = pytest.mark.gui


def test_given_settings_then_about_lists_the_versions_and_opens_the_log_folder(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    monkeypatch.setenv("DOTS_DESKTOP_LOG_DIR", str(tmp_path / "logs"))
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    dialog = SettingsDialog(Prefs(language="en"), [("dots.ocr", "dots.ocr")])
    qtbot.addWidget(dialog)
    tabs = dialog.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["General", "About"]
    about = tabs.widget(1)
    assert isinstance(about, AboutPanel)
    shown = {name: label.text() for name, label in about.version_labels.items()}
    assert shown["Dots Desktop"] == __version__
    assert shown["Python"].startswith(platform.python_version())
    assert shown["Qt"] == qVersion() and shown["PySide6"] == pyside_version
    assert shown["httpx"] == httpx.__version__
    assert about.log_label.text() == str(tmp_path / "logs")
    button = about.findChild(QPushButton, "open_log_folder")
    assert button is not None
    button.click()
    assert opened == [str(tmp_path / "logs")]
    copy = about.findChild(QPushButton, "copy_versions")
    assert copy is not None
    copy.click()
    assert f"PySide6: {pyside_version}" in QGuiApplication.clipboard().text()
