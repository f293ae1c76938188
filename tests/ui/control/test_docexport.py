"""Export as PDF or Word from the window: the file appears, the window never waits for it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pytest

from desktop.engines.remote.server import ServerEngine
from tests.ui.conftest import Ui
from tests.ui.control.test_ocr_window import current_entry, drop_files

pytestmark = pytest.mark.gui


@pytest.fixture
def sim_ui(vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui]) -> Ui:
    sim = vllm_sim()
    return make_ui(ServerEngine(sim.base_url, sim.api_key))


def test_given_a_read_scan_when_exported_as_pdf_and_word_then_both_files_open(
    sim_ui: Ui, fixtures_dir: Path, tmp_path: Path
) -> None:
    scan = tmp_path / "scan.jpg"
    shutil.copy(fixtures_dir / "journal_page_tables.jpg", scan)
    drop_files(sim_ui, scan)
    sim_ui.wait(lambda: bool(current_entry(sim_ui).results.get(0)))
    pdf_path, docx_path = tmp_path / "out.pdf", tmp_path / "out.docx"
    sim_ui.controller.export_document("pdf", str(pdf_path))
    sim_ui.controller.export_document("docx", str(docx_path))
    sim_ui.wait(lambda: docx_path.exists() and pdf_path.exists())
    sim_ui.wait(lambda: "Saved" in sim_ui.window.statusBar().currentMessage())
    with pikepdf.open(pdf_path) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.read_raw_bytes() == scan.read_bytes()
    assert any(p.text for p in docx.Document(str(docx_path)).paragraphs)


def test_given_the_original_is_gone_when_exported_as_pdf_then_the_bar_says_why(
    sim_ui: Ui, fixtures_dir: Path, tmp_path: Path
) -> None:
    scan = tmp_path / "scan.jpg"
    shutil.copy(fixtures_dir / "journal_page_tables.jpg", scan)
    drop_files(sim_ui, scan)
    sim_ui.wait(lambda: bool(current_entry(sim_ui).results.get(0)))
    scan.unlink()
    sim_ui.controller.export_document("pdf", str(tmp_path / "out.pdf"))
    sim_ui.wait(lambda: "Could not save" in sim_ui.window.statusBar().currentMessage())
    assert "scan.jpg" in sim_ui.window.statusBar().currentMessage()
    assert not (tmp_path / "out.pdf").exists()
