"""Shared, expensive results for the built-in engine tests: each page is read ONCE."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from desktop.core.document import BBox, Page
from desktop.core.pageimage import PageImage
from desktop.core.tables import parse_table_html
from desktop.engines.base import BlockFound, PageDone, RecognizeEvent, RecognizeMode
from desktop.engines.builtin import BuiltinEngine, builtin_available
from desktop.engines.builtin.ocr import RapidReader

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass
class Run:
    """What a user would see from one recognize call, plus how often a ticker ran meanwhile."""

    events: list[RecognizeEvent]
    ticks: int

    @property
    def page(self) -> Page:
        last = self.events[-1]
        assert isinstance(last, PageDone)
        return last.page

    @property
    def found(self) -> list[BlockFound]:
        return [e for e in self.events if isinstance(e, BlockFound)]


async def _recognize(page: PageImage, mode: RecognizeMode, region: BBox | None = None) -> Run:
    engine = BuiltinEngine()
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    try:
        events = [ev async for ev in engine.recognize(page, mode, region)]
    finally:
        stop.set()
        await task
        await engine.aclose()
    return Run(events, ticks)


def recognize_sync(page: PageImage, mode: RecognizeMode, region: BBox | None = None) -> Run:
    return asyncio.run(_recognize(page, mode, region))


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if FONT.exists():
        return ImageFont.truetype(str(FONT), size)
    return ImageFont.load_default(size=size)


#: The invoice's table as drawn: rows of (text, colspan).
INVOICE_ROWS: list[list[tuple[str, int]]] = [
    [("Item", 1), ("Quantity", 1), ("Unit price", 1), ("Amount", 1)],
    [("Paper", 1), ("12", 1), ("4.50", 1), ("54.00", 1)],
    [("Stapler", 1), ("3", 1), ("18.20", 1), ("54.60", 1)],
    [("Ink cartridge", 1), ("7", 1), ("31.75", 1), ("222.25", 1)],
    [("Subtotal", 3), ("330.85", 1)],
]
INVOICE_COL_X = [80, 520, 780, 1060, 1340]


def assert_invoice_table(page: Page) -> None:
    """The page has one table: the invoice's 5 x 4 grid, every cell in its row, column and span."""
    (table,) = page.tables
    grid = parse_table_html(table.text or "")
    assert (grid.rows, grid.cols) == (5, 4)
    for r, row in enumerate(INVOICE_ROWS):
        c = 0
        for text, span in row:
            cell = grid.cell_at(r, c)
            assert cell is not None and cell.text == text, (r, c, cell)
            assert cell.colspan == span
            c += span


def draw_invoice() -> Image.Image:
    """A white invoice page with a fully ruled table; the last row's label spans 3 columns."""
    img = Image.new("RGB", (1420, 1000), "white")
    d = ImageDraw.Draw(img)
    d.text((80, 60), "INVOICE 2041", fill="black", font=font(44))
    d.text((80, 140), "Bill to: Harbour Books Ltd", fill="black", font=font(28))
    top, row_h = 240, 80
    f = font(28)
    xs = INVOICE_COL_X
    n = len(INVOICE_ROWS)
    for r in range(n + 1):
        d.line([(xs[0], top + r * row_h), (xs[-1], top + r * row_h)], fill="black", width=3)
    for r, row in enumerate(INVOICE_ROWS):
        c = 0
        y0, y1 = top + r * row_h, top + (r + 1) * row_h
        for text, span in row:
            d.text((xs[c] + 18, y0 + 24), text, fill="black", font=f)
            c += span
        # Vertical walls: only at cell boundaries, so a spanning cell has none inside it.
        c = 0
        d.line([(xs[0], y0), (xs[0], y1)], fill="black", width=3)
        for _, span in row:
            c += span
            d.line([(xs[c], y0), (xs[c], y1)], fill="black", width=3)
    d.text((80, top + n * row_h + 60), "Payment due within 30 days.", fill="black", font=f)
    return img


@pytest.fixture(scope="session")
def need_builtin() -> None:
    reason = builtin_available()
    if reason is not None:
        pytest.skip(str(reason))


@pytest.fixture(scope="module")
def reader(need_builtin: None) -> RapidReader:
    """The bundled models loaded once per test module."""
    got = RapidReader()
    got.load()
    return got


@pytest.fixture(scope="session")
def journal_run(need_builtin: None) -> Run:
    """The journal page read once in layout mode (~30 s on 2 cores)."""
    img = Image.open(FIXTURES / "journal_page_tables.jpg").convert("RGB")
    return recognize_sync(PageImage("journal_page_tables.jpg", 0, img), RecognizeMode.LAYOUT)


@pytest.fixture(scope="session")
def invoice_page() -> PageImage:
    return PageImage("invoice.png", 0, draw_invoice())


@pytest.fixture(scope="session")
def invoice_run(need_builtin: None, invoice_page: PageImage) -> Run:
    return recognize_sync(invoice_page, RecognizeMode.LAYOUT)
