"""Document exports: Markdown, the JSON contract, text, inert HTML, XLSX, CSV, atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop.core.document import Block, Document, Page, PageStatus
from desktop.core.exports import (
    atomic_write_bytes,
    atomic_write_text,
    document_to_html,
    document_to_json,
    document_to_markdown,
    document_to_text,
    formula_markdown,
    inert_markdown,
    sheet_title,
    write_csv,
    write_xlsx,
)
from desktop.core.parse import parse_layout
from desktop.core.resize import BoxMapping
from desktop.core.tables import parse_table_html
from tests.core.journal_output import JOURNAL_OUTPUT, MODEL_H, MODEL_W, ORIG_H, ORIG_W, TABLE_II


def _journal_document() -> Document:
    result = parse_layout(JOURNAL_OUTPUT, BoxMapping(ORIG_W, ORIG_H, MODEL_W, MODEL_H))
    page = Page(
        index=0,
        width=ORIG_W,
        height=ORIG_H,
        blocks=result.blocks,
        status=result.status,
        model_width=MODEL_W,
        model_height=MODEL_H,
    )
    return Document(source="journal_page_tables.jpg", pages=(page,))


def _small_document() -> Document:
    blocks = (
        Block("Page-header", (0, 0, 100, 10), "HEADER", 0),
        Block("Title", (0, 20, 100, 40), "# A title", 1),
        Block("Formula", (0, 50, 100, 60), "\\[ E = mc^2 \\]", 2),
        Block("Picture", (0, 70, 100, 90), None, 3),
        Block("Text", (0, 95, 100, 99), "Body <script>alert(1)</script> **bold**", 4),
        Block("Page-footer", (0, 100, 100, 110), "FOOTER", 5),
    )
    pages = (
        Page(0, 200, 300, blocks, PageStatus.PARTIAL, "The answer hit the token limit."),
        Page(1, 200, 300, (), PageStatus.OK, text="plain page two"),
    )
    return Document("x.pdf", pages)


def test_markdown_follows_upstream_rules() -> None:
    md = document_to_markdown(_small_document())
    assert md == (
        "HEADER\n\n# A title\n\n$$\nE = mc^2\n$$\n\n![Picture](page-1-block-4.png)\n\n"
        "Body &lt;script>alert(1)&lt;/script> **bold**\n\nFOOTER\n\nplain page two\n"
    )  # the model's raw HTML is shown as text, never live in a Markdown viewer


def test_markdown_without_header_footer_and_pictures() -> None:
    md = document_to_markdown(_small_document(), header_footer=False, pictures="omit")
    assert "HEADER" not in md and "FOOTER" not in md and "![Picture]" not in md
    assert md.startswith("# A title")


def test_formula_forms() -> None:
    assert formula_markdown("$$x$$") == "$$x$$"
    assert formula_markdown("\\[x+1\\]") == "$$\nx+1\n$$"
    assert formula_markdown("x") == "$$\nx\n$$"


def test_journal_markdown_has_clean_table_html() -> None:
    md = document_to_markdown(_journal_document())
    assert '<table><tr><th rowspan="2"></th><th rowspan="2">Controls</th>' in md
    assert md.count("<table>") == 2
    assert "<thead>" not in md  # rebuilt from the grid


def test_json_matches_the_cli_contract() -> None:
    payload = json.loads(document_to_json(_journal_document()))
    assert set(payload) == {"source", "pages"}
    assert payload["source"] == "journal_page_tables.jpg"
    (page,) = payload["pages"]
    assert page["index"] == 0 and (page["width"], page["height"]) == (1700, 2250)
    assert page["status"] == "ok"
    assert (page["model_width"], page["model_height"]) == (1708, 2240)
    first = page["blocks"][0]
    assert first == {
        "bbox": [661, 176, 1079, 200],
        "category": "Page-header",
        "text": "EXPOSURE TO MEAT AND RISK OF LYMPHOMA",
    }
    for block in page["blocks"]:
        assert set(block) <= {"bbox", "category", "text"}
        x1, y1, x2, y2 = block["bbox"]
        assert 0 <= x1 < x2 <= 1700 and 0 <= y1 < y2 <= 2250


def test_json_leaves_out_picture_text_and_reports_reasons() -> None:
    payload = json.loads(document_to_json(_small_document()))
    first, second = payload["pages"]
    assert first["status"] == "partial" and "token limit" in first["reason"]
    picture = next(b for b in first["blocks"] if b["category"] == "Picture")
    assert "text" not in picture
    assert second["text"] == "plain page two" and second["blocks"] == []


def test_text_export_strips_markdown_and_tabulates_tables() -> None:
    doc = _journal_document()
    text = document_to_text(doc)
    assert "\tControls\tHodgkin lymphoma" in text
    small = document_to_text(_small_document(), header_footer=False)
    assert small.startswith("A title\n\nE = mc^2")
    assert "\f" in small and "**" not in small


def test_html_export_is_inert() -> None:
    page = _small_document().pages[0]
    evil = Block(
        "Table",
        (0, 0, 10, 10),
        '<table><tr><td onclick="x()">1<script>bad()</script></td></tr></table><img src="http://evil/x.png">',
        6,
    )
    doc = Document("a<b>.png", (Page(0, 10, 10, (*page.blocks, evil)),))
    out = document_to_html(doc)
    lowered = out.lower()
    assert "<script" not in lowered and "onclick" not in lowered
    assert "http://" not in lowered and "<img" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<title>a&lt;b&gt;.png</title>" in out
    assert "default-src 'none'" in out


def test_markdown_export_loads_nothing_and_runs_nothing() -> None:
    """Model-written images and script links would go live in any Markdown viewer."""
    text = (
        "Logo ![tracker](http://evil.example/pixel.png) here.\n"
        "[click me](javascript:alert(1)) and [the site](https://example.org/a_(b))\n"
        "[local](file:///etc/passwd) [mail](mailto:a@b.c)\n"
        "[ref]: javascript:alert(2)\n"
        "[ok]: https://example.org"
    )
    doc = Document("d.png", (Page(0, 10, 10, (Block("Text", (0, 0, 9, 9), text, 0),)),))
    out = document_to_markdown(doc)
    assert "evil.example" not in out and "javascript:alert(1)" not in out
    assert "Logo tracker here." in out
    assert "click me and [the site](https://example.org/a_(b))" in out
    assert "local [mail](mailto:a@b.c)" in out and "file://" not in out
    assert "\\[ref]: javascript:alert(2)" in out  # shown as text, no longer a link target
    assert "[ok]: https://example.org" in out
    # The same rules in text-only pages (no blocks):
    plain = Document("d.png", (Page(0, 10, 10, (), text="![x](http://evil.example/p.png)"),))
    assert "evil.example" not in document_to_markdown(plain)


@pytest.mark.timeout(60)
def test_markdown_neutralising_is_linear_on_hostile_lines() -> None:
    """A looping model can write 100k brackets on one line: the export must not hang."""
    for hostile in ("[" * 300_000 + "](x", "![a](" * 60_000, "[a](" + "x " * 150_000):
        assert len(inert_markdown(hostile)) >= len(hostile) // 3


def test_xlsx_merged_cells_match_the_html_spans(tmp_path: Path) -> None:
    grid = parse_table_html(TABLE_II)
    path = tmp_path / "tables.xlsx"
    write_xlsx([("Journal p1 t1", grid), ("Journal p1 t1", grid)], path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Document", "Journal p1 t1", "Journal p1 t1 (2)"]
    sheet = workbook["Journal p1 t1"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    expected = set()
    for cell in grid.cells:
        if cell.rowspan > 1 or cell.colspan > 1:
            top_left = sheet.cell(cell.row + 1, cell.col + 1).coordinate
            bottom_right = sheet.cell(cell.row + cell.rowspan, cell.col + cell.colspan).coordinate
            expected.add(f"{top_left}:{bottom_right}")
    assert merged == expected == {"A1:A2", "B1:B2", "C1:E1", "F1:H1"}
    assert sheet["C1"].value == "Hodgkin lymphoma"
    # Numbers as printed: "2,273" a number shown with grouping, "1.00" keeps its decimals.
    assert (sheet["B3"].value, sheet["B3"].number_format) == (2273, "#,##0")
    assert sheet["C3"].value == 315
    assert (sheet["D3"].value, sheet["D3"].number_format) == (1.0, "0.00")
    assert sheet["F3"].value == "0.65–1.71" or sheet["E4"].value == "0.65–1.71"


def test_xlsx_never_turns_text_into_formulas(tmp_path: Path) -> None:
    grid = parse_table_html('<table><tr><td>=HYPERLINK("http://x")</td><td>007</td></tr></table>')
    path = tmp_path / "f.xlsx"
    write_xlsx([("s", grid)], path)
    sheet = load_workbook(path)["s"]
    assert sheet["A1"].data_type == "s"
    assert sheet["A1"].value == '=HYPERLINK("http://x")'
    assert sheet["B1"].value == "007"


def test_sheet_names_are_legal_and_unique() -> None:
    taken: set[str] = set()
    names = [sheet_title(n, taken) for n in ["a/b:c*?[d]", "x" * 40, "x" * 40, "'", "History"]]
    assert names[0] == "a_b_c___d_"
    assert names[1] == "x" * 31 and names[2] == "x" * 27 + " (2)"
    assert names[3] == "Table" and names[4] == "History (2)"
    assert all(len(n) <= 31 for n in names)


def test_csv_has_a_bom_for_excel(tmp_path: Path) -> None:
    grid = parse_table_html("<table><tr><td>Привет</td><td>a,b</td></tr></table>")
    path = tmp_path / "t.csv"
    write_csv(grid, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == 'Привет,"a,b"\r\n'


def test_atomic_write_replaces_whole_or_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.md"
    atomic_write_text(path, "old")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temp file's 0600

    def disk_on_fire(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_on_fire)
    with pytest.raises(OSError, match="No space"):
        atomic_write_bytes(path, b"new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]  # temp file removed
    monkeypatch.undo()
    atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new"
