"""The model panel: engine mode, profile, state with stage and progress, memory plan, logs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import DotsError
from desktop.ui.widgets.modelparts import WEIGHTS_STAGE, ContainerLog, FailureBox, show_progress
from desktop.ui.widgets.tokenask import TokenAsk
from desktop.ui.widgets.weightslist import WeightsList
from desktop.ui.words.enginewords import state_words
from desktop.ui.words.facts import fact_words
from desktop.ui.words.modelwords import (
    Remedy,
    diagnosis_words,
    memory_verdict,
    notice_words,
    plan_sentence,
    remedy_for,
    remedy_words,
    stage_word,
    state_word,
    verdict_words,
)

if TYPE_CHECKING:
    from desktop.ui.state.prefs import Prefs


@dataclass(frozen=True, slots=True)
class PanelLinks:
    """What the panel reads from the application and asks of it."""

    prefs: Callable[[], Prefs]  # the preferences now (engine mode and profile are read)
    save_engine: Callable[[str, str], None]  # keep this engine mode and profile
    apply_engine: Callable[[], None]  # rebuild the engine from the kept preferences
    engine_state: Callable[[], tuple[str, str, str]]  # name, state, detail
    gpu_sample: Callable[[], tuple[int, int] | None]  # used, total bytes; None: no GPU
    model: Callable[[], Any]  # the model runtime, None until it is first used
    runtime: Callable[[], Any]  # the model runtime, created now if need be
    profile_names: Callable[[], list[tuple[str, str]]]  # (id, display name)
    # Whether a profile can run here: a runtime Capability, None while not known yet.
    capability: Callable[[str], Any] = lambda _pid: None


class ModelPanel(QDialog):
    """Non-modal; one per application."""

    _open: ModelPanel | None = None

    @classmethod
    def show_for(cls, links: PanelLinks, parent: QWidget) -> ModelPanel:
        if cls._open is None:
            cls._open = ModelPanel(links, parent)
        cls._open.refresh()
        cls._open.show()
        cls._open.raise_()
        return cls._open

    def __init__(self, links: PanelLinks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.links = links
        self.setObjectName("model_panel")
        self.setWindowTitle(self.tr("Model"))
        self.resize(680, 620)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        form = QFormLayout()
        form.setVerticalSpacing(8)
        self.mode = QComboBox()
        self.mode.setObjectName("engine_mode")
        self.mode.setAccessibleName(self.tr("Engine mode"))
        self.mode.addItem(self.tr("Automatic (server if configured, else built-in)"), "auto")
        self.mode.addItem(self.tr("Managed container on this GPU"), "managed")
        self.mode.addItem(self.tr("Remote server"), "server")
        self.mode.addItem(self.tr("Built-in CPU engine"), "builtin")
        self.apply_button = QPushButton(self.tr("Use this engine"))
        self.apply_button.setObjectName("apply_engine")
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode, 1)
        mode_row.addWidget(self.apply_button)
        self.profile = QComboBox()
        self.profile.setObjectName("profile")
        self.profile.setAccessibleName(self.tr("Model profile"))
        self.engine = QLabel()
        self.engine.setObjectName("engine_line")
        self.engine.setWordWrap(True)
        self.plan = QLabel()
        self.plan.setObjectName("memory_plan")
        self.plan.setWordWrap(True)
        self.state = QLabel()
        self.state.setObjectName("model_state_line")
        self.state.setWordWrap(True)
        font = self.state.font()
        font.setBold(True)
        self.state.setFont(font)
        self.progress = QProgressBar()
        self.progress.setObjectName("model_progress")
        self.progress.setTextVisible(True)
        self.stages = QLabel()
        self.stages.setObjectName("model_stages")
        self.stages.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("model_note")
        self.note.setWordWrap(True)
        form.addRow(self.tr("Engine mode"), mode_row)
        form.addRow(self.tr("Model profile"), self.profile)
        form.addRow(self.tr("Engine"), self.engine)
        form.addRow(self.tr("GPU memory"), self.plan)
        form.addRow(self.tr("State"), self.state)
        form.addRow("", self.progress)
        form.addRow("", self.stages)
        form.addRow("", self.note)
        layout.addLayout(form)
        self.failure_box = FailureBox()
        self.failure, self.fix = self.failure_box.failure, self.failure_box.fix
        self.fix_button = self.failure_box.fix_button
        layout.addWidget(self.failure_box)
        buttons = QHBoxLayout()
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.setObjectName("start_model_button")
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stop_model_button")
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        layout.addLayout(buttons)
        self.weights = WeightsList(self._running_models, self._weights_root)
        self.token = TokenAsk(self)
        layout.addWidget(self.weights)
        self.logs_label = QLabel(self.tr("Container log"))
        self.logs_label.setObjectName("section_label")
        self.logs = ContainerLog()
        self.logs.setAccessibleName(self.tr("Container log"))
        layout.addWidget(self.logs_label)
        layout.addWidget(self.logs, 1)
        self._remedy: Remedy | None = None
        self._runtime_error = ""
        self._wired: Any = None
        self._dismissed: Any = None  # a failure from before the engine changed: not shown
        self._listed_at: str | None = None
        self.mode.currentIndexChanged.connect(lambda _i: self._sync_buttons())
        self.apply_button.clicked.connect(self._apply)
        self.start_button.clicked.connect(lambda: self._runtime_call("start"))
        self.stop_button.clicked.connect(lambda: self._runtime_call("stop"))
        self.fix_button.clicked.connect(self._apply_fix)
        self.profile.currentIndexChanged.connect(lambda _i: self.refresh())
        self._timer = QTimer(self, interval=700)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._fill_profiles()
        index = self.mode.findData(links.prefs().engine_mode)
        self.mode.setCurrentIndex(max(0, index))

    def _fill_profiles(self) -> None:
        runtime = self.links.model()
        if runtime is not None:
            names = [(p.id, p.display_name) for p in runtime.profiles().values()]
        else:
            names = self.links.profile_names()
        self.profile.blockSignals(True)
        self.profile.clear()
        for pid, label in names:
            self.profile.addItem(label, pid)
        index = self.profile.findData(self.links.prefs().profile)
        self.profile.setCurrentIndex(max(0, index))
        self.profile.blockSignals(False)

    def _runtime(self) -> Any:
        """The model runtime, created on first use; its signals wired to this panel once."""
        runtime = self.links.runtime()
        if self._wired is not runtime:
            self._wired = runtime
            runtime.status_changed.connect(lambda _s: self.refresh())
            runtime.failed.connect(self._on_runtime_failed)
            self._fill_profiles()
        return runtime

    def _on_runtime_failed(self, sentence: str) -> None:
        self._runtime_error = sentence
        self.refresh()

    def _apply(self) -> None:
        # The engine changes: errors about the one before are stale.
        self._runtime_error = ""
        runtime = self.links.model()
        status = runtime.status() if runtime is not None else None
        if status is not None and str(status.state) == "failed":
            self._dismissed = status
        mode = str(self.mode.currentData())
        self.links.save_engine(mode, str(self.profile.currentData() or self.links.prefs().profile))
        if mode == "managed":
            self._runtime()
        self.links.apply_engine()
        self.refresh()

    def _runtime_call(self, action: str) -> None:
        prefs = self.links.prefs()
        chosen = str(self.profile.currentData() or prefs.profile)
        if self.mode.currentData() == "managed" and prefs.engine_mode != "managed":
            self._apply()  # the user picked the managed model as the engine above
        elif chosen != prefs.profile:
            # The profile is kept; the engine stays what the user set (never changed here).
            self.links.save_engine(prefs.engine_mode, chosen)
            if prefs.engine_mode == "managed":
                self.links.apply_engine()
        runtime = self._runtime()
        self._runtime_error = ""
        if action == "start":
            runtime.start(str(self.profile.currentData()))
        else:
            runtime.stop()
        self.refresh()

    def _apply_fix(self) -> None:
        remedy = self._remedy
        if remedy is None:
            return
        if remedy.kind == "token":  # a gated model: its token once, then start again
            profile = remedy.profile
            self.token.ask(self, profile.hf_model_id, lambda fact: self._start_with(profile, fact))
            return
        self._start_with(remedy.profile, None)

    def _start_with(self, profile: Any, fact: Any) -> None:
        if fact is not None:
            self.weights.result.setText(fact_words(fact))
        self._runtime_error = ""
        self._runtime().start_profile(profile)
        self.refresh()

    def _sync_buttons(self) -> None:
        managed = self.mode.currentData() == "managed"
        runtime = self.links.model()
        status = runtime.status() if runtime is not None else None
        state = str(status.state) if status is not None else "absent"
        running = state in ("pulling", "starting", "ready")
        same = status is not None and status.profile_id == self.profile.currentData()
        if not running:
            self.start_button.setText(self.tr("Start"))
        else:
            self.start_button.setText(self.tr("Restart") if same else self.tr("Switch"))
        verdict = self.links.capability(str(self.profile.currentData() or ""))
        blocked = verdict is not None and not verdict.runnable
        self.start_button.setEnabled(not blocked)
        self.start_button.setToolTip(verdict_words(verdict) if blocked else "")
        self.stop_button.setEnabled(running and (managed or bool(status and status.managed)))

    # -- showing ------------------------------------------------------------------------
    def refresh(self) -> None:
        name, state, detail = self.links.engine_state()
        line = f"{name or '—'} · {state_words(state)}"
        self.engine.setText(line + (f"\n{detail}" if detail else ""))
        self.plan.setText(self._plan_sentence())
        runtime = self.links.model()
        status = runtime.status() if runtime is not None else None
        self._show_status(status, runtime)
        self._sync_buttons()
        state = str(status.state) if status is not None else ""
        if state != self._listed_at:  # a download ended, a model stopped: list the disk again
            self._listed_at = state
            self.weights.refresh()
        self.weights.sync()

    def _selected_profile(self) -> Any:
        pid = str(self.profile.currentData() or "")
        try:
            runtime = self.links.model()
            if runtime is not None:
                return runtime.profile(pid)
            from desktop.runtime.profiles import find_profile, load_profiles

            return find_profile(load_profiles(), pid)
        except (ImportError, DotsError):
            return None

    def _plan_sentence(self) -> str:
        verdict = self.links.capability(str(self.profile.currentData() or ""))
        if verdict is not None and not verdict.runnable:
            return verdict_words(verdict)  # why Start is off, and what to do
        used, total = self.links.gpu_sample() or (0, 0)
        if not total:
            return self.tr(
                "No NVIDIA GPU: a managed model cannot run here. Use a remote server or the built-in engine."  # noqa: E501
            )
        profile = self._selected_profile()
        if profile is None:
            return ""
        return plan_sentence(memory_verdict(profile, total - used, total))

    def _show_status(self, status: Any, runtime: Any) -> None:
        self._show_logs(runtime)
        if status is not None and status is self._dismissed:
            status = None
        if status is None:
            self.state.setText(self.tr("No managed model yet."))
            self.progress.hide()
            self.stages.hide()
            self.note.hide()
            self._show_failure(self._runtime_error or (runtime.error if runtime else ""), "", None)
            return
        state = str(status.state)
        text = state_word(state)
        if status.profile_id:
            text = f"{status.profile_id}: {text}"
        if status.stage == WEIGHTS_STAGE:  # not "downloading the image"
            text = f"{status.profile_id}: {stage_word(status.stage)}"
        elif status.stage and state in ("pulling", "starting"):
            text += f" · {stage_word(status.stage)}"
        self.state.setText(text)
        show_progress(self.progress, status, state)
        seen = [s for s in status.stages_seen if s]
        if seen and state in ("starting", "ready", "failed"):
            marks = [f"✓ {stage_word(s)}" for s in seen]
            if state != "ready":  # the last stage is the one in progress (or that failed)
                mark = "✗" if state == "failed" else "…"
                marks[-1] = f"{mark} {stage_word(seen[-1])}"
            self.stages.setText("   ".join(marks))
            self.stages.show()
        else:
            self.stages.hide()
        note = notice_words(status)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        remedy = remedy_for(status, self._base_profile(status, runtime))
        message, fix = diagnosis_words(status)
        if state != "failed":
            message = fix = ""
        self._show_failure(self._runtime_error or message, fix, remedy)

    def _weights_root(self) -> Any:  # in the list's worker thread
        ask = getattr(self.links.model(), "weights_root", None)
        if ask is not None:
            return ask()
        from desktop.runtime.weightsfetch import weights_root

        return weights_root("")

    def _running_models(self) -> frozenset[str]:
        """The Hugging Face ids of the models being pulled, started or served now."""
        runtime = self.links.model()
        status = runtime.status() if runtime is not None else None
        if status is None or str(status.state) not in ("pulling", "starting", "ready"):
            return frozenset()
        profile = self._base_profile(status, runtime)
        return frozenset({profile.hf_model_id}) if profile is not None else frozenset()

    def _base_profile(self, status: Any, runtime: Any) -> Any:
        if runtime is None:
            return None
        last = runtime.last_profile
        if last is not None and last.id == status.profile_id:
            return last
        try:
            return runtime.profile(status.profile_id or "")
        except DotsError:
            return None

    def _show_failure(self, message: str, fix: str, remedy: Remedy | None) -> None:
        self._remedy = remedy
        self.failure.setText(message)
        self.fix.setText(fix)
        self.fix.setVisible(bool(fix))
        self.failure_box.setVisible(bool(message))
        self.fix_button.setVisible(remedy is not None)
        if remedy is not None:
            self.fix_button.setText(remedy_words(remedy))

    def _show_logs(self, runtime: Any) -> None:
        self.logs.show_lines(runtime.logs() if runtime is not None else [])

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
