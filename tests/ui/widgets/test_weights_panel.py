"""The model panel with weights downloaded on this computer (issue 16, item 3): advancing
bytes of the total with speed and time left while the simulator's model downloads, then the
downloaded model listed with its size, Delete refused while it runs and done after a stop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.runtime import weightstore
from desktop.ui.appshell.shell import DesktopApp
from desktop.ui.control.modelruntime import ModelRuntime
from desktop.ui.widgets.modelpanel import ModelPanel
from tests.docker_fixtures import RUN_LABEL
from tests.fakehub import FakeHub, weights_repo
from tests.runtime.conftest import (  # noqa: F401  (fixtures reused from the runtime tests)
    free_port,
    sim_profile,
)
from tests.ui.conftest import run_until
from tests.ui.widgets.test_modelpanel import NoGpu, close_shell, make_shell, state_of

pytestmark = [pytest.mark.gui, pytest.mark.docker]
REPO = "rednote-hilab/dots.ocr"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    fake = FakeHub(repos={REPO: weights_repo(size=6 * 1024 * 1024)}, delay=0.02).start()
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    yield fake
    fake.close()


@pytest.fixture
def shell(
    qloop: Any, qtbot: Any, qapp: QApplication, run_id: str, docker_client: Any, tmp_path: Path
) -> Iterator[Callable[..., DesktopApp]]:
    from desktop.runtime.controller import ContainerController

    made: list[DesktopApp] = []

    def factory(profile: Any, token_getter: Callable[[], str | None] = lambda: None) -> DesktopApp:
        app = make_shell(qapp, qtbot, NoGpu(), profile.id)
        controller = ContainerController(
            port=free_port(),
            profiles={profile.id: profile},
            labels={RUN_LABEL: run_id, "dots-desktop.test": "1"},
            name_prefix=f"dd-test-{run_id}-",
            gpu_reader=None,
            stop_timeout=5,
            ready_timeout=60,
            token_getter=token_getter,
            hf_cache=str(tmp_path / "weights"),
        )
        app.model = ModelRuntime(app, controller=controller)
        app.model.status_changed.connect(lambda _s: app._on_model_status())
        made.append(app)
        return app

    yield factory
    for app in made:
        close_shell(app, qtbot)


def test_the_panel_shows_the_download_then_lists_the_model_with_its_size_and_deletes_it(
    shell: Callable[..., DesktopApp],
    sim_profile: Callable[..., Any],  # noqa: F811
    hub: FakeHub,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    app = shell(sim_profile("a"))
    panel = app.open_model_panel()
    run_until(qtbot, lambda: "No model weights" in _listed(panel))
    assert not panel.weights.delete_button.isEnabled()
    shown: list[str] = []
    lines: list[str] = []
    tips: list[str] = []

    def watch() -> bool:
        panel.refresh()
        if panel.progress.isVisible() and "GiB" in panel.progress.format():
            shown.append(panel.progress.format())
            lines.append(panel.state.text())
            tips.append(app.tray.tooltip())
        return state_of(app) == "ready"

    panel.start_button.click()
    run_until(qtbot, watch, timeout=90)
    assert len(set(shown)) >= 3, shown  # the bytes advanced on screen
    first, last = shown[0], shown[-1]
    assert "of 0.01 GiB" in first and "MiB/s" in first and "left" in first
    assert _percent(first) < _percent(last)
    assert lines[0] == "sim-a: downloading the weights"  # not "downloading the image"
    # The tray's tooltip says it too, with the same figures.
    assert any("downloading the weights: " in tip and "MiB/s" in tip for tip in tips), tips
    # Listed with its size once the download ended; Delete refused while it runs.
    run_until(qtbot, lambda: f"{REPO}: 0.01 GiB" in _listed(panel), timeout=20)
    _select(panel, REPO)
    assert not panel.weights.delete_button.isEnabled()
    assert "running" in panel.weights.delete_button.toolTip()
    panel.stop_button.click()
    run_until(qtbot, lambda: state_of(app) == "stopped", timeout=60)
    panel.refresh()
    _select(panel, REPO)
    assert panel.weights.delete_button.isEnabled()
    asked: list[str] = []

    def say_no(_w: Any, question: str) -> bool:
        asked.append(question)
        return False

    panel.weights.confirm = say_no
    panel.weights.delete_button.click()
    assert asked and REPO in asked[0] and "GiB" in asked[0]
    assert weightstore.downloaded(tmp_path / "weights")  # "No" kept it
    panel.weights.confirm = lambda _w, _q: True
    panel.weights.delete_button.click()
    run_until(qtbot, lambda: "No model weights" in _listed(panel), timeout=20)
    assert "freed" in panel.weights.result.text()
    assert weightstore.downloaded(tmp_path / "weights") == []


def _listed(panel: ModelPanel) -> str:
    items = panel.weights.list
    return "\n".join(items.item(i).text() for i in range(items.count()))


def _select(panel: ModelPanel, repo: str) -> None:
    items = panel.weights.list
    for i in range(items.count()):
        if repo in items.item(i).text():
            items.setCurrentRow(i)
    panel.weights.sync()


def _percent(text: str) -> int:
    return int(text.split("(")[1].split("%", maxsplit=1)[0])


def test_a_gated_model_asks_for_the_token_once_keeps_it_in_the_keyring_and_starts(
    shell: Callable[..., DesktopApp],
    sim_profile: Callable[..., Any],  # noqa: F811
    hub: FakeHub,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring

    from desktop.runtime import containers as ct

    kept: dict[tuple[str, str], str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda s, u, p: kept.__setitem__((s, u), p))
    monkeypatch.setattr(keyring, "get_password", lambda s, u: kept.get((s, u)))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(ct, "_session_token", [])
    hub.repos[REPO].gated = True
    hub.delay = 0.0
    app = shell(sim_profile("a"), token_getter=ct.hf_token)
    panel = app.open_model_panel()
    panel.start_button.click()
    run_until(qtbot, lambda: state_of(app) == "failed", timeout=60)
    panel.refresh()
    assert "gated" in panel.failure.text() and "token" in panel.fix.text()
    assert panel.fix_button.isVisible()
    assert panel.fix_button.text() == "Enter token and start again"
    asked: list[str] = []

    def paste(_w: Any, model: str) -> str:
        asked.append(model)
        return hub.token

    panel.token.prompt = paste
    panel.fix_button.click()
    run_until(qtbot, lambda: state_of(app) == "ready", timeout=90)
    assert asked == [REPO]
    assert kept == {(ct.KEYRING_SERVICE, ct.KEYRING_HF_USER): hub.token}
    assert "keyring" in panel.weights.result.text()
    assert ct.hf_token() == hub.token  # the next start reads it from there: asked once
