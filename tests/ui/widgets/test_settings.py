"""The settings dialog: values survive a restart; keys live in the keyring, never in the INI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from desktop.core.paths import config_dir
from desktop.ui.control.enginechoice import build_engine
from desktop.ui.state import prefs as prefs_module
from desktop.ui.state.prefs import Prefs, get_secret, load_prefs, save_prefs
from desktop.ui.widgets.settings import SettingsDialog

pytestmark = pytest.mark.gui
PROFILES = [("dots.ocr", "dots.ocr (3B, bf16)"), ("qwen3-vl-4b", "Qwen3-VL 4B")]
KEY = "sk-test-very-secret-1234"
TOKEN = "hf_secret_token_5678"


class MemoryKeyring(KeyringBackend):
    """A keyring that works (this Linux box has none)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def keyring_backend() -> Iterator[Any]:
    before = keyring.get_keyring()
    prefs_module._session_secrets.clear()
    yield keyring.set_keyring
    keyring.set_keyring(before)
    prefs_module._session_secrets.clear()


def ini_text() -> str:
    path = config_dir() / "settings.ini"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def fill(dialog: SettingsDialog) -> None:
    dialog.engine_mode.setCurrentIndex(dialog.engine_mode.findData("server"))
    dialog.endpoint.setText("http://gpu-box.local:8000")
    dialog.api_key.setText(KEY)
    dialog.profile.setCurrentIndex(dialog.profile.findData("qwen3-vl-4b"))
    dialog.concurrency.setValue(5)
    dialog.dpi.setValue(300)
    dialog.hf_cache.setText("/data/hf-cache")
    dialog.hf_token.setText(TOKEN)
    dialog.language.setCurrentIndex(dialog.language.findData("ru"))
    dialog.keep_running.setChecked(False)
    dialog.tray.setChecked(False)


def test_given_changed_settings_when_saved_then_a_restart_reads_them_back_and_no_key_in_ini(
    qtbot: Any, keyring_backend: Any
) -> None:
    backend = MemoryKeyring()
    keyring_backend(backend)
    dialog = SettingsDialog(Prefs(language="en"), PROFILES)
    qtbot.addWidget(dialog)
    assert not dialog.keyring_note.isVisibleTo(dialog)
    fill(dialog)
    dialog._accept()
    assert dialog.result() and not dialog.secret_error
    save_prefs(dialog.prefs())
    again = load_prefs()  # a fresh QSettings on the same file, as after a restart
    assert again == Prefs(
        engine_mode="server",
        endpoint="http://gpu-box.local:8000",
        profile="qwen3-vl-4b",
        concurrency=5,
        pdf_dpi=300,
        hf_cache="/data/hf-cache",
        language="ru",
        keep_model_running=False,
        tray_enabled=False,
    )
    assert backend.store[("dots-desktop", "api_key")] == KEY
    assert backend.store[("dots-desktop", "hf_token")] == TOKEN
    text = ini_text()
    assert "gpu-box.local" in text and KEY not in text and TOKEN not in text
    reopened = SettingsDialog(again, PROFILES)
    qtbot.addWidget(reopened)
    assert reopened.api_key.text() == KEY and reopened.hf_token.text() == TOKEN
    assert reopened.concurrency.value() == 5 and reopened.language.currentData() == "ru"


def test_given_no_keyring_then_the_dialog_says_so_in_one_sentence_and_the_key_still_works(
    qtbot: Any, keyring_backend: Any
) -> None:
    keyring_backend(fail.Keyring())
    dialog = SettingsDialog(Prefs(language="en"), PROFILES)
    qtbot.addWidget(dialog)
    dialog.show()
    note = dialog.keyring_note.text()
    assert dialog.keyring_note.isVisible() and "keyring" in note
    assert note.count(". ") == 0 and note.endswith(".")  # one sentence, no raw exception
    fill(dialog)
    dialog._accept()
    assert dialog.result() and dialog.secret_error == note
    save_prefs(dialog.prefs())
    assert KEY not in ini_text() and TOKEN not in ini_text()
    assert get_secret("api_key") == (KEY, get_secret("api_key")[1])
    engine = build_engine(load_prefs())  # the server engine gets the key for this session
    assert getattr(engine, "api_key", None) == KEY


def test_given_a_stored_key_when_cleared_then_it_is_removed_from_the_keyring(
    qtbot: Any, keyring_backend: Any
) -> None:
    backend = MemoryKeyring()
    backend.set_password("dots-desktop", "api_key", KEY)
    keyring_backend(backend)
    dialog = SettingsDialog(Prefs(language="en"), PROFILES)
    qtbot.addWidget(dialog)
    assert dialog.api_key.text() == KEY
    assert dialog.api_key.echoMode() == dialog.api_key.EchoMode.Password
    dialog.api_key.clear()
    dialog._accept()
    assert ("dots-desktop", "api_key") not in backend.store


def test_given_an_address_without_http_when_ok_then_the_dialog_stays_and_says_why(
    qtbot: Any, keyring_backend: Any
) -> None:
    keyring_backend(MemoryKeyring())
    dialog = SettingsDialog(Prefs(language="en"), PROFILES)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.endpoint.setText("gpu-box:8000")
    dialog._accept()
    assert not dialog.result() and dialog.isVisible()
    assert dialog.endpoint_error.isVisible() and "http://" in dialog.endpoint_error.text()
    dialog.endpoint.setText("https://gpu-box:8000")
    dialog._accept()
    assert dialog.result()


def test_given_the_profiles_button_then_it_opens_the_user_profiles_folder(
    qtbot: Any, keyring_backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QPushButton

    from desktop.runtime.profiles import user_profiles_dir

    keyring_backend(MemoryKeyring())
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    dialog = SettingsDialog(Prefs(language="en"), PROFILES)
    qtbot.addWidget(dialog)
    button = dialog.findChild(QPushButton, "open_profiles_folder")
    assert button is not None
    button.click()
    assert opened == [str(user_profiles_dir())] and user_profiles_dir().is_dir()


def test_given_tesseract_languages_when_one_is_picked_then_it_is_kept_and_the_engine_gets_it(
    qtbot: Any, keyring_backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.engines import factory
    from desktop.ui.widgets import settings as settings_module

    keyring_backend(MemoryKeyring())
    listed: list[str] = []

    def choices() -> list[tuple[str, str]]:
        listed.append("called")  # off the GUI thread, as Tesseract is a process
        return [("auto", "Automatic"), ("rus", "Russian (Tesseract)")]

    monkeypatch.setattr(settings_module, "builtin_language_choices", choices)
    monkeypatch.setattr(settings_module, "_language_cache", [])
    dialog = SettingsDialog(Prefs(language="en"), PROFILES)
    qtbot.addWidget(dialog)
    combo = dialog.builtin_language
    qtbot.waitUntil(lambda: combo.isEnabled() and combo.count() == 2, timeout=5000)
    assert listed and combo.itemText(1) == "Russian (Tesseract)"
    assert combo.currentData() == "auto"
    combo.setCurrentIndex(combo.findData("rus"))
    dialog._accept()
    save_prefs(dialog.prefs())
    again = load_prefs()
    assert again.builtin_language == "rus"
    reopened = SettingsDialog(again, PROFILES)  # the list is known now: no second process
    qtbot.addWidget(reopened)
    assert reopened.builtin_language.currentData() == "rus" and len(listed) == 1
    built: list[dict[str, Any]] = []

    def create_engine(kind: str, **kw: Any) -> str:
        built.append(kw)
        return kind

    monkeypatch.setattr(factory, "create_engine", create_engine)
    build_engine(replace(again, engine_mode="builtin"))
    assert built == [{"languages": "rus"}]
