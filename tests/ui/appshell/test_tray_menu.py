"""The tray menu's actions doing their work, and the screen-region overlay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop.runtime.gpu import NvmlBackend
from desktop.ui.appshell import region as region_module
from desktop.ui.appshell.region import RegionOverlay, capture_region
from desktop.ui.appshell.shell import DesktopApp
from desktop.ui.state.prefs import Prefs
from tests.ui.appshell.test_app_tray import TRAY_ACTIONS, FakeNvml
from tests.ui.conftest import dispose_window, run_coroutine, run_until

pytestmark = pytest.mark.gui


class FakeRuntime:
    """Records what the tray asked of the model runtime."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.state = "absent"

    def start(self, profile: str) -> None:
        self.calls.append(("start", profile))

    def stop(self) -> None:
        self.calls.append(("stop", ""))

    def status(self) -> Any:
        return SimpleNamespace(
            state=self.state, profile_id=None, endpoint=None, stage=None, total_bytes=0
        )


@pytest.fixture
def make_shell(qloop: Any, qtbot: Any, qapp: QApplication) -> Iterator[Callable[..., DesktopApp]]:
    made: list[DesktopApp] = []

    def factory(nvml: Any = None, **prefs: Any) -> DesktopApp:
        options = {"language": "en", "tray_enabled": True, **prefs}
        backend = NvmlBackend(nvml or FakeNvml())
        app = DesktopApp(qapp, gpu_backend=backend, gpu_interval=0.2, prefs=Prefs(**options))
        app.start([])
        run_until(qtbot, lambda: app.started)
        if options.get("endpoint"):  # a check in flight at shutdown would log a closed client
            run_until(qtbot, lambda: app.engine_state[1] == "ready")
        made.append(app)
        return app

    yield factory
    for app in made:
        app.model = None
        run_coroutine(qtbot, app.shutdown())
        dispose_window(app.window)


def act(app: DesktopApp, name: str) -> QAction:
    action = app.tray.action(name)
    assert action is not None, name
    return action


def capture_notifications(app: DesktopApp, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """showMessage calls; without a tray host the icon is made to count as shown."""
    shown: list[Any] = []
    icon = app.tray.icon
    monkeypatch.setattr(icon, "showMessage", lambda *args: shown.append(args))
    if not icon.isVisible():
        monkeypatch.setattr(icon, "isVisible", lambda: True)
        monkeypatch.setattr(QSystemTrayIcon, "supportsMessages", staticmethod(lambda: True))
    return shown


def test_given_profiles_then_the_switch_submenu_lists_them_and_picking_one_starts_it(
    make_shell: Callable[..., DesktopApp], qtbot: Any
) -> None:
    nvml = FakeNvml()
    nvml.used = int(2.9 * 1024**3)  # room for every profile but the largest
    app = make_shell(nvml, engine_mode="managed", profile="dots.ocr")
    run_until(qtbot, lambda: app.capabilities.known)
    names = [a.objectName() for a in app.tray.menu.actions()]
    assert [n for n in names if n] == list(TRAY_ACTIONS)
    profiles = {a.objectName(): a for a in app.tray.switch_menu.actions()}
    assert "profile_dots.ocr" in profiles and profiles["profile_dots.ocr"].isChecked()
    assert len(profiles) >= 2
    runtime = FakeRuntime()
    app.model = runtime
    other = next(a for n, a in profiles.items() if n != "profile_dots.ocr" and a.isEnabled())
    other.trigger()
    picked = other.objectName().removeprefix("profile_")
    assert runtime.calls == [("start", picked)]
    assert app.prefs.profile == picked
    assert act(app, "start_model").isEnabled()
    act(app, "start_model").trigger()
    assert not act(app, "stop_model").isEnabled(), "no model runs yet"
    runtime.state = "starting"
    app._on_model_status()
    assert act(app, "stop_model").isEnabled()
    act(app, "stop_model").trigger()
    assert runtime.calls[1:] == [("start", picked), ("stop", "")]
    runtime.state = "stopped"
    app._on_model_status()
    assert not act(app, "stop_model").isEnabled()


def test_given_a_remote_server_then_start_and_stop_model_are_off(
    vllm_sim: Callable[..., Any], make_shell: Callable[..., DesktopApp]
) -> None:
    app = make_shell(engine_mode="server", endpoint=vllm_sim().base_url)
    assert not act(app, "start_model").isEnabled()
    assert not act(app, "stop_model").isEnabled()


def test_given_a_clipboard_image_when_ocr_this_then_its_text_lands_on_the_clipboard_and_a_note(
    vllm_sim: Callable[..., Any],
    make_shell: Callable[..., DesktopApp],
    fixtures_dir: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = vllm_sim()
    if sim.api_key:
        monkeypatch.setenv("DOTS_DESKTOP_API_KEY", sim.api_key)
    app = make_shell(engine_mode="server", endpoint=sim.base_url, ocr_mode="text")
    run_until(qtbot, lambda: app.bridge.engine is not None)
    shown = capture_notifications(app, monkeypatch)
    clipboard = QGuiApplication.clipboard()
    clipboard.setImage(QImage(str(fixtures_dir / "journal_page_tables.jpg")))
    act(app, "ocr_clipboard").trigger()
    run_until(qtbot, lambda: bool(clipboard.text()), timeout=60)
    entry = next(iter(app.controller.entries.values()))
    assert entry.results[0].text.strip()[:40] in clipboard.text()
    assert shown and shown[0][0] == "Text copied"
    assert shown[0][1] == clipboard.text()[:200]


def test_given_an_empty_clipboard_when_ocr_this_then_the_note_says_so(
    vllm_sim: Callable[..., Any],
    make_shell: Callable[..., DesktopApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_shell(engine_mode="server", endpoint=vllm_sim().base_url)
    shown = capture_notifications(app, monkeypatch)
    QGuiApplication.clipboard().setText("just words")
    act(app, "ocr_clipboard").trigger()
    assert not app.controller.entries
    assert shown and "no image" in shown[0][1]


# -- the screen-region overlay ------------------------------------------------------------


def screenshot(width: int = 480, height: int = 320) -> QPixmap:
    shot = QPixmap(width, height)
    shot.fill(QColor("#ffffff"))
    return shot


def drag(qtbot: Any, widget: Any, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(widget, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(widget, end)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def test_given_the_overlay_when_a_rectangle_is_dragged_then_that_part_of_the_screen_is_returned(
    qtbot: Any,
) -> None:
    got: list[QImage | None] = []
    overlay = RegionOverlay(screenshot(), QRect(0, 0, 480, 320), got.append)
    overlay.show()
    drag(qtbot, overlay, QPoint(40, 30), QPoint(240, 130))
    assert len(got) == 1 and got[0] is not None
    assert (got[0].width(), got[0].height()) == (200, 100)


def test_given_a_hidpi_screen_when_a_rectangle_is_dragged_then_the_full_resolution_is_kept(
    qtbot: Any,
) -> None:
    shot = QPixmap(960, 640)
    shot.fill(QColor("#ffffff"))
    shot.setDevicePixelRatio(2.0)
    got: list[QImage | None] = []
    overlay = RegionOverlay(shot, QRect(0, 0, 480, 320), got.append)
    overlay.show()
    drag(qtbot, overlay, QPoint(40, 30), QPoint(240, 130))
    assert got[0] is not None and (got[0].width(), got[0].height()) == (400, 200)


def test_given_the_overlay_when_escape_or_a_click_then_nothing_is_read(qtbot: Any) -> None:
    got: list[QImage | None] = []
    overlay = RegionOverlay(screenshot(), QRect(0, 0, 480, 320), got.append)
    overlay.show()
    drag(qtbot, overlay, QPoint(40, 30), QPoint(41, 31))  # a click, not a box
    assert got == [] and overlay.isVisible()
    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert got == [None]


def test_given_the_tray_when_a_screen_region_is_dragged_then_it_is_read_and_copied(
    vllm_sim: Callable[..., Any],
    make_shell: Callable[..., DesktopApp],
    fixtures_dir: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = QPixmap(str(fixtures_dir / "journal_page_tables.jpg")).scaledToWidth(800)
    monkeypatch.setattr(
        region_module, "grab_all_screens", lambda: (page, QRect(0, 0, page.width(), 600))
    )
    app = make_shell(engine_mode="server", endpoint=vllm_sim().base_url)
    app.window.hide()
    act(app, "ocr_region").trigger()
    overlay = region_module._active[-1]
    assert overlay.objectName() == "region_overlay" and overlay.isVisible()
    drag(qtbot, overlay, QPoint(50, 50), QPoint(450, 250))
    assert app.window.isVisible()
    entry = next(iter(app.controller.entries.values()))
    assert entry.name == "Screen region"
    assert entry.key in app.quick.to_clipboard  # the text goes to the clipboard once read


def test_given_the_real_screens_then_capture_region_opens_an_overlay_over_them(
    qtbot: Any, qapp: QApplication
) -> None:
    got: list[QImage | None] = []
    overlay = capture_region(got.append)
    if overlay is None:
        assert got == [None]  # no screen to grab: told at once
        return
    assert overlay.geometry().size() == QGuiApplication.primaryScreen().virtualGeometry().size()
    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert got == [None]


def test_given_the_model_panel_picks_another_profile_then_the_tray_ticks_it(
    make_shell: Callable[..., DesktopApp],
) -> None:
    from dataclasses import replace

    app = make_shell(engine_mode="managed", profile="dots.ocr")
    profiles = {a.objectName(): a for a in app.tray.switch_menu.actions()}
    other = next(n for n in profiles if n != "profile_dots.ocr").removeprefix("profile_")
    app.prefs = replace(app.prefs, profile=other)  # what the model panel's Apply does
    app.apply_engine()
    ticked = [a.objectName() for a in app.tray.switch_menu.actions() if a.isChecked()]
    assert ticked == [f"profile_{other}"]


def test_given_the_tray_is_off_when_ocr_this_finishes_then_the_window_says_text_copied(
    vllm_sim: Callable[..., Any],
    make_shell: Callable[..., DesktopApp],
    fixtures_dir: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = vllm_sim()
    if sim.api_key:
        monkeypatch.setenv("DOTS_DESKTOP_API_KEY", sim.api_key)
    app = make_shell(
        engine_mode="server", endpoint=sim.base_url, ocr_mode="text", tray_enabled=False
    )
    run_until(qtbot, lambda: app.bridge.engine is not None)
    messages: list[str] = []
    monkeypatch.setattr(app.window, "show_message", lambda text, ms=8000: messages.append(text))
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    clipboard.setImage(QImage(str(fixtures_dir / "journal_page_tables.jpg")))
    app.quick.ocr_clipboard()
    run_until(qtbot, lambda: any(m.startswith("Text copied") for m in messages), timeout=60)
    assert clipboard.text().strip()
