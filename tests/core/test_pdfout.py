"""Searchable PDF: what pdftotext (poppler, another reader than the one that wrote it) finds.

GIVEN results of real and drawn pages WHEN written as PDF THEN the words sit in their
blocks, read in order, copy back exactly (Cyrillic, CJK, beyond the BMP), the scan keeps
its pixels and a PDF keeps its pages.
"""

from __future__ import annotations

import html
import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw

from desktop.core.document import Block, Document, Page, PageStatus
from desktop.core.images import iter_pages
from desktop.core.messages import Code
from desktop.core.parse import parse_layout
from desktop.core.pdfout import SourceUnreadable, write_searchable_pdf
from desktop.core.resize import BoxMapping
from tests.core._fixtures import JOURNAL, REPORT_PDF
from tests.core.journal_output import JOURNAL_OUTPUT, MODEL_H, MODEL_W, ORIG_H, ORIG_W

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
Box = tuple[float, float, float, float]


def pdf_words(path: Path) -> list[list[tuple[Box, str]]]:
    """Per page: (box in points from the visible top left, word), as poppler reads them."""
    out = subprocess.run(
        ["pdftotext", "-cropbox", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = []
    for chunk in out.split("<page ")[1:]:
        words = []
        for m in _WORD.finditer(chunk):
            box = (float(m[1]), float(m[2]), float(m[3]), float(m[4]))
            words.append((box, html.unescape(m[5])))
        pages.append(words)
    return pages


def pdf_text(path: Path, *extra: str) -> str:
    return subprocess.run(
        ["pdftotext", *extra, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def journal_document(source: Path = JOURNAL) -> Document:
    result = parse_layout(JOURNAL_OUTPUT, BoxMapping(ORIG_W, ORIG_H, MODEL_W, MODEL_H))
    page = Page(index=0, width=ORIG_W, height=ORIG_H, blocks=result.blocks)
    return Document(source=str(source), pages=(page,))


def _inside(box: Box, block: Box, slack: float = 1.0) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return block[0] - slack <= cx <= block[2] + slack and block[1] - slack <= cy <= block[3] + slack


def _block_points(block: Block, scale: float) -> Box:
    x1, y1, x2, y2 = block.bbox
    return (x1 * scale, y1 * scale, x2 * scale, y2 * scale)


def test_a_scanned_jpeg_keeps_its_bytes_and_every_word_lies_in_its_block(tmp_path: Path) -> None:
    # GIVEN the journal scan (a JPEG without a resolution: sized at 300 DPI) and its results
    doc = journal_document()
    target = tmp_path / "journal.pdf"
    write_searchable_pdf(doc, target)
    # THEN the page's picture is the JPEG file itself, at its full 1700x2250 pixels
    with pikepdf.open(target) as pdf:
        assert len(pdf.pages) == 1
        (image,) = pdf.pages[0].get_images().values()
        assert (image.Width, image.Height) == (1700, 2250)
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.read_raw_bytes() == JOURNAL.read_bytes()
        assert float(pdf.pages[0].mediabox[2]) == pytest.approx(1700 * 72 / 300)
    # AND every word poppler finds sits inside the box of a block that says it
    scale = 72 / 300
    (words,) = pdf_words(target)
    assert len(words) > 300
    for box, word in words:
        owners = [
            b for b in doc.pages[0].blocks if _inside(box, _block_points(b, scale)) and b.text
        ]
        assert owners, f"{word!r} at {box} is in no block"
    # AND a paragraph block's own region gives back exactly that paragraph's words
    para = max(doc.pages[0].blocks, key=lambda b: len(b.text or "") if b.category == "Text" else 0)
    x1, y1, x2, y2 = _block_points(para, scale)
    left, top = math.floor(x1), math.floor(y1)
    width, height = math.ceil(x2) - left + 1, math.ceil(y2) - top + 1
    region = pdf_text(target, "-x", str(left), "-y", str(top), "-W", str(width), "-H", str(height))
    assert region.split() == (para.text or "").split()


def test_reading_order_follows_the_blocks(tmp_path: Path) -> None:
    doc = journal_document()
    target = tmp_path / "journal.pdf"
    write_searchable_pdf(doc, target)
    # -raw: the text in the order it was written, which is the blocks' reading order
    raw = " ".join(pdf_text(target, "-raw").split())
    firsts = [
        " ".join((b.text or "").split()[:4])
        for b in doc.pages[0].blocks
        if b.category in ("Text", "Title", "Caption", "Page-header") and b.text
    ]
    positions = [raw.find(f) for f in firsts]
    assert -1 not in positions
    assert positions == sorted(positions)


def _drawn_page(path: Path, size: tuple[int, int] = (1000, 700), dpi: int = 100) -> None:
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).rectangle((600, 100, 900, 160), fill="black")
    img.save(path, dpi=(dpi, dpi))


def test_cyrillic_cjk_and_characters_beyond_the_bmp_copy_back_exactly(tmp_path: Path) -> None:
    # GIVEN a PNG page (saved at 100 DPI) with Russian, Chinese and a non-BMP character
    source = tmp_path / "page.png"
    _drawn_page(source)
    texts = ["Съешь же ещё этих мягких французских булок", "学习汉语很有意思", "𝔸 ≥ 16 😀"]
    blocks = tuple(
        Block("Text", (50, 50 + 150 * i, 950, 150 + 150 * i), t, index=i)
        for i, t in enumerate(texts)
    )
    doc = Document(str(source), (Page(0, 1000, 700, blocks=blocks),))
    target = tmp_path / "page.pdf"
    write_searchable_pdf(doc, target)
    # THEN each line copies back as written, in order
    assert pdf_text(target, "-raw").split() == " ".join(texts).split()
    # AND the plain PNG's pixels are in the PDF unchanged, the page 10 x 7 inches
    with pikepdf.open(target) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert isinstance(image, pikepdf.Stream)
        shown = pikepdf.PdfImage(image).as_pil_image().convert("RGB")
        assert np.array_equal(np.asarray(shown), np.asarray(Image.open(source).convert("RGB")))
        assert [float(v) for v in pdf.pages[0].mediabox] == [0, 0, 720, 504]


def _scanned_pdf(tmp_path: Path, frames: int = 2) -> Path:
    """An image-only PDF of ``frames`` pages, made by the writer from failed results."""
    tiff = tmp_path / "scan.tif"
    first = Image.new("RGB", (1000, 700), "white")
    ImageDraw.Draw(first).rectangle((600, 100, 900, 160), fill="black")
    first.save(tiff, save_all=True, append_images=[first.copy()] * (frames - 1), dpi=(100, 100))
    failed = tuple(Page(i, 1000, 700, status=PageStatus.FAILED) for i in range(frames))
    target = tmp_path / "scan.pdf"
    write_searchable_pdf(Document(str(tiff), failed), target)
    return target


def test_a_failed_page_stays_as_image_only_and_a_two_page_pdf_stays_two_pages(
    tmp_path: Path,
) -> None:
    scan = _scanned_pdf(tmp_path)
    # GIVEN the failed pages: images, no text layer, no font
    assert pdf_text(scan).strip() == ""
    with pikepdf.open(scan) as pdf:
        assert len(pdf.pages) == 2
        assert "/Font" not in pdf.pages[0].Resources
    # WHEN page 1 is read and page 2 failed
    block = Block("Text", (600, 100, 900, 160), "MARKWORD")
    doc = Document(
        str(scan),
        (Page(0, 1000, 700, blocks=(block,)), Page(1, 1000, 700, status=PageStatus.FAILED)),
    )
    out = tmp_path / "out.pdf"
    write_searchable_pdf(doc, out)
    # THEN both pages are there, page 1 searchable where the mark is, page 2 still image only
    pages = pdf_words(out)
    assert len(pages) == 2
    ((box, word),) = pages[0]
    assert word == "MARKWORD"
    assert box == pytest.approx((432, 72, 648, 115.2), abs=1.0)
    assert pages[1] == []


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_rotated_pages_with_offset_boxes_put_the_text_over_what_was_read(
    tmp_path: Path, rotate: int
) -> None:
    # GIVEN a scanned page turned by /Rotate, its MediaBox and a smaller CropBox off the origin
    scan = _scanned_pdf(tmp_path, frames=1)
    with pikepdf.open(scan, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        page.obj.MediaBox = [-50, 20, 670, 544]
        page.obj.CropBox = [-20, 40, 600, 500]
        page.obj.Contents = pikepdf.Stream(pdf, b"q 720 0 0 504 -50 20 cm /Scan Do Q")
        page.obj.Rotate = rotate
        pdf.save(scan)
    # WHEN the page is read as the app reads it (rendered at 100 DPI) and a block is found
    # where the black bar shows
    image = next(iter_pages(scan, dpi=100))
    ys, xs = np.nonzero(np.asarray(image.image.convert("L")) < 100)
    bar = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    page_result = Page(0, image.width, image.height, blocks=(Block("Text", bar, "MARKWORD"),))
    out = tmp_path / "out.pdf"
    write_searchable_pdf(Document(str(scan), (page_result,)), out)
    # THEN poppler finds the word's letters inside the bar, in the page as shown
    (words,) = pdf_words(out)
    assert "".join(w for _, w in words) == "MARKWORD"
    bar_pt = tuple(v * 72 / 100 for v in bar)
    for box, _word in words:
        assert _inside(box, bar_pt, slack=2.0)  # type: ignore[arg-type]


def test_a_pdf_with_its_own_text_is_kept_as_it_was(tmp_path: Path) -> None:
    # GIVEN a born-digital 2-page PDF and results for both pages
    pages = tuple(
        Page(i, 2339, 3308, blocks=(Block("Text", (0, 0, 500, 100), "ZZZQX"),)) for i in (0, 1)
    )
    out = tmp_path / "report.pdf"
    write_searchable_pdf(Document(str(REPORT_PDF), pages), out)
    # THEN no second layer is laid over its text, and it keeps both pages
    assert "ZZZQX" not in pdf_text(out)
    assert pdf_text(out) == pdf_text(REPORT_PDF)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2


def test_hostile_blocks_boxes_off_the_page_empty_text_and_huge_text(tmp_path: Path) -> None:
    source = tmp_path / "page.png"
    _drawn_page(source)
    blocks = (
        Block("Text", (-500, -500, -10, -10), "OFFPAGE", index=0),  # wholly outside
        Block("Text", (900, 600, 5000, 650), "CLIPPED", index=1),  # partly outside
        Block("Text", (10, 10, 10, 10), "ZEROAREA", index=2),  # no area
        Block("Text", (10, 10, 500, 50), "", index=3),
        Block("Picture", (10, 10, 500, 50), None, index=4),
        Block("Text", (500, 10, 300, 50), "REVERSED", index=5),  # x2 < x1
        Block("Text", (50, 200, 950, 600), "word " * 8000, index=6),
        Block("Table", (50, 50, 60, 60), "<table><tr><td colspan=9999>X</td></tr>", index=7),
        Block("Text", (50, 60, 400, 90), "ctl\x00\x07\ud800 end", index=8),
    )
    doc = Document(str(source), (Page(0, 1000, 700, blocks=blocks),))
    out = tmp_path / "page.pdf"
    write_searchable_pdf(doc, out)
    (words,) = pdf_words(out)
    found = {w for _, w in words}
    assert "OFFPAGE" not in found and "ZEROAREA" not in found
    assert {"CLIPPED", "REVERSED", "word", "X", "end"} <= found
    for box, _ in words:  # nothing lies off the page
        assert box[0] >= -1 and box[1] >= -1 and box[2] <= 721 and box[3] <= 505


def test_a_page_without_blocks_or_text_is_kept_without_a_layer(tmp_path: Path) -> None:
    source = tmp_path / "page.png"
    _drawn_page(source)
    out = tmp_path / "page.pdf"
    write_searchable_pdf(Document(str(source), (Page(0, 1000, 700),)), out)
    assert pdf_words(out) == [[]]
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages[0].get_images()) == 1


def test_a_vanished_source_is_one_sentence_with_a_fix(tmp_path: Path) -> None:
    doc = journal_document(tmp_path / "gone.jpg")
    with pytest.raises(SourceUnreadable) as caught:
        write_searchable_pdf(doc, tmp_path / "out.pdf")
    assert caught.value.msg.code == Code.EXPORT_SOURCE_UNREADABLE
    assert caught.value.fix_msg is not None
    assert "gone.jpg" in str(caught.value)
    assert not (tmp_path / "out.pdf").exists()


def test_a_grey_jpeg_is_passed_through_too(tmp_path: Path) -> None:
    source = tmp_path / "grey.jpg"
    buf = io.BytesIO()
    Image.new("L", (300, 200), 200).save(buf, format="JPEG")
    source.write_bytes(buf.getvalue())
    doc = Document(
        str(source), (Page(0, 300, 200, blocks=(Block("Text", (10, 10, 200, 50), "grey"),)),)
    )
    out = tmp_path / "grey.pdf"
    write_searchable_pdf(doc, out)
    with pikepdf.open(out) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.read_raw_bytes() == source.read_bytes()
        assert image.ColorSpace == pikepdf.Name.DeviceGray
    assert pdf_text(out).split() == ["grey"]


def test_a_huge_pdf_page_and_a_partial_page_get_their_text(tmp_path: Path) -> None:
    # GIVEN a 200 x 200 inch page (the largest PDF allows) without text, and a normal one
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(14400, 14400))
    pdf.add_blank_page(page_size=(612, 792))
    source = tmp_path / "huge.pdf"
    pdf.save(source)
    # read at 72 DPI (1 px = 1 pt); the second page was cut short (partial) but has a block
    huge = Page(0, 14400, 14400, blocks=(Block("Text", (14000, 14000, 14300, 14100), "corner"),))
    partial = Page(
        1,
        1700,
        2200,
        blocks=(Block("Text", (100, 100, 800, 200), "salvaged words"),),
        status=PageStatus.PARTIAL,
    )
    out = tmp_path / "out.pdf"
    write_searchable_pdf(Document(str(source), (huge, partial)), out)
    first, second = pdf_words(out)
    ((box, word),) = first
    assert word == "corner"
    assert _inside(box, (14000, 14000, 14300, 14100))
    assert [w for _, w in second] == ["salvaged", "words"]
    scale = 612 / 1700
    for box, _ in second:
        assert _inside(box, (100 * scale, 100 * scale, 800 * scale, 200 * scale))


def test_an_owners_restrictions_survive_the_text_layer(tmp_path: Path) -> None:
    # GIVEN a scanned PDF whose owner forbade copying (no password needed to open it)
    scan = _scanned_pdf(tmp_path, frames=1)
    with pikepdf.open(scan, allow_overwriting_input=True) as pdf:
        no_copy = pikepdf.Permissions(extract=False)
        pdf.save(scan, encryption=pikepdf.Encryption(owner="owner", user="", allow=no_copy))
    block = Block("Text", (600, 100, 900, 160), "MARKWORD")
    out = tmp_path / "out.pdf"
    write_searchable_pdf(Document(str(scan), (Page(0, 1000, 700, blocks=(block,)),)), out)
    # THEN the layer is added and the restriction is still there
    with pikepdf.open(out) as pdf:
        assert pdf.is_encrypted
        assert not pdf.allow.extract
        assert "/FDots" in pdf.pages[0].Resources.Font


@pytest.mark.parametrize(
    ("mode", "bits", "space"),
    [("1", 1, "/DeviceGray"), ("L", 8, "/DeviceGray"), ("RGB", 8, "/DeviceRGB")],
)
def test_re_encoded_scans_keep_every_pixel_in_the_fewest_bits(
    tmp_path: Path, mode: str, bits: int, space: str
) -> None:
    # GIVEN a black-and-white, a grey and a colour TIFF (never passed through as they are)
    rng = np.random.default_rng(7)
    if mode == "1":
        img = Image.fromarray(rng.integers(0, 2, (301, 203), dtype=np.uint8) * 255).convert("1")
    elif mode == "L":
        img = Image.fromarray(rng.integers(0, 256, (301, 203), dtype=np.uint8))
    else:
        img = Image.fromarray(rng.integers(0, 256, (301, 203, 3), dtype=np.uint8))
    source = tmp_path / "scan.tif"
    img.save(source, dpi=(200, 200))
    out = tmp_path / "scan.pdf"
    write_searchable_pdf(Document(str(source), (Page(0, 203, 301),)), out)
    # THEN the PDF's image has the fewest bits that hold it, and the very same pixels
    with pikepdf.open(out) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert isinstance(image, pikepdf.Stream)
        assert (int(image.BitsPerComponent), str(image.ColorSpace)) == (bits, space)
        shown = pikepdf.PdfImage(image).as_pil_image()
        assert np.array_equal(np.asarray(shown.convert("RGB")), np.asarray(img.convert("RGB")))


def test_the_layer_is_invisible_the_page_looks_exactly_as_before(tmp_path: Path) -> None:
    # GIVEN a scanned PDF page and its results
    scan = _scanned_pdf(tmp_path, frames=1)
    block = Block("Text", (600, 100, 900, 160), "MARKWORD and more words here")
    out = tmp_path / "out.pdf"
    write_searchable_pdf(Document(str(scan), (Page(0, 1000, 700, blocks=(block,)),)), out)
    # THEN rendering the result gives the very pixels the original gave
    before = next(iter_pages(scan, dpi=100)).image
    after = next(iter_pages(out, dpi=100)).image
    assert np.array_equal(np.asarray(before), np.asarray(after))
    assert "MARKWORD" in pdf_text(out)


def test_a_document_with_no_page_read_yet_still_gives_its_pages(tmp_path: Path) -> None:
    source = tmp_path / "page.png"
    _drawn_page(source)
    out = tmp_path / "page.pdf"
    write_searchable_pdf(Document(str(source), ()), out)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 1
    assert pdf_words(out) == [[]]


def test_a_damaged_pdf_source_is_one_sentence_with_a_fix(tmp_path: Path) -> None:
    source = tmp_path / "broken.pdf"
    source.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    doc = Document(str(source), (Page(0, 100, 100, blocks=(Block("Text", (1, 1, 50, 50), "x"),)),))
    with pytest.raises(SourceUnreadable) as caught:
        write_searchable_pdf(doc, tmp_path / "out.pdf")
    assert "broken.pdf" in str(caught.value)
    assert not (tmp_path / "out.pdf").exists()
