"""GIVEN the system's real Tesseract WHEN the built-in engine is asked for other languages
THEN it reads them, switches to it for Cyrillic pages, and says what to install when missing.

The Russian crop is the top of the right-hand column of tests/fixtures/russian_page.png
("Это поминовение усопших ведет свое начало со времен апостольских..."); the words below
were read off the crop by eye.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest
from PIL import Image

from desktop.cli import run
from desktop.core.document import Page, PageStatus
from desktop.core.pageimage import PageImage
from desktop.engines.base import PageDone, RecognizeMode
from desktop.engines.builtin import BuiltinEngine, BuiltinUnavailable, installed_languages
from desktop.engines.builtin.languages import install_command, os_family
from desktop.engines.builtin.scripts import tesseract_binary
from tests.builtin.conftest import FIXTURES, ROOT, assert_invoice_table, draw_invoice

pytestmark = pytest.mark.timeout(300)

#: Top of the right column: 14 lines of body text, about 830x410 px.
RUSSIAN_CROP = (1480, 770, 2310, 1180)
#: Words of the crop in reading order (hyphenated line ends joined).
RUSSIAN_WORDS = [
    "Это поминовение усопших",
    "апостольских",
    "Родительской субботы",
    "Божественные отцы",
    "Троицкой субботы",
    "апостола Петра",
    "Пятидесятницы",
    "Воскресшем Спасителе",
    "Иисуса Христа",
]


@pytest.fixture(scope="module")
def need_tesseract_rus() -> None:
    if tesseract_binary() is None:
        pytest.skip("tesseract is not installed (apt install tesseract-ocr tesseract-ocr-rus)")
    if "rus" not in installed_languages():
        pytest.skip("Tesseract has no rus.traineddata (apt install tesseract-ocr-rus)")


@pytest.fixture(scope="module")
def russian_crop() -> Image.Image:
    return Image.open(FIXTURES / "russian_page.png").convert("RGB").crop(RUSSIAN_CROP)


def read(img: Image.Image, mode: RecognizeMode = RecognizeMode.LAYOUT, **kw: str) -> Page:
    async def go() -> Page:
        engine = BuiltinEngine(**kw)  # type: ignore[arg-type]
        try:
            events = [ev async for ev in engine.recognize(PageImage("p.png", 0, img), mode)]
        finally:
            await engine.aclose()
        last = events[-1]
        assert isinstance(last, PageDone)
        return last.page

    return asyncio.run(go())


def expected_install(lang: str) -> str:
    return install_command(lang, with_tesseract=False, family=os_family()).split()[-1]


def assert_in_order(text: str, phrases: list[str]) -> None:
    positions = [text.find(p) for p in phrases]
    assert all(p >= 0 for p in positions), dict(zip(phrases, positions, strict=True))
    assert positions == sorted(positions)


def test_russian_language_reads_cyrillic_words_in_order(
    need_tesseract_rus: None, russian_crop: Image.Image
) -> None:
    page = read(russian_crop, languages="rus")
    assert page.status is PageStatus.OK and page.reason == ""
    text = "\n".join(b.text or "" for b in page.blocks)
    assert_in_order(text, RUSSIAN_WORDS)
    x0, y0, x1, y1 = page.blocks[0].bbox
    assert 0 <= x0 < x1 <= russian_crop.width and 0 <= y0 < y1 <= russian_crop.height


def test_auto_switches_a_cyrillic_page_to_tesseract_and_says_so(
    need_tesseract_rus: None, need_builtin: None, russian_crop: Image.Image
) -> None:
    page = read(russian_crop, RecognizeMode.TEXT, languages="auto")
    assert page.status is PageStatus.OK
    assert page.reason == "read with Tesseract (rus+eng)"
    assert_in_order(page.text, RUSSIAN_WORDS)


def test_auto_without_the_language_pack_is_partial_and_names_the_package(
    need_builtin: None,
    russian_crop: Image.Image,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if tesseract_binary() is None:
        pytest.skip("tesseract is not installed: this case needs it present but without rus")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # a Tesseract with no packs
    page = read(russian_crop, languages="auto")
    assert page.status is PageStatus.PARTIAL
    assert "Cyrillic" in page.reason and expected_install("rus") in page.reason
    assert page.reason.count(". ") == 0  # one sentence
    assert page.blocks  # the look-alike text is still there to inspect


def test_a_language_that_is_not_installed_names_its_package(need_tesseract_rus: None) -> None:
    if "deu" in installed_languages():
        pytest.skip("German is installed here; the case needs a missing pack")
    engine = BuiltinEngine(languages="deu")
    with pytest.raises(BuiltinUnavailable, match="no language pack for deu") as info:
        asyncio.run(engine.ensure_ready())
    asyncio.run(engine.aclose())
    if os_family() == "debian":
        assert "sudo apt install tesseract-ocr-deu" in str(info.value)
    assert expected_install("deu") in str(info.value)


def test_tesseract_puts_invoice_cells_in_their_row_and_column(need_tesseract_rus: None) -> None:
    page = read(draw_invoice(), languages="eng", backend="tesseract")
    assert page.status is PageStatus.OK
    assert_invoice_table(page)
    texts = [b.text for b in page.blocks if not b.is_table]
    assert texts == ["INVOICE 2041", "Bill to: Harbour Books Ltd", "Payment due within 30 days."]


def test_cli_lang_rus_prints_cyrillic(
    need_tesseract_rus: None,
    russian_crop: Image.Image,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    crop = tmp_path / "crop.png"
    russian_crop.save(crop)
    code = run(["ocr", str(crop), "--engine", "builtin", "--lang", "rus", "--format", "txt"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert_in_order(out, RUSSIAN_WORDS[:5])
    assert "page 1/1 ok" in err


def test_cli_lang_with_the_server_engine_is_ignored_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    img = tmp_path / "blank.png"
    Image.new("RGB", (40, 40), "white").save(img)
    code = run(["ocr", str(img), "--endpoint", "http://127.0.0.1:9", "--lang", "rus"])
    _, err = capsys.readouterr()
    assert code == 1  # nothing answers there; the note comes first
    assert err.splitlines()[0] == (
        "Note: --lang rus is ignored: it applies to --engine builtin only."
    )


def test_cli_rejects_a_malformed_lang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    img = tmp_path / "blank.png"
    Image.new("RGB", (40, 40), "white").save(img)
    code = run(["ocr", str(img), "--engine", "builtin", "--lang", "rus eng"])
    _, err = capsys.readouterr()
    assert code == 2 and "--lang" in err


def test_auto_grounding_on_a_cyrillic_region_reads_it_with_tesseract(
    need_tesseract_rus: None, need_builtin: None, russian_crop: Image.Image
) -> None:
    async def go() -> Page:
        engine = BuiltinEngine()
        try:
            page = PageImage("p.png", 0, russian_crop)
            region = (0, 0, russian_crop.width, 120)  # the first three lines
            events = [ev async for ev in engine.recognize(page, RecognizeMode.GROUNDING, region)]
        finally:
            await engine.aclose()
        last = events[-1]
        assert isinstance(last, PageDone)
        return last.page

    page = asyncio.run(go())
    assert page.reason == "read with Tesseract (rus+eng)"
    assert_in_order(page.text, RUSSIAN_WORDS[:4])


def test_auto_reads_latin_words_inside_russian_text_as_latin(
    need_tesseract_rus: None, need_builtin: None
) -> None:
    # The top of the benchmark's Russian page (PostgreSQL's Russian help, typeset by
    # LibreOffice): with "rus" alone the address and option names came out in Cyrillic
    # look-alikes; auto mode reads such pages with rus+eng.
    if "eng" not in installed_languages():
        pytest.skip("Tesseract has no eng.traineddata")
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(ROOT / "benchmarks" / "fixtures" / "accuracy" / "ru.pdf")
    img = doc[0].render(scale=200 / 72).to_pil().convert("RGB")
    doc.close()
    page = read(img.crop((0, 0, img.width, 640)), RecognizeMode.TEXT, languages="auto")
    assert page.reason == "read with Tesseract (rus+eng)"
    assert_in_order(
        page.text,
        [
            "Вы должны указать каталог",
            "переменную окружения PGDATA",
            "<pgsql-bugs@lists.postgresql.org>",
            "PostgreSQL: <https://www.postgresql.org/>",
            "--auth-host=МЕТОД",  # Latin, then Cyrillic: cut at the "=" (mixedwords.py)
            "для локальных",
        ],
    )


def test_auto_reads_russian_newspaper_columns_one_after_another(
    need_tesseract_rus: None, need_builtin: None
) -> None:
    # Four narrow columns (x ~ 10, 330, 660, 990 in the crop): row-by-row reading would
    # switch column at almost every block.
    img = Image.open(FIXTURES / "russian_page.png").convert("RGB").crop((150, 690, 1480, 1700))
    page = read(img, languages="auto")
    assert page.status is PageStatus.OK and page.reason.startswith("read with Tesseract (rus")
    columns = [sum(b.bbox[0] + b.bbox[2] > 2 * x for x in (320, 655, 985)) for b in page.blocks]
    switches = sum(a != b for a, b in itertools.pairwise(columns))
    assert len(page.blocks) > 12
    assert switches <= 6, columns
