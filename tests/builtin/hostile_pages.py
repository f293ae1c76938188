"""Odd and damaged pages for the built-in engine, drawn with Pillow and numpy (no fixtures).

Each maker returns the file's name and writes it into a folder; the tests read the folder
through the CLI, as a stranger would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from tests.builtin.conftest import ROOT, font

#: The six lines of the plain page, top to bottom.
LINES = [
    "The quick brown fox jumps over the lazy dog.",
    "Invoice number 2041 was paid on 12 March.",
    "Please return the signed copy by Friday.",
    "Harbour Books Ltd, 14 Quay Street, Bristol.",
    "All prices include value added tax at 20%.",
    "Thank you for your order and your patience.",
]


def plain_page(fg: object = "black", bg: object = "white", mode: str = "RGB") -> Image.Image:
    """A 1400x900 page of six lines of 32 px print."""
    img = Image.new(mode, (1400, 900), bg)  # type: ignore[arg-type]
    d = ImageDraw.Draw(img)
    for i, text in enumerate(LINES):
        d.text((60, 60 + i * 64), text, fill=fg, font=font(32))  # type: ignore[arg-type]
    return img


def strip_words(i: int) -> str:
    return f"Strip {i} says hello."


def _strip_phrases() -> list[tuple[int, str]]:
    """Where each phrase of the long strip starts, and the phrase."""
    d = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    f = font(36)
    out, x, i = [], 20, 0
    while x + int(d.textlength(strip_words(i), font=f)) <= 19980:
        out.append((x, strip_words(i)))
        x += int(d.textlength(strip_words(i), font=f)) + 40
        i += 1
    return out


def long_strip_phrases() -> list[str]:
    return [text for _, text in _strip_phrases()]


def long_strip() -> Image.Image:
    """20000x120: one line of print running the whole way."""
    img = Image.new("RGB", (20000, 120), "white")
    d = ImageDraw.Draw(img)
    for x, text in _strip_phrases():
        d.text((x, 40), text, fill="black", font=font(36))
    return img


def tall_strip() -> Image.Image:
    """180x20000: a column of five-digit numbers, one every 100 px."""
    img = Image.new("RGB", (180, 20000), "white")
    d = ImageDraw.Draw(img)
    for y in range(0, 19900, 100):
        d.text((20, y + 30), f"{y:05d}", fill="black", font=font(32))
    return img


def digits_table() -> tuple[Image.Image, list[str]]:
    """Ten rows of five numbers with two decimals, and the numbers as drawn."""
    img = Image.new("RGB", (1200, 760), "white")
    d = ImageDraw.Draw(img)
    drawn: list[str] = []
    for r in range(10):
        for c in range(5):
            number = f"{(r * 7919 + c * 104729) % 100000}.{r * c % 100:02d}"
            drawn.append(number)
            d.text((60 + c * 220, 40 + r * 70), number, fill="black", font=font(30))
    return img, drawn


def render_pdf_top(name: str, height: int) -> Image.Image:
    """The top ``height`` px of a benchmark accuracy page rendered at 200 DPI."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(ROOT / "benchmarks" / "fixtures" / "accuracy" / f"{name}.pdf")
    try:
        img = doc[0].render(scale=200 / 72).to_pil().convert("RGB")
    finally:
        doc.close()
    rows = np.flatnonzero(np.asarray(img.convert("L"))[:height].min(axis=1) > 200)
    return img.crop((0, 0, img.width, int(rows[-1]) if rows.size else height))  # at a gap


def russian_then_chinese() -> Image.Image:
    """Russian help text (Latin inside) above Chinese server messages, one page."""
    ru, zh = render_pdf_top("ru", 640), render_pdf_top("zh", 640)
    page = Image.new("RGB", (ru.width, ru.height + zh.height), "white")
    page.paste(ru, (0, 0))
    page.paste(zh, (0, ru.height))
    return page


def _save(img: Image.Image, folder: Path, name: str, **kw: object) -> str:
    img.save(folder / name, **kw)  # type: ignore[arg-type]
    return name


def _alpha_page() -> Image.Image:
    # Transparent pixels whose colour is black: flattened by dropping alpha, the page
    # would be all black.
    img = Image.new("RGBA", (1400, 900), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    for i, text in enumerate(LINES):
        d.text((60, 60 + i * 64), text, fill=(0, 0, 0, 255), font=font(32))
    return img


def _sliver(size: tuple[int, int]) -> Image.Image:
    """One pixel wide (or high), half black: OpenCV refused to halve it (the page failed)."""
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).line([(0, 0), (size[0] // 2, size[1] // 2)], fill="black")
    return img


def _grey16_page() -> Image.Image:
    deep = np.asarray(plain_page().convert("L"), dtype=np.uint16) * 257
    return Image.fromarray(deep)


MAKERS: dict[str, Callable[[], Image.Image]] = {
    "upright.png": plain_page,
    "turned90.png": lambda: plain_page().rotate(90, expand=True),
    "turned180.png": lambda: plain_page().rotate(180, expand=True),
    "turned270.png": lambda: plain_page().rotate(270, expand=True),
    "long_strip.png": long_strip,
    "tall_strip.png": tall_strip,
    "one_pixel.png": lambda: Image.new("RGB", (1, 1), "white"),
    "sliver_down.png": lambda: _sliver((1, 5000)),
    "sliver_across.png": lambda: _sliver((5000, 1)),
    "grey16.png": _grey16_page,
    "cmyk.jpg": lambda: plain_page().convert("CMYK"),
    "alpha.png": _alpha_page,
    "inverted.png": lambda: plain_page(fg="white", bg="black"),
    "low_contrast.png": lambda: plain_page(fg=(140, 140, 140), bg=(165, 165, 165)),
    "noise.png": lambda: Image.fromarray(
        np.random.default_rng(7).integers(0, 256, (700, 900, 3), dtype=np.uint8)
    ),
    "all_black.png": lambda: Image.new("RGB", (1400, 900), "black"),
    "digits.png": lambda: digits_table()[0],
}


def write_pages(folder: Path, names: list[str]) -> list[Path]:
    """Draw the named pages into ``folder``; their paths, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names:
        img = MAKERS[name]()
        kw: dict[str, object] = {"quality": 95} if name.endswith(".jpg") else {}
        out.append(folder / _save(img, folder, name, **kw))
    return out
