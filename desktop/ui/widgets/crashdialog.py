"""The one-sentence crash notice: what happened, where the log is, and the details to copy."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class CrashDialog(QDialog):
    """Non-modal: nothing waits for it, and the window behind it keeps working."""

    def __init__(self, details: str, log_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crash_dialog")
        self.setWindowTitle(self.tr("Something went wrong"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._details = [details]
        self.log_folder = log_folder
        layout = QVBoxLayout(self)
        self.sentence = QLabel(
            self.tr(
                "Dots Desktop hit an unexpected error; it keeps running, and the details are in its log."  # noqa: E501
            )
        )
        self.sentence.setObjectName("crash_sentence")
        self.sentence.setWordWrap(True)
        layout.addWidget(self.sentence)
        self.location = QLabel()
        self.location.setObjectName("crash_log_folder")
        self.location.setTextFormat(Qt.TextFormat.RichText)
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        url = QUrl.fromLocalFile(str(log_folder)).toString()
        folder = str(log_folder).replace("&", "&amp;").replace("<", "&lt;")
        link = f'<a href="{url}">{folder}</a>'
        self.location.setText(self.tr("Log folder: %1").replace("%1", link))
        self.location.linkActivated.connect(self._open_folder)
        layout.addWidget(self.location)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("Copy details"))
        self.copy_button.setObjectName("copy_crash_details")
        self.copy_button.setToolTip(
            self.tr("Puts the error's traceback and the versions in use on the clipboard.")
        )
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def add_details(self, details: str) -> None:
        """Another error while this notice is open: its details join the copy."""
        self._details.append(details)

    def details(self) -> str:
        return "\n\n".join(self._details)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())
        self.copy_button.setText(self.tr("Copied"))

    def _open_folder(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))
