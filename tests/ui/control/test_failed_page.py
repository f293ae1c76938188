"""A failed page says why in the page area, with its fix and a Retry that reads it again;
the reading line shows seconds per page, the engine and the time left."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.engines.remote.server import ServerEngine
from tests.ui.conftest import Ui
from tests.ui.control.test_ocr_window import current_entry, drop_files

pytestmark = pytest.mark.gui


@pytest.fixture
def sim_ui(vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui]) -> Ui:
    sim = vllm_sim()
    return make_ui(ServerEngine(sim.base_url, sim.api_key))


def test_given_a_file_that_is_no_image_then_the_page_area_says_why_and_retry_reads_it_fixed(
    sim_ui: Ui, tmp_path: Path, fixtures_dir: Path
) -> None:
    drop_files(sim_ui, fixtures_dir / "russian_page.png")  # another document shown first
    sim_ui.wait(lambda: bool(current_entry(sim_ui).results.get(0)), timeout=60)
    notes = tmp_path / "notes.jpg"
    notes.write_text("just text, not an image")
    drop_files(sim_ui, notes)
    banner = sim_ui.controller.notes.failed
    sim_ui.wait(banner.isVisible)
    # Nothing of the document shown before stays beside the failed one.
    assert sim_ui.window.plain_view.edit.toPlainText() == ""
    assert not sim_ui.window.page_view.has_page()
    reason, fix = banner.reason.text(), banner.fix.text()
    assert "notes.jpg" in reason and reason.count("notes.jpg") == 1
    assert fix and fix not in reason  # the fix on its own line
    assert banner.retry_button.isVisible()
    status = sim_ui.window.statusBar().currentMessage()
    assert status.count("notes.jpg") <= 1  # never "notes.jpg: notes.jpg: ..."
    # The whole reason is there to read: wrapped, not cut off at the window's edge.
    assert banner.reason.wordWrap() and banner.reason.width() <= banner.width()
    shutil.copyfile(fixtures_dir / "journal_page_tables.jpg", notes)  # the user fixes the file
    banner.retry_button.click()
    sim_ui.wait(lambda: bool(current_entry(sim_ui).results.get(0)), timeout=60)
    assert not banner.isVisible()
    assert current_entry(sim_ui).results[0].blocks


def test_given_a_server_that_fails_then_the_failed_page_shows_its_reason_and_retry(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], fixtures_dir: Path
) -> None:
    sim = vllm_sim(faults=["http-500"])
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    drop_files(ui, fixtures_dir / "russian_page.png")
    banner = ui.controller.notes.failed
    ui.wait(banner.isVisible, timeout=120)
    assert banner.reason.text()
    assert ui.window.page_status.text() == ""  # the banner says it; the bar is not cut short
    requests = sim.stats.requests_total
    banner.retry_button.click()
    ui.wait(lambda: sim.stats.requests_total > requests, timeout=60)


def test_given_a_batch_reading_then_the_status_line_shows_speed_engine_and_time_left(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], fixtures_dir: Path
) -> None:
    sim = vllm_sim(decode_tps=400.0)
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    ui.window.mode_combo.setCurrentIndex(2)
    seen: list[str] = []
    speed = ui.controller.notes.speed
    ui.bridge.batch_progress.connect(lambda *_: seen.append(speed.text()))
    ui.bridge.page_done.connect(lambda *_: seen.append(speed.text()))
    pages = [fixtures_dir / "journal_page_tables.jpg", fixtures_dir / "russian_page.png"]
    drop_files(ui, *pages, fixtures_dir / "two_page_report.pdf")
    ui.wait(lambda: any("left for" in s for s in seen), timeout=120)
    line = next(s for s in seen if "left for" in s)
    assert ui.bridge.engine is not None and ui.bridge.engine.name in line
    assert " s per page" in line and "about " in line
    ui.wait(lambda: not ui.bridge.busy, timeout=120)
    assert speed.text() == ""  # the batch is over
