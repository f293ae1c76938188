"""First run on a machine without a GPU: what the model panel and the tray let a user do.

NVML is faked at its boundary (no card, or one 16 GiB card); Docker is the real engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.core.messages import Code, Msg
from desktop.runtime.diagnosis import FailureCause
from desktop.runtime.gpu import NvmlBackend
from desktop.runtime.status import ContainerState, ControllerStatus
from desktop.ui.appshell.shell import DesktopApp
from desktop.ui.state.prefs import Prefs, load_prefs, save_prefs
from desktop.ui.widgets.modelpanel import ModelPanel
from tests.ui.appshell.test_app_tray import GIB, FakeNvml
from tests.ui.conftest import dispose_window, run_coroutine, run_until
from tests.ui.widgets.test_modelpanel import FakeRuntime, NoGpu

pytestmark = [pytest.mark.gui, pytest.mark.docker]


class RecordingRuntime(FakeRuntime):
    """A model runtime that records what it was asked to start."""

    def __init__(self, profiles: dict[str, Any], status: ControllerStatus) -> None:
        super().__init__(profiles, status)
        self.started: list[str] = []

    def start(self, profile_id: str) -> None:
        self.started.append(profile_id)


@pytest.fixture
def shell(qloop: Any, qtbot: Any, qapp: QApplication) -> Iterator[Callable[..., DesktopApp]]:
    """``shell(nvml, **prefs)``: the app, started, once it knows what can run here."""
    made: list[DesktopApp] = []

    def factory(nvml: Any, **prefs: Any) -> DesktopApp:
        options = {"language": "en", "tray_enabled": False, **prefs}
        app = DesktopApp(
            qapp, gpu_backend=NvmlBackend(nvml), gpu_interval=0.05, prefs=Prefs(**options)
        )
        app.start([])
        made.append(app)
        run_until(qtbot, lambda: app.started and app.capabilities.known, timeout=30)
        run_until(qtbot, lambda: app.engine_state[1] != "starting", timeout=30)
        return app

    yield factory
    for app in made:
        if ModelPanel._open is not None:
            ModelPanel._open.close()
        app.model = None
        run_coroutine(qtbot, app.shutdown(), timeout=60)
        dispose_window(app.window)


def test_given_no_gpu_then_start_is_disabled_with_the_reason_and_the_fix(
    shell: Callable[..., DesktopApp],
) -> None:
    app = shell(NoGpu(), engine_mode="managed", profile="dots.ocr")
    panel = app.open_model_panel()
    panel.refresh()
    # THEN Start is off, and the panel says why and what to do instead
    assert not panel.start_button.isEnabled()
    said = panel.plan.text()
    assert said.startswith("No NVIDIA GPU: dots.ocr (3B, bf16) needs an NVIDIA GPU")
    assert "built-in engine" in said and "remote server" in said
    assert panel.start_button.toolTip() == said
    # WHEN it is clicked anyway, nothing starts (no runtime, no container)
    panel.start_button.click()
    assert app.model is None


def test_given_no_gpu_then_the_tray_greys_the_gpu_models_with_the_same_reason(
    shell: Callable[..., DesktopApp], vllm_sim: Callable[..., Any]
) -> None:
    # GIVEN a working remote server and no GPU
    server = vllm_sim()
    app = shell(NoGpu(), engine_mode="server", endpoint=server.base_url, profile="dots.ocr")
    actions = {a.objectName(): a for a in app.tray.switch_menu.actions()}
    assert len(actions) == 6
    for action in actions.values():
        assert not action.isEnabled(), action.objectName()
        assert action.toolTip().startswith("No NVIDIA GPU: ")
    panel = app.open_model_panel()
    panel.refresh()
    assert actions["profile_dots.ocr"].toolTip() == panel.plan.text()
    assert not app.tray.start_action.isEnabled()
    # WHEN a model is asked for anyway (a disabled action, or the call behind it)
    actions["profile_qwen3-vl-2b"].trigger()
    app._model_call("switch", "qwen3-vl-2b")
    # THEN nothing is saved or started, the server stays the engine, and the reason is shown
    assert app.prefs.profile == "dots.ocr" and app.prefs.engine_mode == "server"
    assert app.model is None
    assert app.window.statusBar().currentMessage().startswith("No NVIDIA GPU: Qwen3-VL 2B")
    assert app.engine_state[1] == "ready"


def test_given_a_remote_server_when_a_model_is_started_then_the_engine_setting_stays(
    shell: Callable[..., DesktopApp], vllm_sim: Callable[..., Any]
) -> None:
    from desktop.runtime.profiles import load_profiles

    # GIVEN a working remote server and a 16 GiB card with room for dots.ocr
    nvml = FakeNvml()
    nvml.used = int(2.9 * GIB)
    server = vllm_sim()
    app = shell(nvml, engine_mode="server", endpoint=server.base_url, profile="dots.ocr")
    save_prefs(app.prefs)  # as the user left it
    runtime = RecordingRuntime(load_profiles(), ControllerStatus())
    app.model = runtime
    panel = app.open_model_panel()
    panel._wired = runtime  # the fake has no signals to wire
    panel.refresh()
    assert panel.start_button.isEnabled()
    # WHEN the user starts the managed model from the panel
    panel.start_button.click()
    # THEN the model starts, but the remote server stays the engine (saved and in use)
    assert runtime.started == ["dots.ocr"]
    assert app.prefs.engine_mode == "server" and load_prefs().engine_mode == "server"
    assert app.engine_state[1] == "ready"


def test_given_a_failed_model_when_the_engine_changes_then_its_error_is_cleared(
    shell: Callable[..., DesktopApp], qtbot: Any
) -> None:
    from desktop.runtime.profiles import load_profiles

    app = shell(NoGpu(), engine_mode="managed", profile="dots.ocr")
    failed = ControllerStatus(
        state=ContainerState.FAILED,
        profile_id="dots.ocr",
        cause=FailureCause.IMAGE_MISSING_OFFLINE,
        problem=Msg(Code.IMAGE_MISSING_OFFLINE),
        remedy=Msg(Code.FIX_IMAGE_MISSING_OFFLINE),
    )
    runtime = FakeRuntime(load_profiles(), failed)
    app.model = runtime
    panel = app.open_model_panel()
    panel._wired = runtime
    panel.refresh()
    assert panel.failure_box.isVisibleTo(panel) and "failed" in panel.state.text()
    app.window.show_message("The model image is not on this computer …", 15000)
    # WHEN the user switches to the built-in engine
    panel.mode.setCurrentIndex(panel.mode.findData("builtin"))
    panel.apply_button.click()
    panel.refresh()
    # THEN the old model's red error and "dots.ocr: failed" are gone
    assert not panel.failure_box.isVisibleTo(panel)
    assert "failed" not in panel.state.text()
    assert app.window.statusBar().currentMessage() == ""
    run_until(qtbot, lambda: app.engine_state[1] == "ready", timeout=60)
    # ...and a new failure after that is shown again
    runtime._status = ControllerStatus(
        state=ContainerState.FAILED,
        profile_id="dots.ocr",
        cause=FailureCause.GPU_OOM,
        problem=Msg(Code.GPU_OOM),
        remedy=Msg(Code.FIX_GPU_OOM),
    )
    panel.refresh()
    assert panel.failure_box.isVisibleTo(panel)
