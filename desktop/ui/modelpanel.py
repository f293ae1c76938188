"""The model panel: engine mode, profile, state with stage and progress, memory plan, logs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.modelruntime import memory_sentence
from desktop.ui.prefs import save_prefs


class ModelPanel(QDialog):
    """Non-modal; one per application."""

    _open: ModelPanel | None = None

    @classmethod
    def show_for(cls, shell: Any) -> ModelPanel:
        if cls._open is None:
            cls._open = ModelPanel(shell)
        cls._open.refresh()
        cls._open.show()
        cls._open.raise_()
        return cls._open

    def __init__(self, shell: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent or shell.window)
        self.shell = shell
        self.setObjectName("model_panel")
        self.setWindowTitle(self.tr("Model"))
        self.resize(620, 560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.mode = QComboBox()
        self.mode.setObjectName("engine_mode")
        self.mode.addItem(self.tr("Automatic (server if configured, else built-in)"), "auto")
        self.mode.addItem(self.tr("Managed container on this GPU"), "managed")
        self.mode.addItem(self.tr("Remote server"), "server")
        self.mode.addItem(self.tr("Built-in CPU engine"), "builtin")
        self.profile = QComboBox()
        self.profile.setObjectName("profile")
        for pid, label in shell._profile_names():
            self.profile.addItem(label, pid)
        self.engine = QLabel()
        self.engine.setObjectName("engine_line")
        self.engine.setWordWrap(True)
        self.state = QLabel()
        self.state.setObjectName("model_state_line")
        self.state.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("model_progress")
        self.plan = QLabel()
        self.plan.setObjectName("memory_plan")
        self.plan.setWordWrap(True)
        form.addRow(self.tr("Engine mode"), self.mode)
        form.addRow(self.tr("Model profile"), self.profile)
        form.addRow(self.tr("Engine"), self.engine)
        form.addRow(self.tr("State"), self.state)
        form.addRow("", self.progress)
        form.addRow(self.tr("GPU memory"), self.plan)
        layout.addLayout(form)
        self.failure = QLabel()
        self.failure.setObjectName("failure")
        self.failure.setWordWrap(True)
        self.failure.setStyleSheet("color: #e0455a;")
        self.fix_button = QPushButton(self.tr("Apply the fix and retry"))
        self.fix_button.setObjectName("apply_fix")
        layout.addWidget(self.failure)
        layout.addWidget(self.fix_button)
        buttons = QHBoxLayout()
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.setObjectName("start_model_button")
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stop_model_button")
        self.apply_button = QPushButton(self.tr("Use this engine"))
        self.apply_button.setObjectName("apply_engine")
        buttons.addWidget(self.apply_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        layout.addLayout(buttons)
        self.logs_label = QLabel(self.tr("Container log"))
        self.logs = QPlainTextEdit()
        self.logs.setObjectName("model_log")
        self.logs.setReadOnly(True)
        self.logs.setMaximumBlockCount(2000)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.logs.setFont(font)
        layout.addWidget(self.logs_label)
        layout.addWidget(self.logs, 1)
        self.mode.currentIndexChanged.connect(lambda _i: self._sync_buttons())
        self.apply_button.clicked.connect(self._apply)
        self.start_button.clicked.connect(lambda: self._runtime_call("start"))
        self.stop_button.clicked.connect(lambda: self._runtime_call("stop"))
        self.fix_button.clicked.connect(lambda: self._runtime_call("start"))
        self.profile.currentIndexChanged.connect(lambda _i: self.refresh())
        self._timer = QTimer(self, interval=700)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._seen_log = 0
        index = self.mode.findData(shell.prefs.engine_mode)
        self.mode.setCurrentIndex(max(0, index))
        index = self.profile.findData(shell.prefs.profile)
        self.profile.setCurrentIndex(max(0, index))

    def _apply(self) -> None:
        self.shell.prefs = replace(
            self.shell.prefs,
            engine_mode=str(self.mode.currentData()),
            profile=str(self.profile.currentData() or self.shell.prefs.profile),
        )
        save_prefs(self.shell.prefs)
        if self.shell.prefs.engine_mode == "managed":
            self.shell.runtime()
        self.shell.apply_engine()
        self.refresh()

    def _runtime_call(self, action: str) -> None:
        if self.mode.currentData() != "managed" or self.shell.prefs.engine_mode != "managed":
            self.mode.setCurrentIndex(self.mode.findData("managed"))
            self._apply()
        runtime = self.shell.runtime()
        runtime.failed.connect(self.failure.setText)
        if action == "start":
            runtime.start(str(self.profile.currentData()))
        else:
            runtime.stop()
        self.refresh()

    def _sync_buttons(self) -> None:
        managed = self.mode.currentData() == "managed"
        self.profile.setEnabled(managed)
        self.start_button.setEnabled(managed)
        self.stop_button.setEnabled(managed)

    def refresh(self) -> None:
        name, state, detail = self.shell.engine_state
        from desktop.ui.shell import state_words

        self.engine.setText(f"{name} · {state_words(state)}" + (f"\n{detail}" if detail else ""))
        used, total = self.shell.gpu_sample or (0, 0)
        pid = str(self.profile.currentData() or "")
        if total:
            self.plan.setText(memory_sentence(pid, total - used, total))
        else:
            self.plan.setText(
                self.tr(
                    "No NVIDIA GPU: a managed model cannot run here. Use a remote server or the built-in engine."  # noqa: E501
                )
            )
        runtime = self.shell.model
        status = runtime.status() if runtime is not None else None
        self._show_status(status, runtime)
        self._sync_buttons()

    def _show_status(self, status: Any, runtime: Any) -> None:
        if status is None:
            self.state.setText(self.tr("No managed model yet."))
            self.progress.hide()
            self.failure.setText(runtime.error if runtime is not None else "")
            self.fix_button.hide()
            return
        text = self._state_word(str(status.state))
        if status.stage:
            text += f" · {status.stage}"
        if status.total_bytes:
            text += (
                f" · {status.pulled_bytes / 1024**3:.1f} / {status.total_bytes / 1024**3:.1f} GiB"
            )
        self.state.setText(text)
        if status.progress is not None:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(status.progress * 100))
            self.progress.show()
        else:
            self.progress.setVisible(str(status.state) in ("starting", "pulling"))
            self.progress.setRange(0, 0)
        failure = " ".join(x for x in (status.message, status.fix) if x)
        self.failure.setText(failure)
        self.fix_button.setVisible(bool(status.fix) and str(status.state) == "failed")
        lines = runtime.logs()
        if len(lines) != self._seen_log:
            self.logs.setPlainText("\n".join(lines[-2000:]))
            self.logs.verticalScrollBar().setValue(self.logs.verticalScrollBar().maximum())
            self._seen_log = len(lines)

    def _state_word(self, state: str) -> str:
        words = {
            "absent": self.tr("no model container"),
            "pulling": self.tr("downloading the image"),
            "starting": self.tr("starting"),
            "ready": self.tr("ready"),
            "stopping": self.tr("stopping"),
            "stopped": self.tr("stopped"),
            "failed": self.tr("failed"),
        }
        return words.get(state, state)

    def closeEvent(self, event: Any) -> None:
        self._timer.stop()
        ModelPanel._open = None
        self.deleteLater()
        super().closeEvent(event)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)
