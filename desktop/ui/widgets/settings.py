"""The settings dialog: engine, server, model, reading, storage, language, tray."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.state.prefs import Prefs, get_secret, set_secret
from desktop.ui.widgets.about import AboutPanel
from desktop.ui.widgets.connectiontest import ConnectionTest

logger = logging.getLogger(__name__)

#: (code, label) pairs of the built-in engine's languages, once a worker has listed them.
_language_cache: list[tuple[str, str]] = []


def builtin_language_choices() -> list[tuple[str, str]]:
    """(code, label) for each language the built-in engine can read here (runs Tesseract)."""
    try:
        from desktop.engines.builtin.languages import language_choices
        from desktop.engines.builtin.tesseract import installed_languages
    except ImportError as exc:  # a build without the built-in engine
        logger.info("built-in engine languages unavailable: %s", exc)
        return []
    return [(c.code, c.label) for c in language_choices(installed_languages())]


class LanguageLister(QObject):
    """Lists the built-in engine's languages in a thread (it starts a process)."""

    listed = Signal(list)

    def start(self) -> None:
        threading.Thread(target=self._run, name="dots-languages", daemon=True).start()

    def _run(self) -> None:
        try:
            choices = builtin_language_choices()
        except Exception:  # the picker keeps the saved choice; nothing else depends on it
            logger.warning("could not list the built-in engine's languages", exc_info=True)
            choices = []
        try:
            self.listed.emit(choices)  # queued to the GUI thread: the lister lives there
        except RuntimeError:  # the dialog (and this lister) is gone already
            logger.debug("language list came after the dialog closed")


class SettingsDialog(QDialog):
    """Edits a copy of the preferences; secrets go to the keyring on OK."""

    def __init__(
        self, prefs: Prefs, profiles: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(560)
        self._prefs = prefs
        self.secret_error = ""
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setVerticalSpacing(10)
        self.engine_mode = QComboBox()
        self.engine_mode.setObjectName("engine_mode")
        self.engine_mode.addItem(self.tr("Automatic (server if configured, else built-in)"), "auto")
        self.engine_mode.addItem(self.tr("Managed container on this GPU"), "managed")
        self.engine_mode.addItem(self.tr("Remote server"), "server")
        self.engine_mode.addItem(self.tr("Built-in CPU engine"), "builtin")
        self.endpoint = QLineEdit(prefs.endpoint)
        self.endpoint.setObjectName("endpoint")
        self.endpoint.setPlaceholderText("http://127.0.0.1:8000")
        key, key_error = get_secret("api_key")
        self.api_key = QLineEdit(key)
        self.api_key.setObjectName("api_key")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(self.tr("optional"))
        self.endpoint_error = QLabel()
        self.endpoint_error.setObjectName("endpoint_error")
        self.endpoint_error.setStyleSheet("color: #e0455a;")
        self.endpoint_error.hide()
        self.profile = QComboBox()
        self.profile.setObjectName("profile")
        for pid, label in profiles:
            self.profile.addItem(label, pid)
        profiles_folder = QPushButton(self.tr("Profiles folder…"))
        profiles_folder.setObjectName("open_profiles_folder")
        profiles_folder.setToolTip(
            self.tr("Add or change model profiles (TOML files); they are read at start-up.")
        )
        profiles_folder.clicked.connect(self._open_profiles_folder)
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.profile, 1)
        profile_row.addWidget(profiles_folder)
        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("concurrency")
        self.concurrency.setRange(1, 32)
        self.concurrency.setValue(prefs.concurrency)
        self.dpi = QSpinBox()
        self.dpi.setObjectName("pdf_dpi")
        self.dpi.setRange(72, 600)
        self.dpi.setSingleStep(25)
        self.dpi.setValue(prefs.pdf_dpi)
        self.hf_cache = QLineEdit(prefs.hf_cache)
        self.hf_cache.setObjectName("hf_cache")
        self.hf_cache.setPlaceholderText(self.tr("This computer's model folder (default)"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        cache_row = QHBoxLayout()
        cache_row.addWidget(self.hf_cache, 1)
        cache_row.addWidget(browse)
        token, token_error = get_secret("hf_token")
        self.hf_token = QLineEdit(token)
        self.hf_token.setObjectName("hf_token")
        self.hf_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.hf_token.setPlaceholderText(self.tr("only for gated models"))
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem("English", "en")
        self.language.addItem("Русский", "ru")
        self.theme = self._theme_box()
        self.builtin_language = QComboBox()
        self.builtin_language.setObjectName("builtin_language")
        self.builtin_language.setAccessibleName(self.tr("OCR language (built-in engine)"))
        self.builtin_language.setToolTip(
            self.tr("Which language the built-in CPU engine reads; more come with Tesseract.")
        )
        self._fill_languages(_language_cache or [(prefs.builtin_language, "")])
        if not _language_cache:
            self.builtin_language.setEnabled(False)
            self._lister = LanguageLister(self)
            self._lister.listed.connect(self._on_languages)
            self._lister.start()
        self.keep_running = QCheckBox(self.tr("Keep the model running after quitting"))
        self.keep_running.setObjectName("keep_model_running")
        self.tray = QCheckBox(
            self.tr("Show the tray icon (closing the window keeps the app running)")
        )
        self.tray.setObjectName("tray_enabled")
        form.addRow(self.tr("Engine"), self.engine_mode)
        form.addRow(self.tr("Server address"), self.endpoint)
        form.addRow("", self.endpoint_error)
        form.addRow(self.tr("API key"), self.api_key)
        self.connection_test = ConnectionTest(
            lambda: (self.endpoint.text().strip(), self.api_key.text().strip()), self
        )
        form.addRow("", self.connection_test)
        form.addRow(self.tr("Model profile"), profile_row)
        form.addRow(self.tr("Pages at once"), self.concurrency)
        form.addRow(self.tr("PDF resolution (DPI)"), self.dpi)
        form.addRow(self.tr("OCR language (built-in engine)"), self.builtin_language)
        form.addRow(self.tr("Model cache folder"), cache_row)
        form.addRow(self.tr("Hugging Face token"), self.hf_token)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Theme"), self.theme)
        form.addRow(self.tr("Screen capture key"), self._hotkey_row(prefs.capture_hotkey))
        form.addRow("", self.keep_running)
        form.addRow("", self.tray)
        self._form = form
        # Each engine's own fields; the rest (pages at once, DPI, language, tray) is shared.
        server: list[Any] = [self.endpoint, self.endpoint_error, self.api_key, self.connection_test]
        managed: list[Any] = [profile_row, cache_row, self.hf_token, self.keep_running]
        self._rows: dict[str, list[Any]] = {
            "auto": [*server, self.builtin_language],
            "server": server,
            "managed": managed,
            "builtin": [self.builtin_language],
        }
        self._all_rows = [*server, *managed, self.builtin_language]
        self.engine_mode.currentIndexChanged.connect(lambda _i: self._show_engine_rows())
        general = QWidget()
        general.setLayout(form)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.tabs.addTab(general, self.tr("General"))
        self.tabs.addTab(AboutPanel(), self.tr("About"))
        layout.addWidget(self.tabs)
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("keyring_note")
        self.keyring_note.setWordWrap(True)
        errors = key_error or token_error
        if errors:
            self.keyring_note.setText(self.no_keyring_sentence())
            self.keyring_note.setToolTip(errors)
        self.keyring_note.setVisible(bool(errors))
        layout.addWidget(self.keyring_note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._select(self.engine_mode, prefs.engine_mode)
        self._show_engine_rows()
        self._select(self.profile, prefs.profile)
        self._select(self.language, prefs.language)
        self._select(self.theme, prefs.theme)
        self.keep_running.setChecked(prefs.keep_model_running)
        self.tray.setChecked(prefs.tray_enabled)
        self._keys = (key, token)

    def _hotkey_row(self, saved: str) -> QWidget:
        """A key to press anywhere for a region capture; on Wayland, how to bind one."""
        from PySide6.QtGui import QKeySequence
        from PySide6.QtWidgets import QKeySequenceEdit

        from desktop.ui.state.desktopsession import on_wayland

        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.hotkey = QKeySequenceEdit(QKeySequence(saved))
        self.hotkey.setObjectName("capture_hotkey")
        self.hotkey.setMaximumSequenceLength(1)
        self.hotkey.setClearButtonEnabled(True)
        self.hotkey.setAccessibleName(self.tr("Screen capture key"))
        row.addWidget(self.hotkey, 1)
        column.addLayout(row)
        self.hotkey_note = QLabel()
        self.hotkey_note.setObjectName("capture_hotkey_note")
        self.hotkey_note.setWordWrap(True)
        self.hotkey_note.setTextInteractionFlags(
            self.hotkey_note.textInteractionFlags().TextSelectableByMouse
        )
        if on_wayland():
            self.hotkey.setEnabled(False)
            self.hotkey_note.setText(
                self.tr(
                    "Wayland does not let apps listen for keys: in your desktop's keyboard settings, add a shortcut that runs the command: dots-desktop capture"  # noqa: E501
                )
            )
        else:
            self.hotkey_note.setText(
                self.tr("Press it anywhere to read a part of the screen. Empty: no key.")
            )
        column.addWidget(self.hotkey_note)
        return box

    def _theme_box(self) -> QComboBox:
        box = QComboBox()
        box.setObjectName("theme")
        box.setToolTip(self.tr("Applied when you press OK"))
        box.addItem(self.tr("As the system"), "system")
        box.addItem(self.tr("Light"), "light")
        box.addItem(self.tr("Dark"), "dark")
        return box

    def _show_engine_rows(self) -> None:
        """Only the chosen engine's fields are shown (the others keep their values)."""
        shown = self._rows.get(str(self.engine_mode.currentData()), self._all_rows)
        for row in self._all_rows:
            self._form.setRowVisible(row, any(row is r for r in shown))

    def row_shown(self, field: Any) -> bool:
        """Whether ``field``'s row (a widget or a row layout) is shown."""
        return bool(self._form.isRowVisible(field))

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _fill_languages(self, choices: list[tuple[str, str]]) -> None:
        current = str(self.builtin_language.currentData() or self._prefs.builtin_language)
        self.builtin_language.clear()
        auto = self.tr("Automatic (Latin and Chinese built in)")
        for code, label in choices:
            self.builtin_language.addItem(auto if code == "auto" else label or code, code)
        if self.builtin_language.findData(current) < 0:  # saved, but its pack is gone now
            self.builtin_language.addItem(current, current)
        self._select(self.builtin_language, current)

    def _on_languages(self, choices: list[tuple[str, str]]) -> None:
        if choices:
            _language_cache[:] = choices
        self._fill_languages(choices or [("auto", "")])
        self.builtin_language.setEnabled(True)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Model cache folder"), self.hf_cache.text()
        )
        if folder:
            self.hf_cache.setText(folder)

    def _open_profiles_folder(self) -> None:
        from desktop.runtime.profiles import user_profiles_dir

        folder = user_profiles_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _accept(self) -> None:
        endpoint = self.endpoint.text().strip()
        if endpoint and not re.match(r"^https?://[^\s/]+", endpoint):
            self.endpoint_error.setText(
                self.tr("The server address starts with http:// or https://.")
            )
            self.endpoint_error.show()
            self.endpoint.setFocus()
            return
        errors = []
        if self.api_key.text() != self._keys[0]:
            errors.append(set_secret("api_key", self.api_key.text()))
        if self.hf_token.text() != self._keys[1]:
            errors.append(set_secret("hf_token", self.hf_token.text()))
        if any(errors):
            self.secret_error = self.no_keyring_sentence()
        self.accept()

    def _hotkey_text(self) -> str:
        from PySide6.QtGui import QKeySequence

        return self.hotkey.keySequence().toString(QKeySequence.SequenceFormat.PortableText)

    def no_keyring_sentence(self) -> str:
        return self.tr(
            "No system keyring is available, so the API key and token are used only until you quit (they are never written to the settings file)."  # noqa: E501
        )

    def prefs(self) -> Prefs:
        return replace(
            self._prefs,
            engine_mode=str(self.engine_mode.currentData()),
            endpoint=self.endpoint.text().strip(),
            profile=str(self.profile.currentData() or self._prefs.profile),
            concurrency=self.concurrency.value(),
            pdf_dpi=self.dpi.value(),
            hf_cache=self.hf_cache.text().strip(),
            language=str(self.language.currentData()),
            theme=str(self.theme.currentData()),
            capture_hotkey=self._hotkey_text(),
            keep_model_running=self.keep_running.isChecked(),
            tray_enabled=self.tray.isChecked(),
            builtin_language=str(
                self.builtin_language.currentData() or self._prefs.builtin_language
            ),
        )
