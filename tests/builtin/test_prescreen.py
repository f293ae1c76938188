"""GIVEN a page in auto mode WHEN a quick look finds it in a script the bundled models lack
THEN it goes to Tesseract at once, without the full RapidOCR read that found nothing;
pages the models read (English, Chinese, the journal's tables) are read as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from desktop.core.document import Page, PageStatus
from desktop.core.pageimage import PageImage
from desktop.engines.base import RecognizeMode
from desktop.engines.builtin import engine as engine_module
from desktop.engines.builtin import installed_languages
from desktop.engines.builtin.ocr import RapidReader
from desktop.engines.builtin.prescreen import line_pieces, looks_foreign
from desktop.engines.builtin.scripts import tesseract_binary
from desktop.engines.builtin.tesseract import Osd
from tests.builtin.conftest import FIXTURES, ROOT, recognize_sync

pytestmark = pytest.mark.timeout(300)

ACCURACY = ROOT / "benchmarks" / "fixtures" / "accuracy"


def render(name: str) -> Image.Image:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(ACCURACY / f"{name}.pdf")
    try:
        return doc[0].render(scale=200 / 72).to_pil().convert("RGB")
    finally:
        doc.close()


PAGES: dict[str, Any] = {
    "russian newspaper scan": lambda: Image.open(FIXTURES / "russian_page.png"),
    "russian help page with latin options": lambda: render("ru"),
    "english help page": lambda: render("en"),
    "chinese messages page": lambda: render("zh"),
    "english journal page with tables": lambda: Image.open(FIXTURES / "journal_page_tables.jpg"),
}
FOREIGN = {"russian newspaper scan", "russian help page with latin options"}


@pytest.fixture(scope="module")
def need_tesseract_rus_eng() -> None:
    if tesseract_binary() is None:
        pytest.skip("tesseract is not installed (apt install tesseract-ocr tesseract-ocr-rus)")
    if not {"rus", "eng"} <= set(installed_languages()):
        pytest.skip("Tesseract lacks rus or eng (apt install tesseract-ocr-rus tesseract-ocr-eng)")


@pytest.mark.parametrize("name", list(PAGES))
def test_the_quick_look_tells_pages_the_models_cannot_read(reader: RapidReader, name: str) -> None:
    rgb = np.asarray(PAGES[name]().convert("RGB"))
    assert looks_foreign(rgb, reader.read_piece) is (name in FOREIGN)


def test_the_quick_look_leaves_the_reader_able_to_read_whole_pages(reader: RapidReader) -> None:
    # RapidOCR remembers the steps of its last call: the quick look runs without the
    # detector, and a whole-page read after it must still find the lines.
    rgb = np.asarray(render("en"))[:700]
    assert not looks_foreign(rgb, reader.read_piece)
    lines = reader.read(rgb)
    assert len(lines) > 5 and any("data directory" in ln.text for ln in lines)


def test_a_page_with_too_little_print_is_left_to_the_usual_read(reader: RapidReader) -> None:
    blank = np.full((1200, 900, 3), 255, np.uint8)
    assert line_pieces(blank[:, :, 0]) == []
    asked: list[np.ndarray] = []

    def pieces(crop: np.ndarray) -> str:
        asked.append(crop)
        return ""

    assert not looks_foreign(blank, pieces)
    one_line = blank.copy()
    one_line[500:530, 100:800] = 0  # a single bar: no letters to judge by
    assert not looks_foreign(one_line, pieces)
    assert asked == []  # nothing was sent to the recogniser


def _read(img: Image.Image, mode: RecognizeMode = RecognizeMode.TEXT) -> Page:
    return recognize_sync(PageImage("p.png", 0, img), mode).page


@pytest.fixture
def full_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many whole-page RapidOCR reads the engine made."""
    calls: list[int] = []
    original = RapidReader.read

    def spy(self: RapidReader, rgb: np.ndarray, **kw: Any) -> Any:
        calls.append(rgb.shape[0])
        return original(self, rgb, **kw)

    monkeypatch.setattr(RapidReader, "read", spy)
    return calls


def test_a_russian_page_goes_to_tesseract_without_a_rapidocr_read_first(
    need_builtin: None, need_tesseract_rus_eng: None, full_reads: list[int]
) -> None:
    page = _read(render("ru"))
    assert full_reads == []
    assert page.status is PageStatus.OK and page.reason == "read with Tesseract (rus+eng)"
    for phrase in ("Вы должны указать каталог", "--auth-host=МЕТОД", "PostgreSQL"):
        assert phrase in page.text


def test_a_wrong_quick_look_is_caught_by_script_detection_and_read_as_usual(
    need_builtin: None,
    need_tesseract_rus_eng: None,
    full_reads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    osd: list[str | None] = []
    original = engine_module.detect_osd

    def detect(rgb: np.ndarray, exe: str | None = None) -> Osd:
        said = original(rgb, exe)
        osd.append(said.script)
        return said

    monkeypatch.setattr(engine_module, "looks_foreign", lambda rgb, read: True)
    monkeypatch.setattr(engine_module, "detect_osd", detect)
    img = render("en")
    page = _read(img.crop((0, 0, img.width, 900)))
    assert osd == ["Latin"]
    assert len(full_reads) == 1  # read by the bundled models after all
    assert page.status is PageStatus.OK and page.reason == ""
    assert "If the data directory is not specified" in page.text


def test_without_the_russian_pack_the_page_is_read_as_before_and_says_what_to_install(
    need_builtin: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_reads: list[int]
) -> None:
    if tesseract_binary() is None:
        pytest.skip("tesseract is not installed: this case needs it present but without rus")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # a Tesseract with no packs
    img = render("ru")
    page = _read(img.crop((0, 0, img.width, 900)), RecognizeMode.LAYOUT)
    assert len(full_reads) == 1
    assert page.status is PageStatus.PARTIAL and "Cyrillic" in page.reason
