"""Settings -> About: the versions this copy runs on, and where its log is."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.paths import log_dir
from desktop.ui.state.versions import versions, versions_text


class AboutPanel(QWidget):
    """Versions as a form (selectable text), the log folder with a button that opens it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_panel")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setVerticalSpacing(4)
        self.version_labels: dict[str, QLabel] = {}
        for name, version in versions():
            value = QLabel(version)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.version_labels[name] = value
            form.addRow(name, value)
        layout.addLayout(form)
        self.log_folder = log_dir()
        self.log_label = QLabel(str(self.log_folder))
        self.log_label.setObjectName("log_folder")
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_label.setWordWrap(True)
        open_log = QPushButton(self.tr("Open log folder"))
        open_log.setObjectName("open_log_folder")
        open_log.clicked.connect(self.open_log_folder)
        copy = QPushButton(self.tr("Copy versions"))
        copy.setObjectName("copy_versions")
        copy.clicked.connect(self.copy_versions)
        log_row = QHBoxLayout()
        log_row.addWidget(QLabel(self.tr("Log folder")))
        log_row.addWidget(self.log_label, 1)
        layout.addLayout(log_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(copy)
        buttons.addWidget(open_log)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def open_log_folder(self) -> None:
        self.log_folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_folder)))

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText(versions_text())
