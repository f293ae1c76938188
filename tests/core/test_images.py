"""Pages in: real fixtures, every image format and mode, and typed errors for bad files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from desktop.core.errors import (
    ImageTooLarge,
    PageRangeError,
    PasswordProtected,
    UnreadableFile,
    UnsupportedFile,
)
from desktop.core.images import count_pages, iter_pages, load_image_bytes, parse_page_ranges
from desktop.core.messages import say
from tests.core._fixtures import JOURNAL, REPORT_PDF, RUSSIAN
from tests.core.pdfcrypt import encrypted_pdf


def _save(img: Image.Image, path: Path, fmt: str, **kwargs: object) -> Path:
    img.save(path, format=fmt, **kwargs)
    return path


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (no pixel data is allocated)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + body + iend


# ------------------------------------------------------------------ real fixtures


def test_journal_jpeg_is_one_page_kept_as_its_original_bytes() -> None:
    pages = list(iter_pages(JOURNAL))
    assert len(pages) == 1
    page = pages[0]
    assert (page.width, page.height) == (1700, 2250)
    assert page.image.mode == "RGB"
    assert page.source_format == "JPEG"
    assert page.source_bytes == JOURNAL.read_bytes()


def test_russian_page_with_jpeg_bytes_and_png_name_loads_by_content() -> None:
    (page,) = iter_pages(RUSSIAN)
    assert (page.width, page.height) == (2339, 3309)
    assert page.source_format == "JPEG"


def test_two_page_pdf_gives_two_pages_at_200_dpi() -> None:
    pages = list(iter_pages(REPORT_PDF))
    assert [p.index for p in pages] == [0, 1]
    for page in pages:
        # A3 is 841.92 x 1190.7 pt; at 200 DPI the sides stay under 4500 px
        assert page.dpi == 200
        assert abs(page.width - 841.92 * 200 / 72) <= 1
        assert abs(page.height - 1190.7 * 200 / 72) <= 1
        assert page.source_bytes is None
        assert page.page_count == 2
    assert count_pages(REPORT_PDF) == 2


def test_pdf_page_selection_renders_only_the_chosen_pages() -> None:
    pages = list(iter_pages(REPORT_PDF, pages=[1], dpi=72))
    assert [p.index for p in pages] == [0 + 1]
    assert pages[0].width == 842
    with pytest.raises(PageRangeError, match="page 3 does not exist"):
        list(iter_pages(REPORT_PDF, pages=[2]))


def test_a_pdf_page_too_big_for_the_model_at_200_dpi_gets_the_highest_dpi_that_fits(
    tmp_path: Path,
) -> None:
    # 2000 x 1000 pt is 5556 x 2778 px (15.4 MP) at 200 DPI, more than the 11.29 MP the
    # model reads: upstream fell to 72 DPI without a word; here the highest DPI that fits
    doc = pdfium.PdfDocument.new()
    doc.new_page(2000, 1000)
    doc.new_page(90, 3000)  # a long strip: a side over 4500 px (8333) but only 1.7 MP
    path = tmp_path / "wide.pdf"
    doc.save(str(path))
    doc.close()
    wide, strip = iter_pages(path)
    assert wide.dpi == 171
    assert wide.width * wide.height <= 11_289_600
    assert (wide.width, wide.height) == (round(2000 * 171 / 72), round(1000 * 171 / 72))
    (note,) = wide.notes
    assert say((note,)) == (
        "Rendered at 171 DPI instead of 200: at 200 DPI the page would have 15.4 million"
        " pixels, more than the 11.3 million the model reads."
    )
    assert strip.dpi == 200 and not strip.notes


def test_pages_are_produced_lazily() -> None:
    pages = iter_pages(REPORT_PDF)
    first = next(pages)  # the second page is not rendered yet
    assert first.index == 0


# ------------------------------------------------------------------ generated images


def _pixel(page_image: Image.Image, xy: tuple[int, int] = (0, 0)) -> tuple[int, ...]:
    value = page_image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


@pytest.mark.parametrize(
    ("mode", "colour"),
    [("RGBA", (255, 0, 0, 0)), ("LA", (0, 0)), ("RGBA", (0, 0, 255, 255))],
)
def test_transparency_is_composited_on_white(
    tmp_path: Path, mode: str, colour: tuple[int, ...]
) -> None:
    path = _save(Image.new(mode, (40, 30), colour), tmp_path / "x.png", "PNG")
    (page,) = iter_pages(path)
    expected = (255, 255, 255) if colour[-1] == 0 else (0, 0, 255)
    assert page.image.mode == "RGB"
    assert _pixel(page.image) == expected
    assert page.source_bytes is None  # converted: cannot be sent as is


def test_palette_image_with_transparent_index_becomes_white(tmp_path: Path) -> None:
    img = Image.new("P", (20, 20), 1)
    img.putpalette([0, 0, 0, 200, 10, 10] + [0] * 762)
    path = _save(img, tmp_path / "p.png", "PNG", transparency=1)
    (page,) = iter_pages(path)
    assert _pixel(page.image) == (255, 255, 255)


def test_cmyk_jpeg_is_converted_to_rgb(tmp_path: Path) -> None:
    path = _save(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), tmp_path / "c.jpg", "JPEG")
    (page,) = iter_pages(path)
    assert page.image.mode == "RGB"
    r, g, b = _pixel(page.image)
    assert r > 200 and g < 60 and b < 60
    assert page.source_bytes is None


def test_16_bit_grayscale_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    arr = np.full((10, 10), 32768, dtype=np.uint16)  # mid grey in 16 bits
    path = _save(Image.fromarray(arr), tmp_path / "deep.png", "PNG")
    (page,) = iter_pages(path)
    assert _pixel(page.image)[0] in (127, 128)


def test_an_animated_gif_gives_every_frame_as_a_page(tmp_path: Path) -> None:
    # Issue 15: only the first frame was read, silently. Every frame is a page now.
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 255, 0))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    pages = list(iter_pages(path))
    assert [p.index for p in pages] == [0, 1] and count_pages(path) == 2
    r, g, _ = _pixel(pages[0].image)
    assert r > 200 and g < 50
    r, g, _ = _pixel(pages[1].image)
    assert g > 200 and r < 50


def test_multi_page_tiff_gives_every_page_and_honours_selection(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (20 + i, 10), (i * 100, 0, 0)) for i in range(3)]
    path = tmp_path / "scan.tif"
    frames[0].save(path, format="TIFF", save_all=True, append_images=frames[1:])
    assert count_pages(path) == 3
    pages = list(iter_pages(path))
    assert [p.width for p in pages] == [20, 21, 22]
    assert [p.index for p in iter_pages(path, pages=[2])] == [2]


def test_exif_rotated_jpeg_is_turned_upright_and_not_passed_through(tmp_path: Path) -> None:
    img = Image.new("RGB", (60, 20), (10, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    path = _save(img, tmp_path / "phone.jpg", "JPEG", exif=exif.tobytes())
    (page,) = iter_pages(path)
    assert (page.width, page.height) == (20, 60)
    assert page.source_bytes is None


@pytest.mark.parametrize(
    ("fmt", "name", "passthrough"),
    [
        ("PNG", "a.png", True),
        ("JPEG", "a.jpg", True),
        ("WEBP", "a.webp", True),
        ("BMP", "a.bmp", False),
        ("TIFF", "a.tiff", False),
        ("PNG", "misnamed.pdf", True),
    ],
)
def test_formats_are_detected_by_content(
    tmp_path: Path, fmt: str, name: str, passthrough: bool
) -> None:
    path = _save(Image.new("RGB", (30, 40), (1, 2, 3)), tmp_path / name, fmt)
    (page,) = iter_pages(path)
    assert (page.width, page.height) == (30, 40)
    assert (page.source_bytes is not None) is passthrough
    if passthrough:
        assert page.source_format == fmt


def test_image_bytes_from_the_clipboard_load() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (8, 9)).save(buf, format="PNG")
    page = load_image_bytes(buf.getvalue())
    assert (page.width, page.height, page.source) == (8, 9, "pasted image")
    assert load_image_bytes(REPORT_PDF.read_bytes()).index == 0
    with pytest.raises(UnsupportedFile):
        load_image_bytes(b"hello world")
    with pytest.raises(UnreadableFile):
        load_image_bytes(b"")


# ------------------------------------------------------------------ bad files


def test_zero_byte_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFile, match="empty"):
        list(iter_pages(path))


def test_missing_file_and_folder_are_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="does not exist"):
        list(iter_pages(tmp_path / "nope.jpg"))
    with pytest.raises(UnreadableFile, match="folder"):
        list(iter_pages(tmp_path))


def test_garbage_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_bytes(b"just some text, not an image\n" * 10)
    with pytest.raises(UnsupportedFile, match="not an image or PDF"):
        list(iter_pages(path))


@pytest.mark.parametrize("source", [JOURNAL, REPORT_PDF])
def test_truncated_files_are_unreadable(tmp_path: Path, source: Path) -> None:
    path = tmp_path / ("cut" + source.suffix)
    path.write_bytes(source.read_bytes()[:4000])
    with pytest.raises(UnreadableFile, match=r"damaged|truncated"):
        list(iter_pages(path))


def test_png_magic_followed_by_garbage_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    with pytest.raises(UnreadableFile):
        list(iter_pages(path))


def test_encrypted_pdf_asks_for_its_password(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf("secret"))
    with pytest.raises(PasswordProtected, match="protected by a password"):
        list(iter_pages(path))
    with pytest.raises(PasswordProtected, match="wrong"):
        count_pages(path, password="guess")
    assert [p.index for p in iter_pages(path, password="secret")] == [0]


@pytest.mark.parametrize("size", [(100_000, 100_000), (13_000, 12_000)])
def test_absurd_declared_size_is_refused_before_decoding(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(*size))
    with pytest.raises(ImageTooLarge, match="MP limit"):
        list(iter_pages(path))


# ------------------------------------------------------------------ page ranges


def test_page_ranges_are_one_based_and_inclusive() -> None:
    assert parse_page_ranges("1-3,7", 10) == [0, 1, 2, 6]
    assert parse_page_ranges(" 2 , 2-3 ", 5) == [1, 2]
    assert parse_page_ranges("4-", 6) == [3, 4, 5]
    assert parse_page_ranges("-2", 6) == [0, 1]


@pytest.mark.parametrize("spec", ["", "a", "3-1", "0", "1-2-3", ","])
def test_malformed_page_ranges_are_refused(spec: str) -> None:
    with pytest.raises(PageRangeError):
        parse_page_ranges(spec, 10)


def test_page_range_beyond_the_document_is_refused() -> None:
    with pytest.raises(PageRangeError, match="Page 12 does not exist"):
        parse_page_ranges("10-12", 11)


def test_rendered_pdf_page_behaves_as_an_ordinary_rgb_image() -> None:
    import copy
    import pickle
    from concurrent.futures import ThreadPoolExecutor

    (page,) = iter_pages(REPORT_PDF, pages=[0], dpi=50)
    img = page.image
    assert (img.mode, img.size) == ("RGB", (page.width, page.height))
    # Its pixels are made on first use; many threads asking at once see the same ones.
    with ThreadPoolExecutor(4) as pool:
        copies = list(pool.map(lambda _: np.asarray(img.copy()), range(4)))
    expected = copies[0]
    assert all(np.array_equal(c, expected) for c in copies)
    assert np.array_equal(np.asarray(img), expected)
    assert img.getpixel((0, 0)) == tuple(expected[0, 0])
    assert np.array_equal(np.asarray(img.convert("L")), np.asarray(img.copy().convert("L")))
    assert img.resize((10, 10)).size == (10, 10)
    assert np.array_equal(np.asarray(copy.deepcopy(img)), expected)
    assert np.array_equal(np.asarray(pickle.loads(pickle.dumps(img))), expected)


def test_a_pdf_page_waits_while_another_thread_is_inside_pdfium() -> None:
    """PDFium is not thread-safe, not even across documents: the reader and the window's
    display render in different threads, so every call waits for the one in progress."""
    import threading

    from desktop.core import images

    rendered = threading.Event()
    counted = threading.Event()

    def render() -> None:
        next(iter_pages(REPORT_PDF, dpi=36, pages=[0]))
        rendered.set()

    def count() -> None:
        count_pages(REPORT_PDF)
        counted.set()

    threads = [threading.Thread(target=render), threading.Thread(target=count)]
    with images.PDFIUM_LOCK:  # another thread's PDFium call, as it were
        for thread in threads:
            thread.start()
        assert not rendered.wait(0.3) and not counted.is_set()
    assert rendered.wait(10) and counted.wait(10)
    for thread in threads:
        thread.join(10)
