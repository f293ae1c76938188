"""Settings show only the chosen engine's fields; "Test connection" asks the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from desktop.ui.state.prefs import Prefs
from desktop.ui.widgets.settings import SettingsDialog
from tests.runtime.conftest import free_port
from tests.ui.conftest import run_until

pytestmark = pytest.mark.gui
PROFILES = [("dots.ocr", "dots.ocr (3B, bf16)")]


def dialog_for(qtbot: Any, **prefs: Any) -> SettingsDialog:
    dialog = SettingsDialog(Prefs(language="en", **prefs), PROFILES)
    qtbot.addWidget(dialog)
    return dialog


def test_given_each_engine_then_only_its_fields_are_shown(qtbot: Any) -> None:
    dialog = dialog_for(qtbot, engine_mode="server", endpoint="http://gpu-box:8000")
    server_fields = (dialog.endpoint, dialog.api_key, dialog.connection_test)
    assert all(dialog.row_shown(f) for f in server_fields)
    assert not dialog.row_shown(dialog.hf_token) and not dialog.row_shown(dialog.keep_running)
    assert not dialog.row_shown(dialog.builtin_language)
    # WHEN the user picks the built-in engine: its language, not the server's fields
    dialog.engine_mode.setCurrentIndex(dialog.engine_mode.findData("builtin"))
    assert dialog.row_shown(dialog.builtin_language)
    assert not any(dialog.row_shown(f) for f in server_fields)
    # WHEN the managed model: its token and keep-running, not the server's fields
    dialog.engine_mode.setCurrentIndex(dialog.engine_mode.findData("managed"))
    assert dialog.row_shown(dialog.hf_token) and dialog.row_shown(dialog.keep_running)
    assert not dialog.row_shown(dialog.endpoint)
    # Shared settings stay, and hidden fields keep their values
    assert dialog.row_shown(dialog.concurrency) and dialog.row_shown(dialog.language)
    assert dialog.prefs().endpoint == "http://gpu-box:8000"


def test_given_a_server_when_tested_then_model_context_and_time_are_said(
    qtbot: Any, qloop: Any, vllm_sim: Callable[..., Any]
) -> None:
    sim = vllm_sim(api_key="right", max_model_len=16384)
    dialog = dialog_for(qtbot, engine_mode="server", endpoint=sim.base_url)
    dialog.api_key.setText("right")
    dialog.connection_test.button.click()
    result = dialog.connection_test.result
    run_until(qtbot, lambda: result.text().startswith("Connected in"), timeout=15)
    assert f": {sim.served_model_name}, context length 16384 tokens." in result.text()
    assert " ms: " in result.text()
    # WHEN the key is wrong, the answer says so and what to do
    dialog.api_key.setText("wrong")
    dialog.connection_test.button.click()
    run_until(qtbot, lambda: "refuses the API key" in result.text(), timeout=15)


def test_given_no_server_there_when_tested_then_it_says_it_cannot_be_reached(
    qtbot: Any, qloop: Any
) -> None:
    dialog = dialog_for(qtbot, engine_mode="server")
    dialog.connection_test.button.click()
    assert dialog.connection_test.result.text() == "Enter the server address first."
    dialog.endpoint.setText(f"http://127.0.0.1:{free_port()}")
    dialog.connection_test.button.click()
    result = dialog.connection_test.result
    run_until(qtbot, lambda: "cannot be reached" in result.text(), timeout=15)
