"""Fast checks of the built-in engine's parts, without running the OCR models."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop.core.tables import parse_table_html
from desktop.engines.base import RecognizeMode
from desktop.engines.builtin import BuiltinEngine, BuiltinUnavailable, builtin_available
from desktop.engines.builtin.languages import (
    OsFamily,
    install_command,
    language_choices,
    os_family,
    resolve,
)
from desktop.engines.builtin.layout import build_blocks
from desktop.engines.builtin.ocr import OcrLine, even_words
from desktop.engines.builtin.scripts import garbled_ratio, unsupported_script_message
from desktop.engines.builtin.tables import Cell, cells_to_html, find_grid_tables, find_rules
from desktop.engines.builtin.tesseract import TesseractReader, parse_tsv

LAYOUT = RecognizeMode.LAYOUT


def line(x0: int, y0: int, x1: int, y1: int, text: str) -> OcrLine:
    box = (x0, y0, x1, y1)
    return OcrLine(box, text, 0.99, even_words(text, box))


def two_column_page() -> list[OcrLine]:
    """A heading across the page, then two columns of six body lines each."""
    lines = [line(300, 100, 1300, 160, "A Heading Across Both Columns")]
    for i in range(6):
        y = 250 + i * 40
        lines.append(line(100, y, 780, y + 30, f"left column line number {i} of the body text"))
        lines.append(line(840, y, 1520, y + 30, f"right column line number {i} of the body text"))
    return lines


def test_two_columns_read_column_by_column_after_the_heading() -> None:
    blocks = build_blocks(two_column_page(), [], 1600, 2200)
    texts = [b.text or "" for b in blocks]
    assert texts[0] == "A Heading Across Both Columns"
    assert blocks[0].category in {"Title", "Section-header"}
    assert texts[1].startswith("left column line number 0")
    assert "left column line number 5" in texts[1]
    assert texts[2].startswith("right column line number 0")
    assert len(blocks) == 3


def test_indent_starts_a_new_paragraph_and_hyphenated_words_join() -> None:
    lines = [
        line(100, 100, 900, 130, "The first paragraph runs on and its last word is hy-"),
        line(100, 135, 600, 165, "phenated across lines."),
        line(140, 170, 900, 200, "An indented line starts the second paragraph of the"),
        line(100, 205, 900, 235, "column and keeps going to the right margin as usual"),
    ]
    blocks = build_blocks(lines, [], 1000, 1400)
    assert [b.text for b in blocks] == [
        "The first paragraph runs on and its last word is hyphenated across lines.",
        "An indented line starts the second paragraph of the column and keeps going to the "
        "right margin as usual",
    ]


def test_short_lines_in_the_margins_are_page_header_and_footer() -> None:
    lines = [
        line(100, 30, 500, 60, "Journal of Tests 12"),
        line(100, 400, 900, 430, "Body text of the page sits here in the middle of it"),
        line(700, 1340, 760, 1370, "17"),
    ]
    cats = [b.category for b in build_blocks(lines, [], 1000, 1400)]
    assert cats == ["Page-header", "Text", "Page-footer"]


def test_layout_only_blocks_have_no_text() -> None:
    blocks = build_blocks(two_column_page(), [], 1600, 2200, with_text=False)
    assert blocks and all(b.text is None for b in blocks)


def test_table_html_keeps_spans_and_fills_holes() -> None:
    cells = [Cell(0, 0, 2, 1, "a"), Cell(0, 1, 1, 2, "b & c"), Cell(1, 2, 1, 1, "d")]
    markup = cells_to_html(2, 3, cells)
    assert markup.startswith('<table><tr><td rowspan="2">a</td><td colspan="2">b &amp; c')
    grid = parse_table_html(markup)
    assert grid.as_matrix() == [["a", "b & c", ""], ["", "", "d"]]


def test_grid_rules_become_cells_with_a_merged_cell() -> None:
    img = np.full((400, 700, 3), 255, np.uint8)
    for y in (50, 150, 250, 350):  # 3 px rules, like a scanned table's
        img[y - 1 : y + 2, 49:652] = 0
    for x in (50, 650):
        img[49:352, x - 1 : x + 2] = 0
    img[49:252, 349:352] = 0  # the bottom row is one merged cell
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    hr, vr, hm, vm = find_rules(gray)
    words = [line(80, 80, 200, 120, "north"), line(380, 180, 500, 220, "east")]
    words.append(line(280, 280, 420, 320, "bottom"))
    (table,) = find_grid_tables(hr, vr, hm, vm, words)
    grid = parse_table_html(table.html)
    assert (grid.rows, grid.cols) == (3, 2)
    assert grid.as_matrix() == [["north", ""], ["", "east"], ["bottom", ""]]
    bottom = grid.cell_at(2, 0)
    assert bottom is not None and bottom.colspan == 2


def test_cyrillic_read_as_latin_lookalikes_is_reported_with_a_tesseract_hint() -> None:
    # What the bundled models make of a Russian newspaper (their actual output).
    garbled = [
        "BceMbIOKa3anNCb3TONBeCHONBHOBONAnAce6AcHTy-",
        "Xouy o6paTrTbBHHMa-",
        "HO MOXKeT BO3HIKHyTb BOI-",
        "TOHOMHHOBeHHeyCOXBeeT CBOeHayaAO CO Bpe-",
        "K ce6e BHMMaHHA",
        "6AeMbI,eCAH B ceMbe eCTh",
        "TOeBpeMHcOXpaHrrCH MHp.",
        "coBePWaIoTcAoco6ble3aynoKoMHble6orocnyxeHNA,",
        "KanyxcKniuBopoBcKni",
        "nPNBbIKnn?HnKTO3TorOHe3HaeT.",
        "BUePKOBHOM yCTaBeeCTb AHn.KOrAa B XPaMaX",
    ]
    english = [
        "In the analyses stratified by lymphoma type, whose results are",
        "reported in Table IV, an increased risk among workers exposed to",
        "beef meat was mainly apparent for diffuse large B-cell lymphoma",
        "no effect or small nonsignificant increases in lymphoma risk.",
    ]
    assert garbled_ratio(garbled) > 0.5
    assert garbled_ratio(english) < 0.1
    message = unsupported_script_message(garbled, min_words=5, family="debian")
    assert message is not None and "tesseract-ocr-rus" in str(message)
    assert unsupported_script_message(english, min_words=5) is None


def test_tesseract_tsv_becomes_lines_with_words() -> None:
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "5\t1\t1\t1\t1\t1\t10\t20\t50\t18\t91.5\tПривет\n"
        "5\t1\t1\t1\t1\t2\t70\t21\t40\t17\t88\tмир\n"
        "5\t1\t1\t1\t2\t1\t10\t50\t30\t18\t-1\t \n"
    )
    (only,) = parse_tsv(tsv)
    assert only.text == "Привет мир"
    assert only.bbox == (10, 20, 110, 38)
    assert [w.x0 for w in only.words] == [10, 70]


def test_tesseract_runs_as_an_argument_list(tmp_path: Path) -> None:
    fake = tmp_path / "tesseract"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "sys.stdin.buffer.read()\n"
        "assert sys.argv[1:] == ['stdin', 'stdout', '-l', 'rus', '--psm', '3', 'tsv'], sys.argv\n"
        "print('level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext')\n"
        "print('5\\t1\\t1\\t1\\t1\\t1\\t3\\t4\\t20\\t10\\t90\\tДа')\n",
        encoding="utf-8",
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    reader = TesseractReader("rus", binary=str(fake))
    (only,) = reader.read(np.full((40, 60, 3), 255, np.uint8))
    assert only.text == "Да"


def test_tesseract_backend_without_tesseract_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", os.devnull)
    engine = BuiltinEngine(languages="rus")
    with pytest.raises(BuiltinUnavailable, match="Tesseract is not installed") as info:
        asyncio.run(engine.ensure_ready())
    asyncio.run(engine.aclose())
    assert install_command("rus", with_tesseract=True) in str(info.value)


def test_auto_page_in_cyrillic_without_tesseract_is_partial_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", os.devnull)
    engine = BuiltinEngine()
    analysis, reason, turns = engine._reread_foreign(np.full((20, 20, 3), 255, np.uint8), LAYOUT)
    asyncio.run(engine.aclose())
    assert analysis is None and turns == 0
    assert str(reason).startswith("This page looks like Cyrillic text (such as Russian)")
    assert install_command("rus", with_tesseract=True) in str(reason)


@pytest.mark.parametrize(
    ("family", "with_tesseract", "command"),
    [
        ("debian", False, "sudo apt install tesseract-ocr-rus"),
        ("debian", True, "sudo apt install tesseract-ocr tesseract-ocr-rus"),
        ("fedora", False, "sudo dnf install tesseract-langpack-rus"),
        ("arch", False, "sudo pacman -S tesseract-data-rus"),
        ("macos", False, "brew install tesseract-lang"),
        ("macos", True, "brew install tesseract tesseract-lang"),
    ],
)
def test_install_command_names_the_package_for_each_system(
    family: OsFamily, with_tesseract: bool, command: str
) -> None:
    assert install_command("rus", with_tesseract=with_tesseract, family=family) == command


def test_windows_install_hint_names_the_installer_and_the_traineddata() -> None:
    hint = install_command("rus", with_tesseract=True, family="windows")
    assert "UB Mannheim" in hint and "rus.traineddata" in hint
    assert install_command("chi_sim", with_tesseract=False, family="debian").endswith(
        "tesseract-ocr-chi-sim"
    )


def test_os_family_from_os_release() -> None:
    assert os_family("linux", 'ID=ubuntu\nID_LIKE="debian"\n') == "debian"
    assert os_family("linux", "ID=fedora\n") == "fedora"
    assert os_family("linux", 'ID="rocky"\nID_LIKE="rhel centos fedora"\n') == "fedora"
    assert os_family("linux", "ID=arch\n") == "arch"
    assert os_family("linux", "ID=gentoo\n") == "linux"
    assert os_family("darwin") == "macos" and os_family("win32") == "windows"


def test_languages_pick_the_backend() -> None:
    assert resolve("auto") == ("rapidocr", "eng")
    assert resolve("en") == ("rapidocr", "eng")
    assert resolve("rus") == ("tesseract", "rus")
    assert resolve("rus+eng") == ("tesseract", "rus+eng")
    assert resolve("rus,en") == ("tesseract", "rus+eng")


def test_language_choices_list_auto_then_installed_packs_by_name() -> None:
    choices = language_choices(["rus", "osd", "eng", "xyz"])
    assert [c.code for c in choices] == ["auto", "eng", "rus", "xyz"]
    assert choices[0].backend == "rapidocr"
    assert choices[2].label == "Russian (Tesseract)" and choices[2].backend == "tesseract"


def test_builtin_is_available_here() -> None:
    assert builtin_available() is None


def test_forcing_the_bundled_models_onto_russian_points_to_tesseract() -> None:
    engine = BuiltinEngine(languages="rus", backend="rapidocr")
    with pytest.raises(BuiltinUnavailable, match="Tesseract reads other languages"):
        asyncio.run(engine.ensure_ready())
    asyncio.run(engine.aclose())


def test_no_spaces_are_invented_inside_chinese_or_numbers() -> None:
    from desktop.engines.builtin.ocr import spaced_words

    # Glyph-like ink blobs 10 px apart, with a 40 px (word-sized) gap after the 2nd
    # character of each run: Latin letters split there, Chinese and numbers do not.
    def words_of(text: str) -> list[str]:
        gray = np.full((40, 600), 255, np.uint8)
        boxes, x = [], 10
        for i, _ in enumerate(text):
            boxes.append((float(x), float(x + 30)))
            gray[8:32, x : x + 30] = 0
            x += 30 + (40 if i == 1 else 10)
        return [w.text for w in spaced_words(list(text), boxes, (0, 0, 600, 40), gray)]

    assert words_of("abcdef") == ["ab", "cdef"]
    assert words_of("開學典禮") == ["開學典禮"]
    assert words_of("12.50") == ["12.50"]
