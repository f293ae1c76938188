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


def _six_page_pdf(fixtures_dir: Path, target: Path) -> Path:
    from PIL import Image

    with Image.open(fixtures_dir / "journal_page_tables.jpg") as scan:
        page = scan.convert("RGB")
        page.save(target, "PDF", resolution=200.0, save_all=True, append_images=[page] * 5)
    return target


def _read(sim_ui: Ui, path: Path) -> None:
    drop_files(sim_ui, path)
    sim_ui.wait(lambda: len(current_entry(sim_ui).results) == 6, timeout=120)


def test_given_a_long_document_when_exported_then_the_notice_counts_pages_and_goes(
    sim_ui: Ui, fixtures_dir: Path, tmp_path: Path
) -> None:
    from desktop.ui.control.docexport import export_notice

    _read(sim_ui, _six_page_pdf(fixtures_dir, tmp_path / "long.pdf"))
    notice = export_notice(sim_ui.window)
    seen: list[int] = []
    notice.bar.valueChanged.connect(seen.append)
    target = tmp_path / "long.docx"
    sim_ui.controller.export_document("docx", str(target))
    sim_ui.wait(notice.isVisible)
    assert "long.docx" in notice.label.text() and notice.cancel_button.isEnabled()
    sim_ui.wait(lambda: "Saved" in sim_ui.window.statusBar().currentMessage())
    # THEN it counted the pages up to all six, and went away when the file was there
    assert seen[-1] == 6 and notice.bar.maximum() == 6 and sorted(set(seen)) == seen
    assert not notice.isVisible() and target.exists()


def test_given_an_export_when_cancel_is_pressed_then_nothing_is_written_and_it_says_so(
    sim_ui: Ui, fixtures_dir: Path, tmp_path: Path
) -> None:
    from desktop.ui.control.docexport import export_notice

    _read(sim_ui, _six_page_pdf(fixtures_dir, tmp_path / "long.pdf"))
    notice = export_notice(sim_ui.window)
    target = tmp_path / "long-searchable.pdf"
    sim_ui.controller.export_document("pdf", str(target))
    sim_ui.wait(notice.isVisible)
    notice.cancel_button.click()
    sim_ui.wait(lambda: "cancelled" in sim_ui.window.statusBar().currentMessage())
    assert not target.exists() and not notice.isVisible()
    assert not list(tmp_path.glob("long-searchable*"))  # no half-written temporary file
