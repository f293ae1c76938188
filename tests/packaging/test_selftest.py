"""``dots-desktop --self-test`` from source: the same check the frozen bundle must pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from desktop.commands import selftest
from desktop.core.document import Block, Page

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(300)
def test_self_test_from_source_passes_every_step(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DOTS_DESKTOP_HOME=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", "--self-test"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    steps = (
        "main window shown",
        "sample recognised",
        "table checked",
        "XLSX export",
        "PDF and Word",
    )
    for step in steps:
        assert step in proc.stdout
    assert "self-test: passed" in proc.stdout


def test_stop_after_window_ends_early_with_success(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        DOTS_DESKTOP_HOME=str(tmp_path),
        DOTS_DESKTOP_SELFTEST_STOP_AFTER="window",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", "--self-test"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "main window shown" in proc.stdout
    assert "sample recognised" not in proc.stdout


def test_sample_is_found_beside_the_package() -> None:
    assert selftest.sample_path().is_file()
    assert selftest.sample_path() == ROOT / "resources" / "sample" / "invoice.png"


def test_sample_is_found_inside_a_frozen_bundle(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert selftest.sample_path() == tmp_path / "resources" / "sample" / "invoice.png"


def _state_with_table(html: str) -> selftest._State:
    state = selftest._State()
    block = Block(category="Table", bbox=(0, 0, 10, 10), text=html)
    state.result = Page(index=0, width=10, height=10, blocks=(block,))
    return state


GOOD_ROWS = (
    "<tr><td>Item</td><td>Qty</td><td>Price</td><td>Total</td></tr>"
    "<tr><td>Recycled paper A4</td><td>10</td><td>4.50</td><td>45.00</td></tr>"
    "<tr><td>Ink cartridge</td><td>2</td><td>19.90</td><td>39.80</td></tr>"
    "<tr><td>Archive boxes</td><td>5</td><td>3.20</td><td>16.00</td></tr>"
)


def test_table_without_the_merged_cell_fails_with_a_one_line_reason() -> None:
    last = "<tr><td>Grand total</td><td></td><td></td><td>100.80</td></tr>"
    html = f"<table>{GOOD_ROWS}{last}</table>"
    with pytest.raises(selftest.SelfTestError, match="span 3 columns"):
        selftest._check_table(_state_with_table(html))


def test_correct_table_passes_and_exports_to_xlsx_with_the_merge(tmp_path: Path) -> None:
    html = f"<table>{GOOD_ROWS}<tr><td colspan='3'>Grand total</td><td>100.80</td></tr></table>"
    state = _state_with_table(html)
    assert "5x4" in selftest._check_table(state)
    assert "A5:C5" in selftest._check_xlsx(state, tmp_path)


def test_a_failing_step_is_reported_with_its_name(capsys: pytest.CaptureFixture[str]) -> None:
    steps = selftest._Steps()

    def broken() -> str:
        raise ValueError("no pixels")

    with pytest.raises(selftest.SelfTestError, match="sample loaded: ValueError: no pixels"):
        steps.run("sample loaded", broken)
    ok = SimpleNamespace(value="fine")
    steps.run("window", lambda: ok.value)
    assert "window" in capsys.readouterr().out
