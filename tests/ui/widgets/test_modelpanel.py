"""The model panel driving the real Docker engine with the simulator image (no GPU)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.core.messages import Code, Msg
from desktop.runtime.diagnosis import FailureCause, Stage
from desktop.runtime.gpu import NvmlBackend
from desktop.runtime.status import ContainerState, ControllerStatus
from desktop.ui.appshell.shell import DesktopApp
from desktop.ui.control.modelruntime import ModelRuntime
from desktop.ui.state.prefs import Prefs
from desktop.ui.widgets.modelpanel import ModelPanel
from tests.docker_fixtures import RUN_LABEL
from tests.runtime.conftest import (  # noqa: F401  (fixtures reused from the runtime tests)
    free_port,
    sim_profile,
)
from tests.ui.appshell.test_app_tray import GIB, FakeNvml
from tests.ui.conftest import dispose_window, run_coroutine, run_until

pytestmark = pytest.mark.gui


class NoGpu(FakeNvml):
    def nvmlDeviceGetCount(self) -> int:
        return 0


def make_shell(qapp: QApplication, qtbot: Any, nvml: Any, profile: str) -> DesktopApp:
    prefs = Prefs(engine_mode="managed", profile=profile, language="en", tray_enabled=False)
    app = DesktopApp(qapp, gpu_backend=NvmlBackend(nvml), gpu_interval=0.05, prefs=prefs)
    app.start([])
    run_until(qtbot, lambda: app.started)
    return app


def close_shell(app: DesktopApp, qtbot: Any) -> None:
    # An engine check still in flight at shutdown would log a closed client.
    run_until(qtbot, lambda: app.engine_state[1] != "starting", timeout=30)
    if ModelPanel._open is not None:
        ModelPanel._open.close()
    run_coroutine(qtbot, app.shutdown(), timeout=60)
    dispose_window(app.window)


@pytest.fixture
def docker_shell(
    qloop: Any,
    qtbot: Any,
    qapp: QApplication,
    run_id: str,
    docker_client: Any,
    tmp_path: Path,
) -> Iterator[Callable[..., DesktopApp]]:
    """``docker_shell(*profiles)``: the app with a runtime scoped to this test's containers."""
    from desktop.runtime.controller import ContainerController

    made: list[DesktopApp] = []

    def factory(*profiles: Any) -> DesktopApp:
        app = make_shell(qapp, qtbot, NoGpu(), profiles[0].id)
        controller = ContainerController(
            port=free_port(),
            profiles={p.id: p for p in profiles},
            labels={RUN_LABEL: run_id, "dots-desktop.test": "1"},
            name_prefix=f"dd-test-{run_id}-",
            gpu_reader=None,
            stop_timeout=5,
            ready_timeout=60,
            release_timeout=5,
            token_getter=lambda: None,
            hf_cache=str(tmp_path),
            weights_here=False,
        )
        app.model = ModelRuntime(app, controller=controller)
        app.model.status_changed.connect(lambda _s: app._on_model_status())
        made.append(app)
        return app

    yield factory
    for app in made:
        close_shell(app, qtbot)


def log_shows(panel: ModelPanel, text: str) -> bool:
    panel.refresh()
    return text in panel.logs.toPlainText()


def state_of(app: DesktopApp) -> str:
    status = app.model.status()
    return str(status.state) if status is not None else ""


@pytest.mark.docker
def test_given_the_simulator_image_when_started_from_the_panel_then_it_becomes_the_engine(
    docker_shell: Callable[..., DesktopApp],
    sim_profile: Callable[..., Any],  # noqa: F811
    docker_client: Any,
    run_id: str,
    qtbot: Any,
    fixtures_dir: Path,
) -> None:
    app = docker_shell(sim_profile("a"))
    panel = app.open_model_panel()
    assert "No NVIDIA GPU" in panel.plan.text()
    panel.start_button.click()
    run_until(qtbot, lambda: state_of(app) == "starting", timeout=30)
    run_until(qtbot, lambda: state_of(app) == "ready", timeout=60)
    panel.refresh()
    assert "ready" in panel.state.text()
    assert panel.start_button.text() == "Restart" and panel.stop_button.isEnabled()
    for stage in ("loading weights", "profiling memory", "starting the API server"):
        assert stage in panel.stages.text()
    # Log lines come from their own thread and may trail the /health answer.
    run_until(qtbot, lambda: log_shows(panel, "Application startup complete"))
    containers = docker_client.containers.list(filters={"label": "dots-desktop.test=1"})
    assert any(c.labels.get(RUN_LABEL) == run_id for c in containers)
    # The managed server replaces "no engine": the chip names it and pages are read.
    run_until(qtbot, lambda: app.bridge.engine is not None, timeout=30)
    run_until(qtbot, lambda: "sim-a" in app.window.engine_chip.text(), timeout=30)
    app.window.mode_combo.setCurrentIndex(2)  # layout only: quick
    app.controller.open_files([str(fixtures_dir / "journal_page_tables.jpg")])
    entry = next(iter(app.controller.entries.values()))
    run_until(qtbot, lambda: bool(entry.results.get(0)), timeout=60)
    assert entry.results[0].blocks
    panel.stop_button.click()
    run_until(qtbot, lambda: state_of(app) == "stopped", timeout=60)
    panel.refresh()
    assert "stopped" in panel.state.text()
    run_until(qtbot, lambda: app.bridge.engine is None, timeout=30)
    assert not panel.stop_button.isEnabled()


@pytest.mark.docker
def test_given_a_startup_oom_when_started_then_cause_fix_and_a_retry_button_are_shown(
    docker_shell: Callable[..., DesktopApp],
    sim_profile: Callable[..., Any],  # noqa: F811
    qtbot: Any,
) -> None:
    app = docker_shell(sim_profile("oom", "--sim-fault", "startup-oom"))
    panel = app.open_model_panel()
    panel.start_button.click()
    run_until(qtbot, lambda: state_of(app) == "failed", timeout=60)
    panel.refresh()
    assert "failed" in panel.state.text()
    assert "ran out of memory" in panel.failure.text()
    assert "--enforce-eager" in panel.fix.text()
    assert panel.fix_button.isVisibleTo(panel)
    assert panel.fix_button.text() == "Retry with max length 8192, without CUDA graphs"
    run_until(qtbot, lambda: log_shows(panel, "CUDA out of memory"))  # the viewer shows why
    panel.fix_button.click()
    run_until(qtbot, lambda: state_of(app) == "starting", timeout=30)
    assert app.model.last_profile.enforce_eager
    assert app.model.last_profile.max_model_len == 8192
    run_until(qtbot, lambda: state_of(app) == "failed", timeout=60)


@pytest.mark.docker
def test_given_too_little_free_memory_when_the_fix_is_applied_then_the_model_starts(
    docker_shell: Callable[..., DesktopApp],
    sim_profile: Callable[..., Any],  # noqa: F811
    qtbot: Any,
) -> None:
    profile = sim_profile("low", "--sim-gpu-total-gib", "16", "--sim-gpu-free-gib", "12")
    app = docker_shell(profile)
    panel = app.open_model_panel()
    panel.start_button.click()
    run_until(qtbot, lambda: state_of(app) == "failed", timeout=60)
    panel.refresh()
    assert "--gpu-memory-utilization" in panel.fix.text()
    assert panel.fix_button.text() == "Retry with GPU memory use 0.73"
    panel.fix_button.click()
    run_until(qtbot, lambda: state_of(app) == "ready", timeout=60)
    panel.refresh()
    assert not panel.failure_box.isVisibleTo(panel)


# -- without Docker: what the panel says for a given status or GPU reading ----------------


@pytest.fixture
def gpu_shell(qloop: Any, qtbot: Any, qapp: QApplication) -> Iterator[tuple[DesktopApp, Any]]:
    nvml = FakeNvml()
    nvml.used = int(2.9 * GIB)
    app = make_shell(qapp, qtbot, nvml, "dots.ocr")
    yield app, nvml
    close_shell(app, qtbot)


class FakeRuntime:
    """Stands in for ModelRuntime: a fixed status and log."""

    def __init__(self, profiles: dict[str, Any], status: ControllerStatus) -> None:
        self._profiles = profiles
        self._status = status
        self.error = ""
        self.last_profile = None
        self.lines = ["INFO starting", "INFO pulling"]

    def status(self) -> ControllerStatus:
        return self._status

    def logs(self) -> list[str]:
        return self.lines

    def profiles(self) -> dict[str, Any]:
        return self._profiles

    def profile(self, pid: str) -> Any:
        from desktop.runtime.profiles import find_profile

        return find_profile(self._profiles, pid)


def test_given_a_16_gib_card_then_the_memory_plan_says_it_fits(
    gpu_shell: tuple[DesktopApp, Any], qtbot: Any
) -> None:
    app, nvml = gpu_shell
    run_until(qtbot, lambda: app.gpu_sample is not None)
    panel = app.open_model_panel()
    panel.refresh()
    assert panel.plan.text().startswith("Needs ~")
    assert "13.1 GiB free: fits." in panel.plan.text()
    with nvml.lock:
        nvml.used = int(12 * GIB)
    run_until(qtbot, lambda: app.gpu_sample is not None and app.gpu_sample[0] >= 12 * GIB)
    panel.refresh()
    assert "does not fit" in panel.plan.text()


def test_given_an_image_pull_then_bytes_and_percent_are_shown(
    gpu_shell: tuple[DesktopApp, Any],
) -> None:
    from desktop.runtime.profiles import load_profiles

    app, _ = gpu_shell
    status = ControllerStatus(
        state=ContainerState.PULLING,
        profile_id="dots.ocr",
        stage=Stage.PULLING,
        progress=0.3,
        pulled_bytes=int(1.2 * GIB),
        total_bytes=4 * GIB,
    )
    app.model = FakeRuntime(load_profiles(), status)
    panel = app.open_model_panel()
    panel.refresh()
    assert "downloading the image" in panel.state.text()
    assert panel.progress.isVisibleTo(panel)
    assert panel.progress.text() == "1.2 GiB of 4.0 GiB (30%)"
    assert "INFO pulling" in panel.logs.toPlainText()
    app.model = None


def test_given_a_kv_cache_failure_then_the_fix_button_offers_the_estimated_length(
    gpu_shell: tuple[DesktopApp, Any],
) -> None:
    from desktop.runtime.profiles import load_profiles

    app, _ = gpu_shell
    status = ControllerStatus(
        state=ContainerState.FAILED,
        profile_id="dots.ocr",
        cause=FailureCause.KV_TOO_SMALL,
        problem=Msg.of(Code.KV_TOO_SMALL, tokens=6144),
        remedy=Msg.of(Code.FIX_KV_TOO_SMALL, tokens=6144),
        estimated_max_len=6144,
    )
    runtime = FakeRuntime(load_profiles(), status)
    started: list[Any] = []
    runtime.start_profile = started.append  # type: ignore[attr-defined]
    app.model = runtime
    panel = app.open_model_panel()
    panel._wired = runtime  # the fake has no signals to wire
    panel.refresh()
    assert panel.fix_button.text() == "Retry with max length 6144"
    assert "6144" in panel.fix.text()
    panel.fix_button.click()
    assert started and started[0].max_model_len == 6144
    app.model = None


def test_given_russian_then_the_diagnosis_and_its_fix_button_are_in_russian(
    gpu_shell: tuple[DesktopApp, Any], qapp: QApplication
) -> None:
    from desktop.runtime.profiles import load_profiles
    from desktop.ui.words.i18n import install_language

    app, _ = gpu_shell
    status = ControllerStatus(
        state=ContainerState.FAILED,
        profile_id="dots.ocr",
        cause=FailureCause.GPU_OOM,
        problem=Msg(Code.GPU_OOM),
        remedy=Msg(Code.FIX_GPU_OOM),
    )
    app.model = FakeRuntime(load_profiles(), status)
    assert install_language(qapp, "ru")
    try:
        panel = app.open_model_panel()
        panel._wired = app.model
        panel.refresh()
        assert panel.failure.text() == "При запуске модели закончилась память GPU."
        assert panel.fix.text().startswith("Закройте программы")
        assert panel.fix_button.text().startswith("Повторить с максимальной длиной 8192")
        assert "ошибка" in panel.state.text()
    finally:
        install_language(qapp, "en")
        app.model = None


class RecordingController:
    """The ContainerController calls ModelRuntime makes, recorded."""

    def __init__(self) -> None:
        self.status = ControllerStatus()
        self.calls: list[str] = []
        self.profiles: dict[str, Any] = {}

    def subscribe(self, callback: Any) -> None:
        self.calls.append("subscribe")

    async def adopt(self) -> None:
        self.calls.append("adopt")

    async def stop(self) -> None:
        self.calls.append("stop")

    async def aclose(self) -> None:
        self.calls.append("aclose")


def test_given_the_runtime_is_built_in_a_worker_when_stop_comes_first_then_it_runs_after(
    qloop: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from desktop.ui.control import modelruntime

    built_on: list[str] = []
    controller = RecordingController()

    def build(hf_cache: str = "") -> RecordingController:
        built_on.append(threading.current_thread().name)
        return controller

    monkeypatch.setattr(modelruntime, "_build_controller", build)
    runtime = ModelRuntime()
    assert runtime.available
    runtime.stop()  # before the controller exists: kept, then done
    run_until(qtbot, lambda: "stop" in controller.calls)
    assert built_on and built_on[0] != threading.main_thread().name
    assert controller.calls[:1] == ["subscribe"]
    run_coroutine(qtbot, runtime.aclose())
    assert controller.calls[-1] == "aclose"


def test_given_the_panel_when_another_engine_is_used_then_the_choice_is_kept_for_next_start(
    gpu_shell: tuple[DesktopApp, Any], qtbot: Any
) -> None:
    from desktop.ui.state.prefs import load_prefs

    # GIVEN the app on the managed model, its panel open
    app, _ = gpu_shell
    panel = app.open_model_panel()
    # WHEN the user picks the remote server and presses "Use this engine"
    panel.mode.setCurrentIndex(panel.mode.findData("server"))
    panel.apply_button.click()
    # THEN the choice is saved (the next start reads it) and the app builds that engine:
    # no address is set, so the engine line says so
    assert load_prefs().engine_mode == "server" and app.prefs.engine_mode == "server"
    assert load_prefs().profile == "dots.ocr"
    run_until(qtbot, lambda: app.engine_state[1] == "failed")
    panel.refresh()
    assert "No server address is set." in panel.engine.text()
