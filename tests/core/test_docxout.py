"""Word export: what python-docx reads back and what LibreOffice makes of the file.

GIVEN a page's results WHEN written as .docx THEN headings, lists, tables with their merges,
pictures and equations are Word's own, Russian survives, and hostile text loses nothing.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image, ImageStat

from desktop.core.document import Block, Document, Page, PageStatus
from desktop.core.docxout import docx_bytes, write_docx
from desktop.core.omml import M_NS
from tests.core._fixtures import JOURNAL
from tests.core.journal_output import ORIG_H, ORIG_W
from tests.core.test_pdfout import journal_document

_MERGED = (
    "<table><thead><tr><th rowspan=2>Регион</th><th colspan=2>2024</th></tr>"
    "<tr><th>Сумма</th><th>Доля</th></tr></thead>"
    "<tbody><tr><td>Москва</td><td>1 823,50</td><td>**12%**</td></tr></tbody></table>"
)
_FORMULA = r"\sum_{i=1}^{n} \frac{a_i}{\sqrt{b}} = \int_0^1 f(x)\,dx"


def _page(*blocks: Block, index: int = 0) -> Page:
    numbered = tuple(
        Block(b.category, b.bbox, b.text, index=i) for i, b in enumerate(blocks, start=1)
    )
    return Page(index=index, width=ORIG_W, height=ORIG_H, blocks=numbered)


def _open(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _sample() -> Document:
    page = _page(
        Block("Title", (10, 10, 900, 60), "# Отчёт о выручке"),
        Block("Section-header", (10, 70, 900, 100), "## Итоги года"),
        Block("Text", (10, 110, 900, 200), "Съешь же ещё этих **мягких** булок."),
        Block("List-item", (10, 210, 900, 240), "1. первый пункт"),
        Block("List-item", (10, 250, 900, 280), "- второй пункт"),
        Block("Table", (10, 300, 900, 600), _MERGED),
        Block("Caption", (10, 610, 900, 640), "Таблица 1. Выручка"),
        Block("Formula", (10, 650, 900, 700), f"$${_FORMULA}$$"),
        Block("Picture", (100, 100, 500, 400), None),
        Block("Footnote", (10, 2100, 900, 2150), "¹ Данные предварительные."),
    )
    return Document(str(JOURNAL), (page,))


def test_headings_lists_captions_and_russian_text_are_words_own() -> None:
    word = _open(docx_bytes(_sample()))
    styled = [(p.style.name if p.style else "", p.text) for p in word.paragraphs if p.text]
    assert ("Title", "Отчёт о выручке") in styled
    assert ("Heading 2", "Итоги года") in styled
    assert ("Normal", "Съешь же ещё этих мягких булок.") in styled
    assert ("List Number", "первый пункт") in styled
    assert ("List Bullet", "второй пункт") in styled
    assert ("Caption", "Таблица 1. Выручка") in styled
    bold = [r.text for p in word.paragraphs for r in p.runs if r.bold]
    assert "мягких" in bold
    # One font for Latin and Cyrillic, one for CJK, set on the Normal style
    rpr = word.styles["Normal"].element.rPr
    assert rpr.rFonts.get(qn("w:hAnsi")) and rpr.rFonts.get(qn("w:eastAsia"))
    # AND Word checks the spelling as Russian (the text is mostly Cyrillic)
    assert rpr.find(qn("w:lang")).get(qn("w:val")) == "ru-RU"


def test_a_table_keeps_its_merged_cells() -> None:
    word = _open(docx_bytes(_sample()))
    (table,) = word.tables
    xml = table._tbl.xml
    assert 'w:gridSpan w:val="2"' in xml  # "2024" over two columns
    assert '<w:vMerge w:val="restart"/>' in xml and "<w:vMerge/>" in xml  # "Регион" two rows
    assert table.cell(0, 0).text == table.cell(1, 0).text == "Регион"
    assert table.cell(0, 1).text == table.cell(0, 2).text == "2024"
    assert [c.text for c in table.rows[2].cells] == ["Москва", "1 823,50", "12%"]
    assert table.cell(0, 0).paragraphs[0].runs[0].bold


def test_the_formula_is_a_word_equation() -> None:
    word = _open(docx_bytes(_sample()))
    body = word.element.body
    (equation,) = body.iter(f"{{{M_NS}}}oMath")
    nary = equation.find(f"{{{M_NS}}}nary")
    assert nary is not None
    assert nary.find(f"{{{M_NS}}}naryPr/{{{M_NS}}}chr").get(f"{{{M_NS}}}val") == "∑"
    # the sum's operand is the fraction, whose denominator is a square root
    assert nary.find(f"{{{M_NS}}}e/{{{M_NS}}}f/{{{M_NS}}}den/{{{M_NS}}}rad") is not None


def test_unreadable_latex_is_kept_as_text_with_a_note_in_the_users_language() -> None:
    doc = Document(str(JOURNAL), (_page(Block("Formula", (1, 1, 9, 9), r"\frac{")),))
    word = _open(docx_bytes(doc, lang="ru"))
    texts = [p.text for p in word.paragraphs if p.text]
    assert texts[0] == r"\frac{"
    assert "LaTeX" in texts[1] and "формула" in texts[1]


def test_a_picture_is_cut_from_its_page() -> None:
    word = _open(docx_bytes(_sample()))
    (shape,) = word.inline_shapes
    blob = word.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    with Image.open(io.BytesIO(blob)) as img:
        assert img.size == (400, 300)
        original = Image.open(JOURNAL).convert("RGB").crop((100, 100, 500, 400))
        assert img.convert("RGB").tobytes() == original.tobytes()


def test_a_picture_whose_page_is_gone_gets_a_note_and_the_text_is_written(tmp_path: Path) -> None:
    doc = Document(
        str(tmp_path / "gone.jpg"),
        (_page(Block("Picture", (1, 1, 50, 50), None), Block("Text", (1, 60, 50, 90), "kept")),),
    )
    word = _open(docx_bytes(doc))
    texts = [p.text for p in word.paragraphs if p.text]
    assert "picture" in texts[0] and texts[1] == "kept"


def test_hostile_text_control_characters_empty_blocks_failed_pages() -> None:
    pages = (
        _page(
            Block("Text", (1, 1, 9, 9), "bell\x07 nul\x00 lone\ud800 end"),
            Block("Text", (1, 1, 9, 9), ""),
            Block("Table", (1, 1, 9, 9), "<table><tr><td colspan=99999>x\x01</td></tr>"),
            Block("Table", (1, 1, 9, 9), "not a table <td>"),
            Block("Section-header", (1, 1, 9, 9), "   "),
        ),
        Page(index=1, width=10, height=10, status=PageStatus.FAILED),
        Page(index=2, width=10, height=10, text="plain line one\nline two"),
    )
    word = _open(docx_bytes(Document(str(JOURNAL), pages)))
    texts = [p.text for p in word.paragraphs if p.text.strip()]
    assert texts[0] == "bell nul lone end"
    assert "not a table <td>" in texts
    assert texts[-2:] == ["plain line one", "line two"]
    (table,) = word.tables
    assert table.cell(0, 0).text == "x"


def test_libreoffice_opens_the_document(tmp_path: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("DOTS_REQUIRE_OFFICE") == "1":
            pytest.fail("DOTS_REQUIRE_OFFICE=1 but LibreOffice is not installed", pytrace=False)
        pytest.skip("LibreOffice is not installed")
    doc = journal_document()
    sample = _sample()
    both = Document(str(JOURNAL), (doc.pages[0], Page(1, ORIG_W, ORIG_H, sample.pages[0].blocks)))
    source = tmp_path / "report.docx"
    write_docx(both, source)
    profile = tmp_path / "profile"
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "txt"]
    done = subprocess.run(
        [*cmd, "--outdir", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = (tmp_path / "report.txt").read_text("utf-8-sig")
    assert "TABLE II" in text and "Отчёт о выручке" in text and "Москва" in text


def test_a_picture_on_a_pdf_page_is_rendered_from_its_region_only(tmp_path: Path) -> None:
    # GIVEN an image-only PDF page (1000x700 px at 100 DPI) with a black bar at 600..900, 100..160
    from tests.core.test_pdfout import _scanned_pdf

    scan = _scanned_pdf(tmp_path, frames=1)
    block = Block("Picture", (600, 100, 900, 160), None, index=1)
    doc = Document(str(scan), (Page(0, 1000, 700, blocks=(block,)),))
    word = _open(docx_bytes(doc, dpi=100))
    (shape,) = word.inline_shapes
    blob = word.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    # THEN the crop is the bar: its size, and dark all over
    with Image.open(io.BytesIO(blob)) as img:
        assert abs(img.width - 300) <= 2 and abs(img.height - 60) <= 2
        assert ImageStat.Stat(img.convert("L")).mean[0] < 30


class _Stop(Exception):
    pass


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_writer_reports_each_page_and_a_stop_from_its_callback_writes_nothing(
    tmp_path: Path, fmt: str
) -> None:
    from desktop.core.pdfout import write_searchable_pdf

    doc = journal_document()
    seen: list[tuple[int, int]] = []
    target = tmp_path / f"out.{fmt}"

    def write(progress: object) -> None:
        if fmt == "pdf":
            write_searchable_pdf(doc, target, progress=progress)  # type: ignore[arg-type]
        else:
            write_docx(doc, target, progress=progress)  # type: ignore[arg-type]

    write(lambda done, total: seen.append((done, total)))
    assert seen == [(1, 1)] and target.exists()
    target.unlink()

    def stop(done: int, total: int) -> None:
        raise _Stop

    with pytest.raises(_Stop):
        write(stop)
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


def test_a_table_block_keeps_its_caption_both_tables_and_the_text_around_them() -> None:
    markup = (
        "<p>Note before</p>"
        "<table><caption>Table 2. Costs</caption><tr><td>a1</td><td>a2</td></tr></table>"
        "<p>between</p>"
        "<table><tr><td>b1</td><td>b2</td></tr></table>"
        "<p>Source: survey</p>"
    )
    page = _page(Block("Table", (10, 10, 900, 600), markup))
    word = _open(docx_bytes(Document(str(JOURNAL), (page,))))
    texts = [p.text for p in word.paragraphs]
    assert [t for t in texts if t] == ["Note before", "Table 2. Costs", "between", "Source: survey"]
    assert [[c.text for c in t.rows[0].cells] for t in word.tables] == [["a1", "a2"], ["b1", "b2"]]
    captions = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Caption"
    ]
    assert captions == ["Table 2. Costs"]
