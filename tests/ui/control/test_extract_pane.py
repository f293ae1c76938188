"""The Extract tab and the formula view against the vLLM simulator (DISPLAY=:97)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtGui import QGuiApplication

from desktop.engines.remote.server import ServerEngine
from tests.ui.conftest import Ui
from tests.ui.control.test_ocr_window import current_entry, drop_files

pytestmark = pytest.mark.gui

MOCR = "rednote-hilab/dots.mocr"


def extract_ui(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], **opts: Any
) -> tuple[Ui, Any]:
    opts.setdefault("model", MOCR)
    sim = vllm_sim(**opts)
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    return ui, sim


@pytest.fixture
def mocr(vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui]) -> tuple[Ui, Any]:
    ui, sim = extract_ui(vllm_sim, make_ui)
    return ui, sim


def open_and_read(ui: Ui, *paths: Path) -> None:
    before = set(ui.controller.entries)
    drop_files(ui, *paths)
    ui.wait(lambda: len(set(ui.controller.entries) - before) == len(paths))
    new = [ui.controller.entries[k] for k in set(ui.controller.entries) - before]
    ui.wait(lambda: all(e.results.get(0) for e in new))
    ui.wait(ui.window.page_view.has_page)


def run_extract(ui: Ui, every: bool = False) -> None:
    pane = ui.window.extract
    ui.window.tabs.setCurrentWidget(pane)
    (pane.run_all_button if every else pane.run_button).click()
    ui.wait(lambda: not ui.controller.extract.is_running())


def test_given_a_read_page_when_extracted_then_the_fields_fill_the_form(
    mocr: tuple[Ui, Any], fixtures_dir: Path
) -> None:
    ui, sim = mocr
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg")
    run_extract(ui)
    pane = ui.window.extract
    total = pane.field_edit("total")
    assert total is not None, pane.status.text()
    assert float(total.text()) > 0
    assert pane.field_edit("seller.name") is not None
    body = sim.stats.chat_requests[-1]
    assert body["response_format"]["json_schema"]["name"] == "invoice"
    prompt = body["messages"][0]["content"][1]["text"]
    page = current_entry(ui).results[0]
    title = next(b.text for b in page.blocks if b.category == "Title")
    assert title in prompt  # the page's OCR text went along
    assert pane.export_button.isEnabled()


def test_given_extracted_fields_when_one_is_located_then_its_box_is_marked_on_the_page(
    mocr: tuple[Ui, Any], fixtures_dir: Path
) -> None:
    ui, _ = mocr
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg")
    run_extract(ui)
    pane = ui.window.extract
    locate = pane.findChild(type(pane.cancel_button).__mro__[1], "locate:total")
    assert locate is not None and locate.isEnabled()
    locate.click()
    (box,) = ui.window.source_marks.boxes()
    entry = current_entry(ui)
    width, height = entry.results[0].width, entry.results[0].height
    x1, y1, x2, y2 = box
    assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
    # moving to another page or document clears the marks
    ui.window.documents.page_selected.emit(entry.key, 0)
    assert ui.window.source_marks.boxes() == []


def test_given_a_value_fixed_by_hand_when_exported_then_the_csv_has_it(
    mocr: tuple[Ui, Any], fixtures_dir: Path, tmp_path: Path
) -> None:
    ui, _ = mocr
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg")
    run_extract(ui)
    pane = ui.window.extract
    edit = pane.field_edit("invoice_number")
    assert edit is not None
    edit.setFocus()
    edit.selectAll()
    ui.qtbot.keyClicks(edit, "INV-0042")
    target = tmp_path / "rows.csv"
    pane.export_requested.emit(str(target))
    ui.wait(target.exists)
    rows = list(csv.reader(target.read_text("utf-8-sig").splitlines()))
    assert rows[0][0] == "file" and rows[1][0] == "journal_page_tables.jpg"
    assert rows[1][rows[0].index("invoice_number")] == "INV-0042"


def test_given_two_documents_when_all_are_extracted_then_the_workbook_has_two_rows(
    mocr: tuple[Ui, Any], fixtures_dir: Path, tmp_path: Path
) -> None:
    ui, _ = mocr
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg", fixtures_dir / "russian_page.png")
    run_extract(ui, every=True)
    pane = ui.window.extract
    assert pane.row_combo.count() == 2
    target = tmp_path / "rows.xlsx"
    pane.export_requested.emit(str(target))
    ui.wait(target.exists)
    sheet = load_workbook(target).active
    assert sheet is not None
    names = sorted(str(sheet.cell(row=r, column=1).value) for r in (2, 3))
    assert names == ["journal_page_tables.jpg", "russian_page.png"]
    header = [c.value for c in sheet[1]]
    assert isinstance(sheet.cell(row=2, column=header.index("total") + 1).value, int | float)


def test_given_dots_ocr_when_extracting_then_it_is_refused_with_the_fix(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], fixtures_dir: Path
) -> None:
    ui, sim = extract_ui(vllm_sim, make_ui, model="rednote-hilab/dots.ocr")
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg")
    before = sim.requests_total
    run_extract(ui)
    status = ui.window.extract.status.text()
    assert "Qwen3-VL" in status and "dots.mocr" in status
    assert sim.requests_total == before


def test_given_a_schema_that_is_not_json_when_extracting_then_one_sentence_and_no_request(
    mocr: tuple[Ui, Any], fixtures_dir: Path
) -> None:
    ui, sim = mocr
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg")
    before = sim.requests_total
    ui.window.extract.schema_edit.setPlainText('{"type": "object", "properties": ')
    assert ui.window.extract.template_combo.currentData() == ""  # now a custom schema
    run_extract(ui)
    assert "not valid JSON" in ui.window.extract.status.text()
    assert sim.requests_total == before


def test_given_a_slow_model_when_cancelled_then_the_pane_is_free_again(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], fixtures_dir: Path
) -> None:
    # The first token comes 30 s late (2 s by default): the cancel lands before it on a
    # busy machine too, and a cancel that does nothing is not the answer arriving.
    ui, sim = extract_ui(vllm_sim, make_ui, first_token_delay=30.0)
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg")
    sim.set_faults(["slow-first-token"])
    pane = ui.window.extract
    pane.run_button.click()
    ui.wait(pane.cancel_button.isEnabled)
    pane.cancel_button.click()
    ui.wait(lambda: not ui.controller.extract.is_running(), timeout=20)
    assert "cancelled" in pane.status.text()
    assert pane.run_button.isEnabled() and not pane.cancel_button.isEnabled()


def test_given_a_formula_block_when_clicked_then_it_is_drawn_and_copies_as_latex_and_mathml(
    mocr: tuple[Ui, Any], fixtures_dir: Path
) -> None:
    ui, _ = mocr
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg")
    ui.wait(lambda: ui.window.page_view.block_count() > 1)
    formula = ui.window.formula
    items = ui.window.page_view.block_items()
    item = next(i for i in items if i.block.category == "Formula")
    ui.window.page_view.block_clicked.emit(item.number)
    ui.wait(formula.is_rendered)
    assert formula.svg.width() > 20 and formula.svg.height() > 10
    formula.copy_latex.click()
    assert QGuiApplication.clipboard().text() == formula.latex()
    assert "\\frac" in formula.latex()
    formula.copy_mathml.click()
    assert QGuiApplication.clipboard().text().startswith("<math")
    # a block that is not a formula hides the view
    other = next(i for i in items if i.block.category == "Text")
    ui.window.page_view.block_clicked.emit(other.number)
    assert not formula.isVisible()
    # and another page never shows the last page's formula
    ui.window.page_view.block_clicked.emit(item.number)
    ui.wait(formula.is_rendered)
    ui.window.documents.page_selected.emit(current_entry(ui).key, 0)
    assert not formula.isVisible()


def test_given_latex_that_cannot_be_drawn_then_its_text_shows_with_a_note(qtbot: Any) -> None:
    from desktop.ui.widgets.formulaview import FormulaBox

    box = FormulaBox()
    qtbot.addWidget(box)
    box.show_latex("\\frac{1}{")
    qtbot.waitUntil(box.note.isVisible, timeout=10_000)
    assert not box.svg.isVisible()
    assert box.source.text() == "\\frac{1}{"
    # a formula drawn once is drawn again from the cache, at once
    box.show_latex("E = mc^2")
    qtbot.waitUntil(box.is_rendered, timeout=10_000)
    box.show_latex("\\frac{1}{")
    assert box.note.isVisible()
    box.show_latex("E = mc^2")
    assert box.is_rendered()


def test_the_shipped_templates_are_schemas(tmp_path: Path) -> None:
    from desktop.core.schemas import load_schema_file
    from desktop.ui.widgets.extractpane import TEMPLATES, template_path

    for template in TEMPLATES:
        schema = load_schema_file(template_path(template))
        assert schema.columns, template
        json.loads(template_path(template).read_text())


def test_given_a_schema_file_when_opened_then_it_is_in_the_editor_and_used(
    mocr: tuple[Ui, Any], fixtures_dir: Path, tmp_path: Path
) -> None:
    ui, sim = mocr
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg")
    path = tmp_path / "mine.json"
    mine = {"title": "mine", "type": "object", "properties": {"heading": {"type": "string"}}}
    path.write_text(json.dumps(mine))
    pane = ui.window.extract
    pane.schema_file_chosen.emit(str(tmp_path / "missing.json"))
    ui.wait(lambda: "cannot be read" in pane.status.text())
    pane.schema_file_chosen.emit(str(path))
    ui.wait(lambda: "heading" in pane.schema_text())
    run_extract(ui)
    assert sim.stats.chat_requests[-1]["response_format"]["json_schema"]["name"] == "mine"
    assert pane.field_edit("heading") is not None


def test_given_a_file_that_cannot_be_decoded_then_its_row_says_why_and_the_others_export(
    mocr: tuple[Ui, Any], fixtures_dir: Path, tmp_path: Path
) -> None:
    ui, _ = mocr
    open_and_read(ui, fixtures_dir / "journal_page_tables.jpg")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    drop_files(ui, broken)
    ui.wait(lambda: any(e.status() == "failed" for e in ui.controller.entries.values()))
    run_extract(ui, every=True)
    pane = ui.window.extract
    assert pane.row_combo.count() == 2
    pane.row_combo.setCurrentIndex(pane.row_combo.findText("broken.png"))
    assert pane.row_error.isVisible() and "broken.png" in pane.row_error.text()
    target = tmp_path / "rows.csv"
    pane.export_requested.emit(str(target))
    ui.wait(target.exists)
    rows = list(csv.reader(target.read_text("utf-8-sig").splitlines()))
    assert [r[0] for r in rows[1:]] == ["journal_page_tables.jpg"]
